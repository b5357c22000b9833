// A set of labelled images with its official training and test parts, in the compact file `npm run datasets` writes
// (gzip-compressed in datasets/) and the app downloads for your own images: a header of eight little-endian uint32 —
// the magic "IMG1", training and test counts, height, width, channels, classes, and the bytes of the class names
// (0: none) — then every label (one byte, training then test), every image (height·width·channels bytes, row by
// row, channels last, training then test), and the class names as a JSON list of strings (UTF-8).

export interface ImagePart {
  /** n images, one after another, height·width·channels bytes each (0–255). */
  images: Uint8Array;
  labels: Uint8Array;
  n: number;
}

export interface ImageSet {
  height: number;
  width: number;
  channels: number;
  classes: number;
  train: ImagePart;
  test: ImagePart;
  /** The classes' names, when the file has them (your own images: their folders). */
  names?: string[];
}

const MAGIC = 0x31474d49; // "IMG1", little-endian
const HEADER_BYTES = 32;

export function encodeImageSet(set: ImageSet): Uint8Array {
  const pixels = set.height * set.width * set.channels;
  const n = set.train.n + set.test.n;
  const names = set.names ? new TextEncoder().encode(JSON.stringify(set.names)) : new Uint8Array(0);
  const out = new Uint8Array(HEADER_BYTES + n + n * pixels + names.length);
  const header = new DataView(out.buffer);
  [MAGIC, set.train.n, set.test.n, set.height, set.width, set.channels, set.classes, names.length].forEach((v, i) =>
    header.setUint32(4 * i, v, true),
  );
  out.set(names, HEADER_BYTES + n + n * pixels);
  out.set(set.train.labels, HEADER_BYTES);
  out.set(set.test.labels, HEADER_BYTES + set.train.n);
  out.set(set.train.images, HEADER_BYTES + n);
  out.set(set.test.images, HEADER_BYTES + n + set.train.n * pixels);
  return out;
}

/** Read an image-set file (decompressed); throws with what is wrong when it is not one. */
export function decodeImageSet(bytes: Uint8Array, name: string): ImageSet {
  const fail = (why: string): never => {
    throw new Error(`${name} is not a readable image set: ${why}`);
  };
  if (bytes.length < HEADER_BYTES) fail('it is shorter than its header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES);
  const [magic, nTrain, nTest, height, width, channels, classes, namesBytes] = Array.from({ length: 8 }, (_, i) =>
    view.getUint32(4 * i, true),
  );
  if (magic !== MAGIC) fail('it does not start with IMG1');
  if (!height || !width || (channels !== 1 && channels !== 3)) fail(`its images are ${height}×${width}×${channels}`);
  if (classes < 2 || classes > 255) fail(`it has ${classes} classes`);
  const n = nTrain + nTest;
  const pixels = height * width * channels;
  if (bytes.length !== HEADER_BYTES + n * (1 + pixels) + namesBytes)
    fail(
      `${bytes.length} bytes for ${n} images of ${pixels} bytes and their labels${namesBytes ? ` and ${namesBytes} bytes of class names` : ''}`,
    );
  const labels = bytes.subarray(HEADER_BYTES, HEADER_BYTES + n);
  if (labels.some((l) => l >= classes)) fail(`a label is not one of its ${classes} classes`);
  const images = bytes.subarray(HEADER_BYTES + n, HEADER_BYTES + n + n * pixels);
  const names = namesBytes ? readNames(bytes.subarray(bytes.length - namesBytes), classes) : undefined;
  if (names === null) fail(`its class names are not a list of ${classes} names`);
  return {
    ...(names ? { names } : {}),
    height,
    width,
    channels,
    classes,
    train: { images: images.subarray(0, nTrain * pixels), labels: labels.subarray(0, nTrain), n: nTrain },
    test: { images: images.subarray(nTrain * pixels), labels: labels.subarray(nTrain), n: nTest },
  };
}

/** The class names at a file's end: a JSON list of `classes` distinct strings; null when they are not. */
function readNames(bytes: Uint8Array, classes: number): string[] | null {
  let names: unknown;
  try {
    names = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return null;
  }
  return Array.isArray(names) &&
    names.length === classes &&
    names.every((n) => typeof n === 'string' && n.length > 0 && n.length <= 200) &&
    new Set(names).size === classes
    ? (names as string[])
    : null;
}
