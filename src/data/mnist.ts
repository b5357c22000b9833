// MNIST digits from the shipped files (datasets/mnist-*.u8, built by scripts/build-datasets.ts).
import { Rng } from './rng';

export const MNIST_SIDE = 28;
export const MNIST_PIXELS = MNIST_SIDE * MNIST_SIDE;

export interface MnistSet {
  /** n × 784 grey levels in [0, 1]. */
  x: Float32Array;
  /** Digit 0–9 per image. */
  y: Float32Array;
  n: number;
}

/** Read the shipped bytes; throws with a clear message if the files do not belong together. */
export function parseMnist(
  images: Uint8Array,
  labels: Uint8Array,
): { images: Uint8Array; labels: Uint8Array; n: number } {
  if (images.length !== labels.length * MNIST_PIXELS) {
    throw new Error(
      `MNIST files do not match: ${images.length} image bytes for ${labels.length} labels (expected ${labels.length * MNIST_PIXELS})`,
    );
  }
  if (labels.some((l) => l > 9)) throw new Error('MNIST labels must be digits 0–9');
  return { images, labels, n: labels.length };
}

/**
 * Shuffle by seed and split into train and validation; `samples` limits the total used
 * (smaller runs train faster), and the split keeps whole images.
 */
export function splitMnist(
  data: { images: Uint8Array; labels: Uint8Array; n: number },
  samples: number,
  validationSplit: number,
  seed: number,
): { train: MnistSet; validation: MnistSet } {
  const order = new Rng(seed).permutation(data.n).subarray(0, Math.min(samples, data.n));
  const nVal = Math.round(order.length * validationSplit);
  const take = (idx: Int32Array): MnistSet => {
    const x = new Float32Array(idx.length * MNIST_PIXELS);
    const y = new Float32Array(idx.length);
    idx.forEach((k, i) => {
      for (let p = 0; p < MNIST_PIXELS; p++) x[i * MNIST_PIXELS + p] = data.images[k * MNIST_PIXELS + p] / 255;
      y[i] = data.labels[k];
    });
    return { x, y, n: idx.length };
  };
  return { validation: take(order.subarray(0, nVal)), train: take(order.subarray(nVal)) };
}
