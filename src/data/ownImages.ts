// The person's own images: files sorted into classes by their folders, decoded once (in a worker: see
// worker/imageDecode.ts) to a square of KEPT_SIDE pixels in colour and kept in this browser; what a run trains on is
// made from that copy at the spec's size and colour. Plain arithmetic here; no DOM, no decoding.
import { decodeImageSet, encodeImageSet, type ImageSet } from './imageSet';

/** Each image is kept at this side (the largest a spec may ask for), in colour, so any size can be made from it. */
export const KEPT_SIDE = 64;
export const KEPT_PIXELS = KEPT_SIDE * KEPT_SIDE * 3;

/** The largest file of your images the CLI reads (the most images at the kept size, uncompressed, and a margin). */
export const OWN_IMAGE_FILE_BYTES = 300e6;

export const OWN_IMAGE_LIMITS = {
  /** More than this many images is more than this browser should keep and train on (about 250 MB kept). */
  images: 20_000,
  /** Kept runs' confusion matrices hold up to 50 classes (export/runRecord.ts). */
  classes: 50,
  /** Fewer than this in a class leaves it too few to learn from and to hold some out. */
  perClass: 5,
  /** Bigger files are photos far larger than a 64-pixel square needs; their decoding alone takes ~100 MB. */
  fileBytes: 30e6,
  /** A zip of more than this is not read (it is read whole, into memory). */
  zipBytes: 500e6,
};

/** File names browsers can decode as images. */
const IMAGE_EXTENSION = /\.(png|jpe?g|gif|webp|bmp|avif|ico)$/i;
/** Files that are never the person's images: the system's own (macOS, Windows) and hidden ones. */
const SYSTEM_FILE = /(^|\/)(\.[^/]*|__MACOSX|Thumbs\.db|desktop\.ini)(\/|$)/i;

/** One file the person gave. */
export interface ImageFile {
  /** Its path below what was dropped or chosen ("cats/tom.jpg"): its class is its folder. */
  path: string;
  file: Blob;
}

/** The person's images as kept: decoded, cropped to the central square, KEPT_SIDE pixels, RGB, row by row. */
export interface OwnImages {
  /** Class names, sorted (folder names). */
  classes: string[];
  /** One class index per image. */
  labels: Uint8Array;
  /** n images of KEPT_PIXELS bytes each. */
  pixels: Uint8Array;
  n: number;
  /** Where they came from: a folder's or a zip's name, or "chosen by class". */
  source: string;
  /** Files that were left out, and why ("notes.txt: not an image"), at most a few named. */
  skipped: string[];
  /** How many files were left out in all. */
  skippedCount: number;
}

export interface SortedFiles {
  classes: string[];
  /** For each path given, its class's index, or null when it was left out (see `skipped`). */
  classOf: (number | null)[];
  /** Why files were left out, one line per file. */
  skipped: string[];
}

/**
 * Sort files into classes by folder, as torchvision's ImageFolder does: the first folder below the one that all files
 * share is a file's class (so dropping the top folder, its class folders or a zip of either comes to the same);
 * system and hidden files are passed over silently; other files that are not images, or sit outside any class
 * folder, are left out with a reason.
 */
export function sortIntoClasses(paths: string[]): SortedFiles {
  const parts = paths.map((p) => p.replace(/\\/g, '/').split('/').filter(Boolean));
  const kept = paths.map((p, i) => !SYSTEM_FILE.test(p.replace(/\\/g, '/')) && parts[i].length > 0);
  // The folders every image sits in are dropped (as deep as still leaves some image in a folder below them): the
  // next folder down is the class.
  const folders = parts.filter((p, i) => kept[i] && IMAGE_EXTENSION.test(p.at(-1)!)).map((p) => p.slice(0, -1));
  let depth = 0;
  const deepest = Math.max(0, ...folders.map((f) => f.length));
  while (depth < deepest - 1 && folders.every((f) => f.length > depth && f[depth] === folders[0][depth])) depth++;
  const skipped: string[] = [];
  const names = new Set<string>();
  const classNames = parts.map((p, i) => {
    if (!kept[i]) return null;
    const path = p.join('/');
    if (!IMAGE_EXTENSION.test(path)) {
      skipped.push(`${path}: not an image (PNG, JPEG, GIF, WebP, BMP or AVIF)`);
      return null;
    }
    if (p.length < depth + 2) {
      skipped.push(`${path}: not in a class folder`);
      return null;
    }
    names.add(p[depth]);
    return p[depth];
  });
  const classes = [...names].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const index = new Map(classes.map((c, i) => [c, i]));
  return { classes, classOf: classNames.map((c) => (c === null ? null : index.get(c)!)), skipped };
}

/** What makes a set of images unusable (too few classes or images in one, too many), or null. */
export function ownImagesProblem(images: Pick<OwnImages, 'classes' | 'labels' | 'n'>): string | null {
  const { classes, labels, n } = images;
  const L = OWN_IMAGE_LIMITS;
  if (n === 0) return 'no images were found: drop a folder with one folder of images per class';
  if (classes.length < 2)
    return `${classes.length === 1 ? `only one class (“${classes[0]}”)` : 'no classes'} was found: put each class's images in a folder of its own, at least two`;
  if (classes.length > L.classes) return `${classes.length} classes, more than the ${L.classes} allowed`;
  if (n > L.images)
    return `${n.toLocaleString('en-US')} images, more than the ${L.images.toLocaleString('en-US')} this browser can keep and train on`;
  const counts = classCounts({ classes, labels, n });
  const few = classes.filter((_, c) => counts[c] < L.perClass);
  if (few.length)
    return `${few.length === 1 ? 'the class' : 'the classes'} ${few
      .slice(0, 5)
      .map((c) => `“${c}” (${counts[classes.indexOf(c)]})`)
      .join(
        ', ',
      )}${few.length > 5 ? '…' : ''} ${few.length === 1 ? 'has' : 'have'} fewer than ${L.perClass} images: add some or remove ${few.length === 1 ? 'it' : 'them'}`;
  return null;
}

/** Images per class, in class order. */
export function classCounts(images: Pick<OwnImages, 'classes' | 'labels' | 'n'>): number[] {
  const counts = new Array<number>(images.classes.length).fill(0);
  for (let i = 0; i < images.n; i++) counts[images.labels[i]]++;
  return counts;
}

/**
 * For resizing by area: output pixel o of `to` covers input pixels [o·from/to, (o+1)·from/to); each input pixel's
 * weight is the share of it covered, over the pixels covered (so a 2× reduction averages pairs).
 */
function areaWeights(from: number, to: number): { start: number; weights: number[] }[] {
  const step = from / to;
  return Array.from({ length: to }, (_, o) => {
    const a = o * step;
    const b = a + step;
    const start = Math.floor(a);
    const weights: number[] = [];
    for (let i = start; i < Math.min(from, Math.ceil(b)); i++)
      weights.push((Math.min(b, i + 1) - Math.max(a, i)) / step);
    return { start, weights };
  });
}

/** ITU-R BT.601 luma, as PIL's convert('L') makes grey. */
const luma = (r: number, g: number, b: number) => 0.299 * r + 0.587 * g + 0.114 * b;

/**
 * A kept image (KEPT_SIDE, RGB) at `side` pixels by area averaging, in colour or grey, rounded to bytes, into `out`
 * (side·side·channels bytes, channels last).
 */
export function resizeKept(kept: Uint8Array, side: number, colour: boolean, out: Uint8Array): void {
  const w = areaWeights(KEPT_SIDE, side);
  const channels = colour ? 3 : 1;
  const rgb = [0, 0, 0];
  for (let r = 0; r < side; r++) {
    for (let c = 0; c < side; c++) {
      rgb.fill(0);
      w[r].weights.forEach((wr, dr) => {
        const row = (w[r].start + dr) * KEPT_SIDE;
        w[c].weights.forEach((wc, dc) => {
          const at = (row + w[c].start + dc) * 3;
          for (let k = 0; k < 3; k++) rgb[k] += wr * wc * kept[at + k];
        });
      });
      const o = (r * side + c) * channels;
      if (colour) for (let k = 0; k < 3; k++) out[o + k] = Math.round(rgb[k]);
      else out[o] = Math.round(luma(rgb[0], rgb[1], rgb[2]));
    }
  }
}

/** The images at a spec's size and colour, as an image set whose test part is empty (the spec's splits hold out). */
export function ownImageSet(images: OwnImages, side: number, colour: boolean): ImageSet {
  const channels = colour ? 3 : 1;
  const pixels = side * side * channels;
  const out = new Uint8Array(images.n * pixels);
  for (let i = 0; i < images.n; i++)
    resizeKept(
      images.pixels.subarray(i * KEPT_PIXELS, (i + 1) * KEPT_PIXELS),
      side,
      colour,
      out.subarray(i * pixels, (i + 1) * pixels),
    );
  return {
    height: side,
    width: side,
    channels,
    classes: images.classes.length,
    train: { images: out, labels: images.labels, n: images.n },
    test: { images: new Uint8Array(0), labels: new Uint8Array(0), n: 0 },
  };
}

const MAX_NAME = 200;

/**
 * Kept images read back from storage (or received from elsewhere), checked as untrusted: consistent sizes, labels
 * within the classes, names short, within the limits. The set, or what is wrong with it.
 */
export function checkOwnImages(raw: unknown): OwnImages | string {
  if (typeof raw !== 'object' || raw === null) return 'it is not a set of images';
  const r = raw as Record<string, unknown>;
  const { labels, pixels, n, source, skipped, skippedCount } = r;
  const classes: unknown[] = Array.isArray(r.classes) ? (r.classes as unknown[]) : [];
  const isName = (c: unknown): c is string => typeof c === 'string' && c.length > 0 && c.length <= MAX_NAME;
  if (!Array.isArray(r.classes) || !classes.every(isName)) return 'its class names are not names';
  if (new Set(classes).size !== classes.length) return 'a class is named twice';
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) return 'its count of images is not a count';
  if (!(labels instanceof Uint8Array) || labels.length !== n) return `it has not one label for each of its ${n} images`;
  if (!(pixels instanceof Uint8Array) || pixels.length !== n * KEPT_PIXELS)
    return `its pixels are not ${n} images of ${KEPT_SIDE}×${KEPT_SIDE} in colour`;
  if (labels.some((l) => l >= classes.length)) return `a label is not one of its ${classes.length} classes`;
  const names = classes.filter(isName);
  const problem = ownImagesProblem({ classes: names, labels, n });
  if (problem) return problem;
  return {
    classes: names,
    labels,
    pixels,
    n,
    source: typeof source === 'string' ? source.slice(0, MAX_NAME) : 'your images',
    skipped: Array.isArray(skipped)
      ? skipped
          .filter((s): s is string => typeof s === 'string')
          .slice(0, 5)
          .map((s) => s.slice(0, 300))
      : [],
    skippedCount:
      typeof skippedCount === 'number' && Number.isInteger(skippedCount) && skippedCount >= 0 ? skippedCount : 0,
  };
}

/** Your images as an image-set file (IMG1, kept size, with the class names): what the app downloads for the CLI. */
export function encodeOwnImages(images: OwnImages): Uint8Array {
  return encodeImageSet({
    height: KEPT_SIDE,
    width: KEPT_SIDE,
    channels: 3,
    classes: images.classes.length,
    train: { images: images.pixels, labels: images.labels, n: images.n },
    test: { images: new Uint8Array(0), labels: new Uint8Array(0), n: 0 },
    names: images.classes,
  });
}

/** Your images read back from such a file (decompressed), checked as any kept record; throws with what is wrong. */
export function decodeOwnImages(bytes: Uint8Array, source: string): OwnImages {
  const set = decodeImageSet(bytes, source);
  if (set.height !== KEPT_SIDE || set.width !== KEPT_SIDE || set.channels !== 3 || !set.names || set.test.n > 0)
    throw new Error(
      `${source} is not a file of your images as the app downloads them (64×64 in colour, with class names)`,
    );
  const checked = checkOwnImages({
    classes: set.names,
    labels: set.train.labels,
    pixels: set.train.images,
    n: set.train.n,
    source,
    skipped: [],
    skippedCount: 0,
  });
  if (typeof checked === 'string') throw new Error(`${source}: ${checked}`);
  return checked;
}
