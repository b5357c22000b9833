/// <reference lib="webworker" />
// The person's image files decoded off the page's thread (the browser's own decoders: createImageBitmap), each
// cropped to its central square and scaled to the kept size, in colour; a zip is unpacked here first (fflate).
import { unzipSync } from 'fflate';
import {
  KEPT_PIXELS,
  KEPT_SIDE,
  OWN_IMAGE_LIMITS,
  ownImagesProblem,
  sortIntoClasses,
  type ImageFile,
  type OwnImages,
} from '../data/ownImages';

export type ImagesResult = { ok: true; value: OwnImages } | { ok: false; error: string };

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** A zip's files (folders and over-large files left out, the latter named in `tooBig`). */
export async function unzipImages(zip: Blob): Promise<{ files: ImageFile[]; tooBig: string[] }> {
  if (zip.size > OWN_IMAGE_LIMITS.zipBytes)
    throw new Error(`the zip is ${mb(zip.size)}, over the ${OWN_IMAGE_LIMITS.zipBytes / 1e6} MB limit`);
  const tooBig: string[] = [];
  const entries = unzipSync(new Uint8Array(await zip.arrayBuffer()), {
    filter: (f) => {
      if (f.name.endsWith('/')) return false;
      if (f.originalSize > OWN_IMAGE_LIMITS.fileBytes)
        tooBig.push(
          `${f.name}: ${mb(f.originalSize)}, over the ${OWN_IMAGE_LIMITS.fileBytes / 1e6} MB limit for one image`,
        );
      return f.originalSize <= OWN_IMAGE_LIMITS.fileBytes;
    },
  });
  return { files: Object.entries(entries).map(([path, bytes]) => ({ path, file: new Blob([bytes]) })), tooBig };
}

let canvas: OffscreenCanvasRenderingContext2D | null = null;

/** One image's central square at KEPT_SIDE pixels, RGB (transparent parts on white, as a page shows them). */
async function decode(file: Blob, out: Uint8Array): Promise<void> {
  const whole = await createImageBitmap(file);
  const side = Math.min(whole.width, whole.height);
  const square = await createImageBitmap(
    whole,
    Math.floor((whole.width - side) / 2),
    Math.floor((whole.height - side) / 2),
    side,
    side,
    { resizeWidth: KEPT_SIDE, resizeHeight: KEPT_SIDE, resizeQuality: 'high' },
  );
  whole.close();
  canvas ??= new OffscreenCanvas(KEPT_SIDE, KEPT_SIDE).getContext('2d', { willReadFrequently: true })!;
  canvas.fillStyle = '#fff';
  canvas.fillRect(0, 0, KEPT_SIDE, KEPT_SIDE);
  canvas.drawImage(square, 0, 0);
  square.close();
  const rgba = canvas.getImageData(0, 0, KEPT_SIDE, KEPT_SIDE).data;
  for (let p = 0; p < KEPT_SIDE * KEPT_SIDE; p++) for (let k = 0; k < 3; k++) out[3 * p + k] = rgba[4 * p + k];
}

/** Files sorted into classes by folder and decoded, with what was left out named; or why they cannot be used. */
export async function readImages(
  files: ImageFile[],
  source: string,
  onProgress: (fraction: number) => void,
  leftOut: string[] = [],
): Promise<ImagesResult> {
  const sorted = sortIntoClasses(files.map((f) => f.path));
  const skipped = [...leftOut, ...sorted.skipped];
  const chosen = files.flatMap((f, i) => (sorted.classOf[i] === null ? [] : [{ ...f, label: sorted.classOf[i] }]));
  const L = OWN_IMAGE_LIMITS;
  /** Why they cannot be used, with the first files left out named; or null. */
  const refusal = (images: Pick<OwnImages, 'classes' | 'labels' | 'n'>): ImagesResult | null => {
    const problem = ownImagesProblem(images);
    if (!problem) return null;
    const more = skipped.length > 3 ? '…' : '';
    return {
      ok: false,
      error: problem + (skipped.length ? ` (left out: ${skipped.slice(0, 3).join('; ')}${more})` : ''),
    };
  };
  // Refused before any decoding when the folders alone say so (decoding can only lose images).
  const early = refusal({ classes: sorted.classes, labels: Uint8Array.from(chosen, (f) => f.label), n: chosen.length });
  if (early) return early;
  const pixels = new Uint8Array(chosen.length * KEPT_PIXELS);
  const labels = new Uint8Array(chosen.length);
  let n = 0;
  for (const [i, f] of chosen.entries()) {
    if (f.file.size > L.fileBytes)
      skipped.push(`${f.path}: ${mb(f.file.size)}, over the ${L.fileBytes / 1e6} MB limit for one image`);
    else {
      try {
        await decode(f.file, pixels.subarray(n * KEPT_PIXELS, (n + 1) * KEPT_PIXELS));
        labels[n++] = f.label;
      } catch {
        skipped.push(`${f.path}: could not be decoded as an image`);
      }
    }
    if (i % 25 === 24) onProgress((i + 1) / chosen.length);
  }
  const value: OwnImages = {
    classes: sorted.classes,
    labels: labels.slice(0, n),
    pixels: pixels.slice(0, n * KEPT_PIXELS),
    n,
    source,
    skipped: skipped.slice(0, 5),
    skippedCount: skipped.length,
  };
  return refusal(value) ?? { ok: true, value };
}
