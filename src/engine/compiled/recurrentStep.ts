// An LSTM, GRU or vanilla RNN stack's whole training step on WebGPU (plan.ts runs it;
// recurrentShaders.ts has its kernels): 2 dispatches per layer and timestep plus 2 per layer and 5.
import type * as tf from '@tensorflow/tfjs';
import type { RecurrentParts } from '../sequenceModels';
import type { PerElementUpdate } from '../optimizers';
import { updateKernels, type KernelSource } from './kernels';
import {
  headKernel,
  lossKernel,
  projectionKernel,
  recurrentLayout,
  stepForwardKernel,
  type RecurrentLayout,
} from './recurrentShaders';
import {
  embeddingGradientKernel,
  headBackwardKernel,
  layerGradientsKernel,
  stepBackwardKernel,
} from './recurrentBackward';
import { planFits, StepPlan } from './plan';

export interface CompiledRecurrentSetup {
  model: RecurrentParts;
  /** The training set on the device: token ids [n, time] (int32), or a series' values [n, time]. */
  x: tf.Tensor2D;
  /** Next tokens [n, time] (int32), or a series' next value [n]. */
  y: tf.Tensor;
  /** Which targets count [n, time]; null: all. */
  mask: tf.Tensor2D | null;
  /** Sequences per step. */
  batch: number;
  update: PerElementUpdate;
  penalty: { l1: number; l2: number };
  clipNorm: number;
}

function layoutOf({ model, x, batch }: CompiledRecurrentSetup): RecurrentLayout {
  return recurrentLayout({
    cell: model.cell,
    batch,
    time: x.shape[1],
    vocab: model.embedding ? model.embedding.shape[0] : null,
    embedding: model.embedding ? (model.embedding.shape[1] as number) : 1,
    layers: model.layers.map((l) => ({ units: l.wh.shape[0], dropout: l.dropout })),
  });
}

function kernelsOf(p: RecurrentLayout, setup: CompiledRecurrentSetup): KernelSource[] {
  const layers = p.units.map((_, l) => l);
  const down = [...layers].reverse();
  return [
    ...layers.flatMap((l) => [projectionKernel(p, l), stepForwardKernel(p, l)]),
    headKernel(p),
    lossKernel(p, setup.mask !== null),
    headBackwardKernel(p),
    ...down.flatMap((l) => [stepBackwardKernel(p, l), layerGradientsKernel(p, l)]),
    ...(p.vocab ? [embeddingGradientKernel(p)] : []),
    ...updateKernels(p, setup.update.formulas, setup.penalty, setup.clipNorm),
  ];
}

/** Whether the device's limits allow the plan (plan.ts' planFits), the training set included. */
export function compiledRecurrentFits(setup: CompiledRecurrentSetup, permCapacity: number): boolean {
  const p = layoutOf(setup);
  return planFits(kernelsOf(p, setup), [setup.x.size, p.parameters, p.activationFloats, p.maskFloats, permCapacity]);
}

export class CompiledRecurrentStep extends StepPlan {
  readonly layout: RecurrentLayout;

  constructor(setup: CompiledRecurrentSetup, permCapacity: number) {
    const p = layoutOf(setup);
    const { model } = setup;
    const placed: [tf.Variable, number][] = model.embedding ? [[model.embedding, p.embeddingAt]] : [];
    model.layers.forEach((l, i) => {
      const gates = l.wh.shape[1] as number;
      placed.push([l.wx, p.xBlock[i]], [l.bx, p.xBlock[i] + p.inputs[i] * gates], [l.wh, p.hBlock[i]]);
      if (l.bh) placed.push([l.bh, p.hBlock[i] + p.units[i] * gates]);
    });
    placed.push([model.head, p.headBlock], [model.headBias, p.headBlock + p.units[p.units.length - 1] * p.outputs]);
    const data = p.vocab
      ? { tokens: setup.x, targets: setup.y, ...(setup.mask ? { targetMask: setup.mask } : {}) }
      : { x: setup.x, y: setup.y };
    super({
      kernels: kernelsOf(p, setup),
      parameters: p.parameters,
      activations: p.activationFloats,
      // One seed per layer with dropout, in order, as the tf-op forward pass draws them.
      masks: p.masks.flatMap((at, l) => (at < 0 ? [] : [{ at, size: p.rows * p.units[l], rate: p.dropout[l] }])),
      placed,
      data,
      permCapacity,
      update: setup.update,
    });
    this.layout = p;
  }
}
