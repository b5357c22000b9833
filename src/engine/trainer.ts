import * as tf from '@tensorflow/tfjs';
import type { ExperimentSpec } from '../experiment/types';
import { Rng } from '../data/rng';
import { createOptimizer, type Optimizer } from './optimizers';
import { optimizerStep, stepSettings, type StepResult } from './step';
import type { ModelCost } from './cost';
import { memoryFigures } from './backend';
import { tuneMatMuls } from './kernels/matMulTuning';
import type { Learner } from './learner';
import { SAMPLE_LENGTH } from './epochPlan';
import { checkMemory, prepareLearner } from './prepareLearner';
import { yieldToEventLoop } from './pacing';
import { checkpointAt, writeSlots, writeWeights } from './checkpoint';
import { epochLoss, explosionMessage, isExploding } from './explosion';
import type {
  AttentionSnapshot,
  ImageLook,
  ImageSource,
  EpochMetrics,
  EpochViews,
  Inspection,
  LoadedFigures,
  RunStatus,
  SamplingSettings,
  TrainingCheckpoint,
} from './types';

import type { Progress, RunEnd, TrainerEvents, TrainerOptions } from './trainerTypes';
import { makeRunPlan, type RunPlan } from './runPlan';
import type { DrawSettings, SampledText } from './sampling';
import {
  diverged,
  gradientNorms,
  groupNorm,
  lossesTensor,
  readLosses,
  type EpochTensors,
  type ReadBack,
} from './epochTensors';

export type { TrainerEvents, TrainerOptions } from './trainerTypes';

/**
 * The one training loop. The data is uploaded once; each batch is gathered on the device;
 * batch losses stay on the device and are read back once per epoch together with the
 * evaluation figures and the boundary grid. Pause, resume, step and stop act between batches.
 */
export class Trainer {
  readonly cost: ModelCost;
  private control: 'run' | 'pause' | 'stop';
  private stepsAllowed = 0;
  private wake: (() => void) | null = null;
  private reported: RunStatus | null = null;
  private learner: Learner | null = null;
  private optimizer: Optimizer | null = null;
  /** The last batch's gradients, kept (not recomputed) for the inspection views. */
  private lastGrads: StepResult['grads'] | null = null;
  /** Makes the model and moves the data to the device (see prepareLearner). */
  private readonly makeLearner: () => Learner;
  /** The latest sampling settings, for a learner made after they changed. */
  private sampling: SamplingSettings | null;
  private readonly resumeFrom: TrainingCheckpoint | null;
  private readonly stopOnExplodingLoss: boolean;
  /** Time spent waiting while paused, which is not training time. */
  private pausedMs = 0;
  /** The last epoch completed (a resumed run starts counting from its checkpoint's). */
  private epochsDone = 0;

  constructor(
    readonly spec: ExperimentSpec,
    private events: TrainerEvents = {},
    options: TrainerOptions = {},
  ) {
    // A kept byte-pair run reads text with the merges it was trained with, not ones learned again.
    const merges = options.resumeFrom?.merges;
    const prepared = prepareLearner(spec, merges ? { ...options, files: { ...options.files, merges } } : options);
    checkMemory(spec, prepared.shape, prepared.cost.params);
    this.cost = prepared.cost;
    this.makeLearner = prepared.make;
    this.sampling = options.sampling ?? null;
    this.control = options.startPaused ? 'pause' : 'run';
    this.resumeFrom = options.resumeFrom ?? null;
    this.stopOnExplodingLoss = options.stopOnExplodingLoss ?? true;
  }

  /**
   * Make the model and optimizer on the device, from the seed or the checkpoint. run() does this
   * first; called alone, it readies a finished run's model for sampling and inspection (then dispose()).
   */
  async load(): Promise<void> {
    if (this.learner) return;
    try {
      const learner = (this.learner = this.makeLearner());
      if (this.sampling) learner.setSampling?.(this.sampling);
      const optimizer = (this.optimizer = createOptimizer(this.spec.training.optimizer, learner.variables));
      const cp = this.resumeFrom;
      if (cp) {
        if (cp.optimizer.kind !== this.spec.training.optimizer.kind) {
          throw new Error(
            `The checkpoint's optimizer is ${cp.optimizer.kind}, but this run's is ${this.spec.training.optimizer.kind}.`,
          );
        }
        writeWeights(learner, cp.weights);
        // A weights file has no optimizer state: the optimizer then starts fresh.
        if (cp.optimizer.slots.length) writeSlots(learner, optimizer, cp.optimizer.slots);
        optimizer.steps = cp.step;
        for (const [name, rng] of Object.entries(learner.rngs ?? {})) if (cp.rng[name]) rng.restore(cp.rng[name]);
      }
    } catch (e) {
      this.disposeAll();
      throw e;
    }
  }

  /** Free the model loaded by load() (run() frees its own when it ends). */
  dispose(): void {
    this.disposeAll();
  }

  /** Halt before the next batch; 'paused' is reported once training has actually halted. */
  pause(): void {
    if (this.control === 'run') this.control = 'pause';
  }

  resume(): void {
    if (this.control !== 'pause') return;
    this.control = 'run';
    this.report('running');
    this.wakeUp();
  }

  /** Run exactly one batch, then stay paused. */
  step(): void {
    if (this.control === 'stop') return;
    if (this.control === 'run') this.pause();
    this.stepsAllowed++;
    this.wakeUp();
  }

  stop(): void {
    this.control = 'stop';
    this.wakeUp();
  }

  private report(status: RunStatus, message?: string): void {
    if (status === this.reported && !message) return;
    this.reported = status;
    this.events.onStatus?.(status, message);
  }

  private wakeUp(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  /** Resolves true when the next batch may run, false when the run must stop. */
  private async gate(): Promise<boolean> {
    for (;;) {
      if (this.control === 'stop') return false;
      if (this.control === 'run') return true;
      if (this.stepsAllowed > 0) {
        this.stepsAllowed--;
        return true;
      }
      this.report('paused');
      const since = performance.now();
      await new Promise<void>((r) => (this.wake = r));
      this.pausedMs += performance.now() - since;
    }
  }

  /** Train to the end (or until stopped or diverged); every tensor made is disposed before it resolves. */
  async run(): Promise<RunStatus> {
    this.report('preparing');
    let status: RunStatus;
    let message: string | undefined;
    try {
      await this.load();
      if (this.events.onInit) {
        this.events.onInit((await Promise.all(this.learner!.variables.map((v) => v.data()))) as Float32Array[]);
      }
      if (this.control === 'run') this.report('running');
      const result = await this.loop();
      status = result.status;
      message = result.message;
      if (status === 'completed') await this.scoreTest();
    } catch (e) {
      status = 'failed';
      message = e instanceof Error ? e.message : String(e);
    } finally {
      // A failed last look must not change how the run ended.
      await this.events.beforeDispose?.().catch(() => {});
      this.disposeAll();
    }
    this.report(status, message);
    return status;
  }

  /**
   * The loop, one epoch at a time: shuffle, train its batches, read its figures back, report them,
   * keep a checkpoint, and decide whether to go on.
   */
  private async loop(): Promise<RunEnd> {
    const { training } = this.spec;
    const plan = makeRunPlan(this.spec, this.learner!, this.optimizer!, this.cost, this.resumeFrom);
    const resumed = this.resumeFrom;
    const progress: Progress = {
      best: { loss: resumed?.best.loss ?? Infinity, epoch: resumed?.best.epoch ?? 0 },
      cumulativeGflop: resumed?.cumulativeGflop ?? 0,
      cumulativeMs: resumed?.cumulativeMs ?? 0,
      startLoss: resumed?.startLoss ?? null,
    };
    const firstEpoch = (resumed?.epoch ?? 0) + 1;
    this.epochsDone = firstEpoch - 1;
    for (let epoch = firstEpoch; epoch <= training.epochs; epoch++) {
      const start = performance.now();
      const pausedBefore = this.pausedMs;
      const order = plan.shuffleRng.permutation(plan.learner.nTrain);
      this.events.onEpochStart?.(epoch, order);
      const made: EpochTensors = { perm: tf.tensor1d(order, 'int32'), losses: [], gradNorms: null };
      try {
        if (epoch === firstEpoch) await this.tuneKernels(plan, made.perm);
        const stopped = await this.trainEpoch(plan, epoch, made);
        if (stopped) return stopped;
        const figures = await this.readBack(plan, made);
        const ms = performance.now() - start - (this.pausedMs - pausedBefore);
        // After the clock stops: a text sample is not part of the epoch's training cost.
        const views = await plan.learner.views(figures.viewValues, epoch);
        progress.cumulativeGflop += plan.flops / 1e9;
        progress.cumulativeMs += ms;
        const bad = [...figures.batchLosses, figures.trainLoss, figures.valLoss].find((v) => !Number.isFinite(v));
        if (bad !== undefined) return diverged(epoch, bad, training.optimizer.learningRate);
        progress.startLoss ??= figures.batchLosses[0] ?? figures.trainLoss;
        this.epochsDone = epoch;
        this.events.onEpoch?.(this.epochMetrics(plan, epoch, figures, ms, progress), views);
        if (figures.valLoss < progress.best.loss) progress.best = { loss: figures.valLoss, epoch };
        if (this.events.onCheckpoint)
          this.events.onCheckpoint(await checkpointAt(plan, epoch, progress, training.optimizer.kind));
        const end = this.endEarly(epoch, figures, progress);
        if (end) return end;
      } finally {
        made.perm.dispose();
        made.gradNorms?.dispose();
        tf.dispose(made.losses.filter((l) => typeof l !== 'number'));
      }
      if (epoch < training.epochs) await this.events.betweenEpochs?.(epoch);
    }
    return { status: 'completed' };
  }

  /**
   * On webgpu: the compiled step's plan is made and its shaders accepted before any step (where it
   * applies); one throwaway pass shows which matmul shapes the run uses, and the fastest shader for each is measured.
   */
  private async tuneKernels(plan: RunPlan, perm: tf.Tensor1D): Promise<void> {
    const { learner } = plan;
    await learner.compiled?.prepare(plan.optimizer, perm, plan.batchSize, this.spec.training);
    // A compiled step trains without tfjs' matmuls: then only the epoch's evaluation uses them.
    const compiled = Boolean(learner.compiled?.dispatchesPerStep);
    await tuneMatMuls(() => {
      if (!compiled)
        tf.variableGrads(() => learner.batchLoss(perm.slice(0, plan.batchSize), () => 0), learner.variables);
      learner.epochTensors();
    });
  }

  /** One optimizer step on batch `b`; returns the batch loss and, when asked, each layer's gradient norm. */
  private trainStep(
    plan: RunPlan,
    perm: tf.Tensor1D,
    b: number,
    withNorms: boolean,
  ): { loss: tf.Scalar | number; norms?: tf.Tensor1D } {
    const { learner, optimizer, batchSize } = plan;
    return tf.tidy(() => {
      const settings = stepSettings(this.spec.training, plan.lrAt(optimizer.steps), plan.dropoutSeed);
      const { loss, grads } = optimizerStep(learner, optimizer, perm, b * batchSize, batchSize, settings);
      this.keepGrads(grads);
      return withNorms ? { loss, norms: gradientNorms(learner, grads) } : { loss };
    });
  }

  /**
   * The epoch's batches, each loss kept on the device in `made`; between batches, pause, step and
   * stop take effect. Returns how the run ended when it ended here (stopped, or diverged while stepping).
   */
  private async trainEpoch(plan: RunPlan, epoch: number, made: EpochTensors): Promise<RunEnd | null> {
    const { batches, pacing } = plan;
    for (let b = 0; b < batches; b++) {
      if (!(await this.gate())) return { status: 'stopped' };
      const stepping = this.control === 'pause';
      const { loss, norms } = this.trainStep(plan, made.perm, b, b === batches - 1);
      made.losses.push(loss);
      made.gradNorms = norms ?? made.gradNorms;
      const looked = this.events.onProgress?.(epoch, b + 1, batches, (first) => readLosses(made.losses.slice(first)));
      if (looked) await looked;
      if (stepping) {
        const value = typeof loss === 'number' ? loss : (await loss.data())[0];
        this.events.onBatch?.({ epoch, batch: b + 1, step: plan.optimizer.steps, loss: value });
        if (!Number.isFinite(value)) return diverged(epoch, value, this.spec.training.optimizer.learningRate);
      } else if (typeof loss !== 'number') await pacing.fence.maybeWait(loss); // a number: nothing is queued
      if (performance.now() - pacing.lastYield > 20) {
        await yieldToEventLoop();
        pacing.lastYield = performance.now();
      }
    }
    return null;
  }

  /** One read-back per epoch: batch losses, evaluation figures, norms and the views' values together, by name. */
  private async readBack(plan: RunPlan, made: EpochTensors): Promise<ReadBack> {
    const { learner, batches } = plan;
    const groups = learner.groups;
    const packed = tf.tidy(() => {
      const { metrics, view } = learner.epochTensors();
      return tf.concat([
        lossesTensor(made.losses),
        metrics,
        tf.stack(groups.map((g) => groupNorm(g.weights))),
        made.gradNorms ?? tf.zeros([groups.length]),
        ...(view ? [view] : []),
      ]);
    });
    const values = (await packed.data()) as Float32Array;
    packed.dispose();
    const [trainLoss, trainAccuracy, valLoss, valAccuracy, valExactMatch] = values.subarray(batches, batches + 5);
    const norms = values.subarray(batches + 5, batches + 5 + 2 * groups.length);
    return {
      batchLosses: Array.from(values.subarray(0, batches)),
      trainLoss,
      trainAccuracy,
      valLoss,
      valAccuracy,
      valExactMatch,
      layers: groups.map((g, i) => ({ name: g.name, weightNorm: norms[i], gradNorm: norms[groups.length + i] })),
      viewValues: values.slice(batches + 5 + 2 * groups.length),
    };
  }

  private epochMetrics(plan: RunPlan, epoch: number, r: ReadBack, ms: number, progress: Progress): EpochMetrics {
    const { learner, optimizer, batches, batchSize } = plan;
    const gflop = plan.flops / 1e9;
    return {
      epoch,
      step: optimizer.steps,
      batchLosses: r.batchLosses,
      trainLoss: r.trainLoss,
      valLoss: r.valLoss,
      trainAccuracy: learner.hasAccuracy ? r.trainAccuracy : null,
      valAccuracy: learner.hasAccuracy ? r.valAccuracy : null,
      valExactMatch: learner.hasExactMatch ? r.valExactMatch : null,
      // Language models only: a record of any other run stays as it was before the figure existed.
      ...(learner.validationBytesPerToken
        ? { valBitsPerByte: r.valLoss / Math.LN2 / learner.validationBytesPerToken }
        : {}),
      ...(learner.compiled?.dispatchesPerStep ? { compiledDispatchesPerStep: learner.compiled.dispatchesPerStep } : {}),
      trainEvaluated: learner.plan.evaluated.train,
      ms,
      examplesPerSec: (batches * batchSize * 1000) / ms,
      gflop,
      gflopPerSec: gflop / (ms / 1000),
      cumulativeGflop: progress.cumulativeGflop,
      cumulativeMs: progress.cumulativeMs,
      learningRate: plan.lrAt(optimizer.steps - 1),
      layers: r.layers,
      ...memoryFigures(),
    };
  }

  /** Whether the run ends after this (kept) epoch: a loss running away, or early stopping. */
  private endEarly(epoch: number, r: ReadBack, progress: Progress): RunEnd | null {
    const { training } = this.spec;
    if (epoch >= training.epochs) return null;
    // Still finite, so the epoch is kept (and resumable), but the run stops until told to go on.
    const judged = epochLoss(r.batchLosses, r.trainLoss);
    if (this.stopOnExplodingLoss && isExploding(progress.startLoss!, judged)) {
      return {
        status: 'exploded',
        message: explosionMessage(epoch, progress.startLoss!, judged, training.optimizer.learningRate),
      };
    }
    const patience = training.earlyStopPatience;
    const { best } = progress;
    if (patience > 0 && epoch - best.epoch >= patience) {
      return {
        status: 'completed',
        message:
          `Stopped early after epoch ${epoch}: the validation loss has not improved for ${patience} ` +
          `epoch${patience === 1 ? '' : 's'} (best ${best.loss.toFixed(4)} at epoch ${best.epoch}).`,
      };
    }
    return null;
  }

  /**
   * The loaded model (see load()) evaluated as an epoch's end evaluates it, and its views, before
   * any training: what a weights file's model scores as it came.
   */
  async evaluateLoaded(): Promise<{ figures: LoadedFigures; views: EpochViews }> {
    const learner = this.learner;
    if (!learner) throw new Error('No model is loaded to evaluate.');
    const packed = tf.tidy(() => {
      const { metrics, view } = learner.epochTensors();
      return tf.concat([metrics, ...(view ? [view] : [])]);
    });
    const values = (await packed.data()) as Float32Array;
    packed.dispose();
    const [trainLoss, trainAccuracy, valLoss, valAccuracy, valExactMatch] = values;
    return {
      figures: {
        trainLoss,
        valLoss,
        trainAccuracy: learner.hasAccuracy ? trainAccuracy : null,
        valAccuracy: learner.hasAccuracy ? valAccuracy : null,
        valExactMatch: learner.hasExactMatch ? valExactMatch : null,
      },
      views: await learner.views(values.slice(5), 0),
    };
  }

  /** Score the test split once with the final weights (it never took part in training or early stopping). */
  private async scoreTest(): Promise<void> {
    const learner = this.learner!;
    const test = await learner.testMetrics();
    if (!test || this.epochsDone === 0) return;
    const [loss, accuracy, exactMatch] = test.values;
    this.events.onTest?.({
      epoch: this.epochsDone,
      examples: test.examples,
      loss,
      accuracy: learner.hasAccuracy ? accuracy : null,
      exactMatch: learner.hasExactMatch ? exactMatch : null,
    });
  }

  /** The last batch's gradients, for a look inside: tensors, or (after a host step) arrays in the variables' order. */
  private keepGrads(grads: StepResult['grads'] | null): void {
    const kept = this.lastGrads;
    if (kept && !Array.isArray(kept) && typeof kept !== 'function') tf.dispose(Object.values(kept));
    this.lastGrads = grads;
    if (grads && !Array.isArray(grads) && typeof grads !== 'function') Object.values(grads).forEach((g) => tf.keep(g));
  }

  /** A look inside the model between batches, where it has one (the MLP); null otherwise or when no run is live. */
  async inspect(exampleIndex: number, resolution = 24): Promise<Inspection | null> {
    const learner = this.learner;
    if (!learner?.inspect || !this.optimizer) return null;
    const kept = this.lastGrads;
    if (!Array.isArray(kept) && typeof kept !== 'function')
      return learner.inspect(exampleIndex, this.optimizer, kept, resolution);
    const grads =
      typeof kept === 'function'
        ? kept()
        : Object.fromEntries(learner.variables.map((v, i) => [v.name, tf.tensor(kept[i], v.shape)]));
    try {
      return await learner.inspect(exampleIndex, this.optimizer, grads, resolution);
    } finally {
      tf.dispose(Object.values(grads));
    }
  }

  /** Text sampled from the language model now, token by token; null when no language model is training. */
  async sample(draw: DrawSettings, prompt: string, seed: number): Promise<SampledText | null> {
    const learner = this.learner;
    return learner?.sample ? learner.sample(SAMPLE_LENGTH, draw, new Rng(seed), prompt) : null;
  }

  /** Language models: the temperature and attention text the next epochs' views use. */
  setSampling(settings: SamplingSettings): void {
    this.learner?.setSampling?.(settings);
    this.sampling = settings;
  }

  /** The transformer's attention for a text now; null when no transformer is training. */
  async attention(text: string): Promise<AttentionSnapshot | null> {
    const learner = this.learner;
    return learner?.attention ? learner.attention(text) : null;
  }

  /** An image model's look at one image now; null when no image model is loaded. */
  async imageLook(source: ImageSource, chosenClass?: number): Promise<ImageLook | null> {
    const learner = this.learner;
    return learner?.imageLook ? learner.imageLook(source, chosenClass) : null;
  }

  private disposeAll(): void {
    this.keepGrads(null);
    this.optimizer?.dispose();
    this.learner?.dispose();
    this.optimizer = null;
    this.learner = null;
  }
}
