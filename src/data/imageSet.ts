// A set of labelled images with its official training and test parts, in the compact file `npm run datasets` writes
// (gzip-compressed in datasets/): a header of eight little-endian uint32 — the magic "IMG1", training and test
// counts, height, width, channels, classes, 0 — then every label (one byte, training then test) and every image
// (height·width·channels bytes, row by row, channels last, training then test).

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
}

const MAGIC = 0x31474d49; // "IMG1", little-endian
const HEADER_BYTES = 32;

export function encodeImageSet(set: ImageSet): Uint8Array {
  const pixels = set.height * set.width * set.channels;
  const n = set.train.n + set.test.n;
  const out = new Uint8Array(HEADER_BYTES + n + n * pixels);
  const header = new DataView(out.buffer);
  [MAGIC, set.train.n, set.test.n, set.height, set.width, set.channels, set.classes, 0].forEach((v, i) =>
    header.setUint32(4 * i, v, true),
  );
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
  const [magic, nTrain, nTest, height, width, channels, classes] = Array.from({ length: 7 }, (_, i) =>
    view.getUint32(4 * i, true),
  );
  if (magic !== MAGIC) fail('it does not start with IMG1');
  if (!height || !width || (channels !== 1 && channels !== 3)) fail(`its images are ${height}×${width}×${channels}`);
  if (classes < 2 || classes > 255) fail(`it has ${classes} classes`);
  const n = nTrain + nTest;
  const pixels = height * width * channels;
  if (bytes.length !== HEADER_BYTES + n * (1 + pixels))
    fail(`${bytes.length} bytes for ${n} images of ${pixels} bytes and their labels`);
  const labels = bytes.subarray(HEADER_BYTES, HEADER_BYTES + n);
  if (labels.some((l) => l >= classes)) fail(`a label is not one of its ${classes} classes`);
  const images = bytes.subarray(HEADER_BYTES + n);
  return {
    height,
    width,
    channels,
    classes,
    train: { images: images.subarray(0, nTrain * pixels), labels: labels.subarray(0, nTrain), n: nTrain },
    test: { images: images.subarray(nTrain * pixels), labels: labels.subarray(nTrain), n: nTest },
  };
}
