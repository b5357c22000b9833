// Reading a run's whole state off the device at an epoch's end, and putting it back.
import * as tf from '@tensorflow/tfjs';
import type { RngState } from '../data/rng';
import type { OptimizerKind } from '../experiment/types';
import type { Learner } from './learner';
import type { Optimizer } from './optimizers';
import type { TensorData, TrainingCheckpoint } from './types';
import type { RunPlan } from './runPlan';
import type { Progress } from './trainerTypes';
import { tensorMismatch } from './tensorData';

interface Named {
  name: string;
  tensor: tf.Tensor;
}

/** The weights, then the buffers (BatchNorm's running statistics): what a weights file holds. */
function weightsOf(learner: Learner): Named[] {
  return [
    ...learner.variables.map((v, i) => ({ name: learner.parameterNames[i], tensor: v as tf.Tensor })),
    ...(learner.buffers ?? []).map((b) => ({ name: b.name, tensor: b.variable as tf.Tensor })),
  ];
}

/** Every slot of every variable that has it (Muon's momentum is on matrices, AdamW's m and v on the rest). */
function slotsOf(learner: Learner, optimizer: Optimizer): Named[] {
  return Object.entries(optimizer.slots).flatMap(([slot, byVariable]) =>
    learner.variables.flatMap((v, i) => {
      const tensor = byVariable.get(v.name);
      return tensor ? [{ name: `${slot}.${learner.parameterNames[i]}`, tensor }] : [];
    }),
  );
}

/** Weights and optimizer slots as plain data, read back in one transfer (one sync on GPU backends). */
export async function readState(
  learner: Learner,
  optimizer: Optimizer | null,
): Promise<{ weights: TensorData[]; slots: TensorData[] }> {
  const weights = weightsOf(learner);
  const all = [...weights, ...(optimizer ? slotsOf(learner, optimizer) : [])];
  const flat = tf.tidy(() => tf.concat(all.map((e) => e.tensor.reshape([-1]))));
  const values = (await flat.data()) as Float32Array;
  flat.dispose();
  let offset = 0;
  const data = all.map((e) => {
    const out = { name: e.name, shape: e.tensor.shape.slice(), values: values.slice(offset, offset + e.tensor.size) };
    offset += e.tensor.size;
    return out;
  });
  return { weights: data.slice(0, weights.length), slots: data.slice(weights.length) };
}

/** Assign stored values to the tensors they name; throws naming the first tensor that does not fit. */
function assign(targets: Named[], data: readonly TensorData[], what: string): void {
  const problem = tensorMismatch(
    targets.map((t) => ({ name: t.name, shape: t.tensor.shape })),
    data,
  );
  if (problem) throw new Error(`The ${what} do not fit this model: ${problem}.`);
  const byName = new Map(data.map((d) => [d.name, d]));
  for (const t of targets) {
    const d = byName.get(t.name)!;
    tf.tidy(() => (t.tensor as tf.Variable).assign(tf.tensor(d.values, d.shape)));
  }
}

export function writeWeights(learner: Learner, weights: readonly TensorData[]): void {
  assign(weightsOf(learner), weights, 'weights');
}

export function writeSlots(learner: Learner, optimizer: Optimizer, slots: readonly TensorData[]): void {
  assign(slotsOf(learner, optimizer), slots, 'optimizer state');
}

/** The run's whole state at the end of `epoch`: what a resumed run starts from. */
export async function checkpointAt(
  plan: RunPlan,
  epoch: number,
  progress: Progress,
  optimizerKind: OptimizerKind,
): Promise<TrainingCheckpoint> {
  const { learner, optimizer } = plan;
  const { weights, slots } = await readState(learner, optimizer);
  const rng: Record<string, RngState> = { shuffle: plan.shuffleRng.save(), dropout: plan.dropoutRng.save() };
  for (const [name, r] of Object.entries(learner.rngs ?? {})) rng[name] = r.save();
  const { best, cumulativeGflop, cumulativeMs, startLoss } = progress;
  return {
    epoch,
    step: optimizer.steps,
    weights,
    optimizer: { kind: optimizerKind, slots },
    rng,
    best: { loss: Number.isFinite(best.loss) ? best.loss : null, epoch: best.epoch },
    cumulativeGflop,
    cumulativeMs,
    startLoss,
    // A copy: the page takes the checkpoint's arrays, and the learner goes on using its own.
    ...(learner.merges ? { merges: learner.merges.slice() } : {}),
  };
}
