// The augmentation preview: a spec's first training images as a training batch's augmentation changes them.
import * as tf from '@tensorflow/tfjs';
import { buildDataset } from '../data/dataset';
import { augmentRows } from '../engine/augment';
import type { AugmentPreview } from '../engine/types';
import { filesFor } from './datasetFiles';
import type { FromWorker, ToWorker } from './protocol';

/** A spec's first training images before and after its augmentation, on the backend in use (what training does). */
export async function previewAugment(
  msg: Extract<ToWorker, { type: 'augmentPreview' }>,
  post: (message: FromWorker) => void,
): Promise<void> {
  const reply = (preview: AugmentPreview | null, error?: string) =>
    post({ type: 'augmentPreview', runId: -1, requestId: msg.requestId, preview, ...(error ? { error } : {}) });
  try {
    const d = msg.spec.dataset;
    // A few hundred images are enough to show: the full sets are not turned into numbers for this.
    const dataset = buildDataset(
      { ...d, samples: Math.min(d.samples, 500) },
      msg.spec.seed,
      await filesFor(d, msg.data),
    );
    const image = dataset.image;
    if (!image) return reply(null, 'only images are augmented');
    const count = Math.min(msg.count, dataset.train.n, 64);
    const original = dataset.train.x.slice(0, count * dataset.inputDim);
    await tf.ready();
    const rows = tf.tensor2d(original, [count, dataset.inputDim]);
    const out = augmentRows(rows, image, d.augment, msg.seed);
    const augmented = (await out.data()) as Float32Array;
    tf.dispose([rows, out]);
    reply({ ...image, count, original, augmented });
  } catch (e) {
    reply(null, e instanceof Error ? e.message : String(e));
  }
}
