// Telling an exploding (finite but runaway) loss from ordinary noise.

/**
 * An epoch's training loss (the larger of its batches' mean and the loss on the training set at
 * its end) counts as exploding when it is both 5× the loss before training and at least 1 above
 * it. A model that learns never gets there; steps that are too large get there within a few
 * epochs (Circle at learning rate 10: SGD 0.7 → 20, Adagrad's first epoch 0.7 → 6.2). The absolute
 * margin keeps a small starting loss (e.g. 0.01 MSE) from tripping on noise. Validation loss is
 * not judged: an overfitting model's may climb far without anything being wrong.
 */
export const EXPLODING_LOSS = { factor: 5, margin: 1 } as const;

export function isExploding(startLoss: number, epochLoss: number): boolean {
  return epochLoss > EXPLODING_LOSS.factor * startLoss && epochLoss > startLoss + EXPLODING_LOSS.margin;
}

/** The loss an epoch is judged by: its batches' mean or its end-of-epoch training loss, whichever is larger. */
export function epochLoss(batchLosses: number[], trainLoss: number): number {
  const mean = batchLosses.length ? batchLosses.reduce((a, b) => a + b, 0) / batchLosses.length : trainLoss;
  return Math.max(mean, trainLoss);
}

/** What happened, and what to try. */
export function explosionMessage(epoch: number, startLoss: number, loss: number, learningRate: number): string {
  const fmt = (v: number) => (Math.abs(v) >= 1e4 ? v.toExponential(2) : v.toPrecision(3));
  return (
    `The loss exploded in epoch ${epoch}: the training loss is ${fmt(loss)}, ${fmt(loss / startLoss)}× its ${fmt(startLoss)} ` +
    'before training, so the steps are too large for this model. Try a learning rate 10× smaller ' +
    `(it is ${learningRate}), clipping the gradient norm (e.g. 1), a warm-up, or Adam instead of SGD. ` +
    'Continue anyway to train on from here.'
  );
}
