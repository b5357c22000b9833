// The loss at an MLP's output and its derivative in the output layer's pre-activations z, for one
// example, in plain JavaScript: shared by the host step (kernels/mlpHost.ts, a batch row by row)
// and step mode's backprop by hand (backprop.ts). The tf-op form is losses.ts; tests hold them equal.
import type { ClassificationLoss } from '../experiment/types';
import type { Task } from './losses';

/**
 * For the row of outputs out[at … at+classes): returns the row's loss and writes dL/dz, times
 * `scale` (1/rows for a batch mean), in place of the outputs. PyTorch's definitions:
 * - binary, cross-entropy: BCE with logits, dL/dz = σ(z) − y;
 * - binary, MSE: (σ(z) − y)², dL/dz = 2(σ − y)·σ(1 − σ);
 * - classes, cross-entropy: −log softmax(z)_y, dL/dz = softmax(z) − onehot(y);
 * - classes, MSE: F.mse_loss(softmax(z), onehot(y)), the mean over the classes, so
 *   dL/dp_k = 2(p_k − t_k)/C and dL/dz_j = p_j·(dL/dp_j − Σ_k p_k·dL/dp_k);
 * - regression: (z − y)², dL/dz = 2(z − y).
 */
export function outputLossGradient(
  task: Task,
  loss: ClassificationLoss,
  out: Float64Array | number[],
  at: number,
  classes: number,
  y: number,
  scale: number,
): number {
  if (task === 'regression') {
    const d = out[at] - y;
    out[at] = 2 * d * scale;
    return d * d;
  }
  if (task === 'binary') {
    const z = out[at];
    const p = 1 / (1 + Math.exp(-z));
    if (loss === 'mse') {
      out[at] = 2 * (p - y) * p * (1 - p) * scale;
      return (p - y) ** 2;
    }
    out[at] = (p - y) * scale;
    return Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z)));
  }
  let max = -Infinity;
  for (let k = 0; k < classes; k++) max = Math.max(max, out[at + k]);
  let sum = 0;
  for (let k = 0; k < classes; k++) sum += Math.exp(out[at + k] - max);
  const logSumExp = max + Math.log(sum);
  if (loss === 'crossEntropy') {
    const value = logSumExp - out[at + y];
    for (let k = 0; k < classes; k++) out[at + k] = (Math.exp(out[at + k] - logSumExp) - (k === y ? 1 : 0)) * scale;
    return value;
  }
  let value = 0;
  let weighted = 0; // Σ_k p_k·dL/dp_k
  for (let k = 0; k < classes; k++) {
    const p = Math.exp(out[at + k] - logSumExp);
    const d = p - (k === y ? 1 : 0);
    value += d * d;
    weighted += (p * 2 * d) / classes;
  }
  for (let k = 0; k < classes; k++) {
    const p = Math.exp(out[at + k] - logSumExp);
    const dp = (2 * (p - (k === y ? 1 : 0))) / classes;
    out[at + k] = p * (dp - weighted) * scale;
  }
  return value / classes;
}
