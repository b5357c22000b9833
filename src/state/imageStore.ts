// The person's own images for the "Your own images" dataset. Like their table they are not part of the spec (a link
// would be megabytes): decoded once in the file-reading worker, kept in this browser's IndexedDB as decoded, and read
// back (and checked again, like any stored record) the first time an experiment needs them.
import { create } from 'zustand';
import { checkOwnImages, type ImageFile, type OwnImages } from '../data/ownImages';
import { fileReader } from '../worker/client';
import { database } from './db';

const KEY = 'images';

interface ImageState {
  /** The images decoded; null when there are none, they are being read, or they cannot be used. */
  images: OwnImages | null;
  /** Why there are none to use (what is wrong, named); null when there are. */
  problem: string | null;
  /** How much has been decoded (0–1) while images are read; null otherwise. */
  reading: number | null;
  /** Set when the browser would not keep them (storage full); they still work until reload. */
  storageNote: string | null;
  /** New images (files with their folder paths, or a zip): decoded at once and kept for later visits. */
  set: (files: ImageFile[] | Blob, source: string) => Promise<void>;
  /** The images, read from storage the first time they are needed; null when there are none to use. */
  open: () => Promise<OwnImages | null>;
}

export const NO_IMAGES =
  'Your images: this experiment trains on images of your own (they are never put in links); drop a folder with one folder of images per class, or a zip of one.';

/** The images being read now: a newer reading makes an older one's result moot. */
let latest = 0;
/** The kept images' first reading, shared by everyone who asks. */
let opening: Promise<OwnImages | null> | null = null;

export const useImageStore = create<ImageState>((set, get) => ({
  images: null,
  problem: NO_IMAGES,
  reading: null,
  storageNote: null,
  async set(files, source) {
    const reading = ++latest;
    set({ images: null, problem: null, reading: 0, storageNote: null });
    const done = (async (): Promise<OwnImages | null> => {
      let result;
      try {
        if (typeof Worker === 'undefined') throw new Error('images are decoded by the browser, in a worker');
        result = await fileReader().readImages(files, source, (fraction) => {
          if (reading === latest) set({ reading: fraction });
        });
      } catch (e) {
        result = {
          ok: false as const,
          error: `they could not be read (${e instanceof Error ? e.message : String(e)})`,
        };
      }
      if (reading !== latest) return get().images;
      if (!result.ok) {
        set({ images: null, problem: `Your images: ${result.error}.`, reading: null });
        return null;
      }
      set({ images: result.value, problem: null, reading: null });
      database()
        ?.then((d) => d.put('userData', result.value, KEY))
        .catch(() =>
          set({
            storageNote: 'This browser would not keep your images (storage is full); they work until you reload.',
          }),
        );
      return result.value;
    })();
    opening = done;
    await done;
  },
  open() {
    if (get().images) return Promise.resolve(get().images);
    opening ??= keptImages();
    return opening;
  },
}));

/** The images kept from an earlier visit, checked; null when there are none (or they are damaged: said so). */
async function keptImages(): Promise<OwnImages | null> {
  const asked = latest;
  const raw: unknown = await database()
    ?.then((d) => d.get('userData', KEY))
    .catch(() => null);
  if (raw === undefined || raw === null || asked !== latest) return useImageStore.getState().images;
  const checked = checkOwnImages(raw);
  if (typeof checked === 'string') {
    useImageStore.setState({
      problem: `Your images kept in this browser cannot be used (${checked}); drop them again.`,
    });
    return null;
  }
  useImageStore.setState({ images: checked, problem: null });
  return checked;
}
