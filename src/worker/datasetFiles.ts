import type { DatasetFiles } from '../data/dataset';
import type { DatasetSpec } from '../experiment/types';
// Vite copies the shipped data files into the build and gives their URLs (same origin, no network).
import mnistImagesUrl from '../../datasets/mnist-images.u8?url';
import mnistLabelsUrl from '../../datasets/mnist-labels.u8?url';
import namesUrl from '../../datasets/names.txt?url';
import sotuUrl from '../../datasets/sotu.txt?url';
import mnistFullUrl from '../../datasets/mnist-full.imgz?url';
import fashionMnistUrl from '../../datasets/fashion-mnist.imgz?url';
import { DATASET_LABELS } from '../experiment/labels';
import type { ImageSet } from '../data/imageSet';
import { ownImageSet } from '../data/ownImages';
import type { UserData } from './protocol';
import { loadImageSet, type LoadProgress } from './imageSetFiles';

const IMAGE_SET_URLS = { mnistFull: mnistFullUrl, fashionMnist: fashionMnistUrl } as const;
/** Each big image set once per worker: a second run on it neither fetches nor decompresses it again. */
const imageSets = new Map<string, Promise<ImageSet>>();

let mnist: Promise<DatasetFiles['mnist']> | null = null;
const texts = new Map<string, Promise<string>>();

async function fetched(url: string): Promise<Response> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not load ${url}: HTTP ${response.status}`);
  return response;
}

const bytes = async (url: string) => new Uint8Array(await (await fetched(url)).arrayBuffer());

function text(url: string): Promise<string> {
  let t = texts.get(url);
  if (!t) texts.set(url, (t = fetched(url).then((r) => r.text())));
  return t;
}

/** The files a dataset needs, fetched once per worker, or the person's own text or table. */
export async function filesFor(
  spec: DatasetSpec,
  data: UserData = {},
  onProgress: LoadProgress = () => {},
): Promise<DatasetFiles> {
  switch (spec.kind) {
    case 'mnistFull':
    case 'fashionMnist': {
      const kind = spec.kind;
      let set = imageSets.get(kind);
      if (!set) {
        set = loadImageSet(IMAGE_SET_URLS[kind], DATASET_LABELS[kind].split(' (')[0], onProgress);
        imageSets.set(kind, set);
        // A failed load is tried again by the next run, not remembered.
        set.catch(() => imageSets.delete(kind));
      }
      return { images: await set };
    }
    case 'mnist':
      mnist ??= Promise.all([bytes(mnistImagesUrl), bytes(mnistLabelsUrl)]).then(([images, labels]) => ({
        images,
        labels,
      }));
      return { mnist: await mnist };
    case 'names':
      return { text: await text(namesUrl) };
    case 'sotu':
      return { text: await text(sotuUrl) };
    case 'userText':
      // An uploaded file is read here, off the page's thread (up to 50 MB).
      return { text: data.text instanceof Blob ? await data.text.text() : data.text };
    case 'userImages':
      if (!data.images) throw new Error('Your images: there are none in this browser; drop a folder of them');
      return {
        images: ownImageSet(data.images, spec.ownImages.side, spec.ownImages.colour),
        classNames: data.images.classes,
      };
    case 'userTable':
      if (!data.table) throw new Error('Your table: there is none in this browser; paste or upload one');
      return { table: data.table };
    default:
      return {};
  }
}
