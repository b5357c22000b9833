// A training batch of images changed as the spec's augmentation asks, on the device: one projective transform per
// image (bilinear, zero outside the image), its parameters drawn from the run's seeded stream.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../data/rng';
import { drawChanges, inverseMap } from '../data/augment';
import type { AugmentSpec } from '../experiment/types';
import type { ImageShape } from '../experiment/cnn';

/** Rows of images [n, h·w·c] as augmented rows of the same shape. */
export function augmentRows(rows: tf.Tensor2D, image: ImageShape, augment: AugmentSpec, seed: number): tf.Tensor2D {
  const n = rows.shape[0];
  const changes = drawChanges(new Rng(seed), n, augment);
  return tf.tidy(() => {
    const images = rows.reshape([n, image.height, image.width, image.channels]) as tf.Tensor4D;
    const maps = tf.tensor2d(
      changes.flatMap((c) => inverseMap(c, image)),
      [n, 8],
    );
    return tf.image.transform(images, maps, 'bilinear', 'constant', 0).reshape([n, -1]) as tf.Tensor2D;
  });
}
