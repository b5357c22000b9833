// A plain MLP's whole training step on WebGPU (plan.ts runs it; mlpShaders.ts has its kernels):
// 2L + 2 dispatches for L layers, one more with L1/L2 or clipping.
import type * as tf from '@tensorflow/tfjs';
import type { ClassificationLoss } from '../../experiment/types';
import type { Task } from '../losses';
import type { PlainLayer } from '../mlp';
import type { PerElementUpdate } from '../optimizers';
import { updateKernels, type KernelSource } from './kernels';
import { backwardKernel, forwardKernel, lossKernel, mlpLayout, type MlpLayout } from './mlpShaders';
import { planFits, StepPlan } from './plan';

export interface CompiledMlpSetup {
  layers: PlainLayer[];
  /** The training set on the device: rows of inputs, and each row's target. */
  x: tf.Tensor2D;
  y: tf.Tensor1D;
  /** Rows per step. */
  rows: number;
  task: Task;
  loss: ClassificationLoss;
  update: PerElementUpdate;
  penalty: { l1: number; l2: number };
  clipNorm: number;
}

function layoutOf({ layers, rows }: CompiledMlpSetup): MlpLayout {
  const widths = [layers[0].kernel.shape[0], ...layers.map((l) => l.kernel.shape[1] as number)];
  const activations = layers.map((l, i) => (i === layers.length - 1 ? 'linear' : l.activation));
  const dropout = layers.map((l, i) => (i === layers.length - 1 ? 0 : l.dropout));
  return mlpLayout(
    rows,
    widths,
    activations,
    dropout,
    layers.map((l) => l.residual),
  );
}

function kernelsOf(p: MlpLayout, setup: CompiledMlpSetup): KernelSource[] {
  const layers = setup.layers;
  return [
    ...layers.map((_, l) => forwardKernel(p, l)),
    lossKernel(p, setup.task, setup.loss),
    ...layers.map((_, l) => backwardKernel(p, layers.length - 1 - l)),
    ...updateKernels(p, setup.update.formulas, setup.penalty, setup.clipNorm),
  ];
}

/** Whether the device's limits allow the MLP's plan (plan.ts' planFits), the training set included. */
export function compiledMlpFits(setup: CompiledMlpSetup, permCapacity: number): boolean {
  const p = layoutOf(setup);
  return planFits(kernelsOf(p, setup), [setup.x.size, p.parameters, p.activationFloats, p.maskFloats, permCapacity]);
}

export class CompiledMlpStep extends StepPlan {
  readonly layout: MlpLayout;

  constructor(setup: CompiledMlpSetup, permCapacity: number) {
    const p = layoutOf(setup);
    super({
      kernels: kernelsOf(p, setup),
      parameters: p.parameters,
      activations: p.activationFloats,
      // One seed per layer with dropout, in order, as the tf-op forward pass draws them.
      masks: p.masks.flatMap((at, l) => (at < 0 ? [] : [{ at, size: p.rows * p.widths[l + 1], rate: p.dropout[l] }])),
      // W, then b, layer by layer: [W; b] in each layer's block.
      placed: setup.layers.flatMap((l, i): [tf.Variable, number][] => [
        [l.kernel, p.blocks[i]],
        [l.bias, p.blocks[i] + p.widths[i] * p.widths[i + 1]],
      ]),
      data: { x: setup.x, y: setup.y },
      permCapacity,
      update: setup.update,
    });
    this.layout = p;
  }
}
