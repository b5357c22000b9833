// A learner's compiled step over a run (mlpStep.ts, recurrentStep.ts make the plans): made at
// the first step it can take, kept while the optimizer and the settings stay, made anew when they
// change, and given up for the run when the GPU rejects its shaders (tf ops take its place).
import * as tf from '@tensorflow/tfjs';
import type { Optimizer, PerElementUpdate } from '../optimizers';
import { fastPathsOn } from '../kernels/tfjsInternals';
import { compiledStepsEnabled, type StepPlan } from './plan';

export interface CompiledSettings {
  l1: number;
  l2: number;
  clipNorm: number;
}

/** A plan for steps of `count` rows; null where the device's limits do not allow it. */
export type PlanMaker = (update: PerElementUpdate, count: number, settings: CompiledSettings) => StepPlan | null;

export class CompiledSteps {
  private kept: { plan: StepPlan; optimizer: Optimizer; key: string } | null = null;
  /** Why the compiled step stopped for this learner (the GPU rejected a shader); null while it may run. */
  private off: string | null = null;
  /** The settings whose plan would not fit the device. */
  private unfit: string | null = null;

  /** `modelSuits`: whether the learner's model and data can take a compiled step at all. */
  constructor(
    private readonly trainingRows: number,
    private readonly modelSuits: () => boolean,
    private readonly make: PlanMaker,
  ) {}

  /** One step through the plan (the optimizer's next); null where the step goes through tf ops. */
  step(
    optimizer: Optimizer,
    rows: tf.Tensor1D,
    from: number,
    count: number,
    settings: CompiledSettings & { lr: number; dropoutSeed: () => number },
  ): { loss: tf.Scalar; grads: () => tf.NamedTensorMap } | null {
    const plan = this.planFor(optimizer, rows, count, settings);
    if (!plan) return null;
    const t = optimizer.steps + 1;
    const loss = plan.step(rows, from, settings.lr, t, settings.dropoutSeed);
    optimizer.steps = t;
    return { loss, grads: () => plan.gradients() };
  }

  /** Make the plan before a run's first step and wait until the GPU has judged its shaders. */
  async prepare(optimizer: Optimizer, rows: tf.Tensor1D, count: number, settings: CompiledSettings): Promise<void> {
    const plan = this.planFor(optimizer, rows, count, settings);
    if (!plan) return;
    await plan.checked;
    this.planFor(optimizer, rows, count, settings); // turns the compiled step off if the GPU said no
  }

  get dispatchesPerStep(): number | null {
    return this.kept?.plan.dispatchesPerStep ?? null;
  }

  private planFor(optimizer: Optimizer, rows: tf.Tensor1D, count: number, settings: CompiledSettings): StepPlan | null {
    const update = optimizer.perElement;
    const suits =
      compiledStepsEnabled() &&
      tf.getBackend() === 'webgpu' &&
      fastPathsOn() &&
      update !== null &&
      rows.size <= this.trainingRows &&
      this.modelSuits();
    const { kept } = this;
    if (!suits && !kept) return null; // cpu and wasm: nothing more to look at, every step
    const key = `${count}|${settings.l1}|${settings.l2}|${settings.clipNorm}`;
    if (kept?.plan.failure && !this.off) {
      this.off = kept.plan.failure;
      console.warn(`The compiled WebGPU step is off for this run, tf ops take its place: ${kept.plan.failure}`);
    }
    if (kept && (!suits || kept.optimizer !== optimizer || kept.key !== key || this.off)) {
      kept.plan.dispose(); // the variables hold every step it took: a plan made later starts from them
      this.kept = null;
    }
    if (!suits || this.off || update === null) return null;
    if (!this.kept) {
      if (this.unfit === key) return null;
      const plan = this.make(update, count, settings);
      if (!plan) {
        this.unfit = key;
        return null;
      }
      this.kept = { plan, optimizer, key };
    }
    return this.kept.plan;
  }

  dispose(): void {
    this.kept?.plan.dispose();
    this.kept = null;
  }
}
