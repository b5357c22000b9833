import * as tf from '@tensorflow/tfjs';
import type { BackendName, ExperimentSpec } from '../spec/types';
import { deriveSeed, Rng, type RngState } from '../data/rng';
import { buildDataset, type DatasetFiles } from '../data/dataset';
import { buildSequenceDataset } from '../data/sequenceDataset';
import { weightPenalty } from './losses';
import { clipByGlobalNorm, createOptimizer, type Optimizer } from './optimizers';
import { learningRateAt } from './schedule';
import { epochFlops, optimizerSwitchFlops, type ModelCost } from './cost';
import { batchesPerEpoch, type ProblemShape } from '../data/shapes';
import { estimateMemory, MEMORY_BUDGET, memoryProblem } from './memoryEstimate';
import { memoryFigures } from './backend';
import { tuneMatMuls } from './kernels/matMulTuning';
import type { Learner } from './learner';
import { TabularLearner } from './learners/tabular';
import { SAMPLE_LENGTH, SequenceLearner, type SamplingOptions } from './learners/sequence';
import { readState, writeSlots, writeWeights } from './checkpoint';
import { epochLoss, explosionMessage, isExploding } from './explosion';
import type { AttentionSnapshot, BatchReport, EpochMetrics, EpochViews, Inspection, RunStatus, TestResult, TrainingCheckpoint } from './types';

export interface TrainerEvents {
  onEpoch?(metrics: EpochMetrics, views: EpochViews): void;
  /** Sent for batches run one at a time with step(). */
  onBatch?(report: BatchReport): void;
  onStatus?(status: RunStatus, message?: string): void;
  /** The initial weights, read back only when this is given (for inspection and tests). */
  onInit?(weights: Float32Array[]): void;
  /** The shuffled order of training examples an epoch uses. */
  onEpochStart?(epoch: number, order: Int32Array): void;
  /** Once the run has ended, before its tensors are freed: a last chance to inspect it. */
  beforeDispose?(): Promise<void>;
  /** The whole state at the end of each epoch (read back only when this is given), to resume from. */
  onCheckpoint?(checkpoint: TrainingCheckpoint): void;
  /** The test split's score, once, when a run completes (only when the spec holds out a test split). */
  onTest?(result: TestResult): void;
  /** After every batch trained: how far the epoch has come (for progress bars). */
  onProgress?(epoch: number, batch: number, batches: number): void;
}

export interface TrainerOptions {
  /** Side of the square prediction grid for the decision boundary; 0 turns it off. */
  boundaryResolution?: number;
  /** Start paused, so the first step() runs exactly one batch. */
  startPaused?: boolean;
  /** The data files the dataset needs (MNIST, names, speeches, the user's text). */
  files?: DatasetFiles;
  /** Language models: the temperature of each epoch's sample and the text whose attention is shown. */
  sampling?: SamplingOptions;
  /** Continue from this state (the end of an epoch) instead of from the seed's initial weights. */
  resumeFrom?: TrainingCheckpoint;
  /** Stop with status 'exploded' when the loss runs away while staying finite (default true). */
  stopOnExplodingLoss?: boolean;
}

/**
 * The dataset, built now (so bad data fails fast), with the model's cost, and a function that
 * makes the learner (model and data on the device) when training starts.
 */
export function prepareLearner(spec: ExperimentSpec, options: TrainerOptions = {}): { cost: ModelCost; shape: ProblemShape; make: () => Learner } {
  if (spec.model.kind === 'mlp') {
    const ds = buildDataset(spec.dataset, spec.seed, options.files);
    return {
      cost: TabularLearner.costOf(spec, ds), shape: { kind: 'tabular', inputDim: ds.inputDim, outputDim: ds.outputDim },
      make: () => new TabularLearner(spec, ds, options.boundaryResolution ?? 0),
    };
  }
  const ds = buildSequenceDataset(spec.dataset, spec.seed, options.files);
  return {
    cost: SequenceLearner.costOf(spec, ds), shape: { kind: 'sequence', vocab: ds.vocab?.length ?? null, length: ds.length },
    make: () => new SequenceLearner(spec, ds, options.sampling),
  };
}

/**
 * Refuse, before anything is allocated, a run that would not fit the active backend (a wasm abort
 * or a lost WebGPU device takes every later run in the tab with it).
 */
function checkMemory(spec: ExperimentSpec, shape: ProblemShape, params: number): void {
  const backend = tf.getBackend() as BackendName;
  if (!(backend in MEMORY_BUDGET)) return;
  const problem = memoryProblem(spec, estimateMemory(spec, shape, params), backend);
  if (problem) throw new Error(`This run ${problem}.`);
}

/** Let queued messages (pause, stop…) run; setImmediate in Node, a MessageChannel in workers. */
function yieldToEventLoop(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((r) => setImmediate(r));
  return new Promise((r) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      ch.port1.close();
      r();
    };
    ch.port2.postMessage(null);
  });
}

/**
 * On GPU backends the loop only queues work, so JavaScript can run a whole epoch ahead of the
 * device, and a pause would wait for all of it. Now and then we wait for the latest batch's loss
 * (4 bytes): often while the device lags (waits are long), rarely when it keeps up, so the
 * queue stays short without a read-back per batch on fast devices.
 */
class GpuFence {
  private interval = 1;
  private sinceLast = 0;

  async maybeWait(latest: tf.Tensor): Promise<void> {
    if (++this.sinceLast < this.interval) return;
    this.sinceLast = 0;
    const start = performance.now();
    await latest.data();
    const waited = performance.now() - start;
    this.interval = waited > 30 ? Math.max(1, this.interval >> 1) : Math.min(64, this.interval * 2);
  }
}

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
  private lastGrads: tf.NamedTensorMap | null = null;
  /** Makes the model and moves the data to the device (see prepareLearner). */
  private readonly makeLearner: () => Learner;
  private readonly resumeFrom: TrainingCheckpoint | null;
  private readonly stopOnExplodingLoss: boolean;
  /** Time spent waiting while paused, which is not training time. */
  private pausedMs = 0;
  /** The last epoch completed (a resumed run starts counting from its checkpoint's). */
  private epochsDone = 0;

  constructor(readonly spec: ExperimentSpec, private events: TrainerEvents = {}, options: TrainerOptions = {}) {
    const prepared = prepareLearner(spec, options);
    checkMemory(spec, prepared.shape, prepared.cost.params);
    this.cost = prepared.cost;
    this.makeLearner = prepared.make;
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
      const optimizer = (this.optimizer = createOptimizer(this.spec.training.optimizer, learner.variables));
      const cp = this.resumeFrom;
      if (cp) {
        if (cp.optimizer.kind !== this.spec.training.optimizer.kind) {
          throw new Error(`The checkpoint's optimizer is ${cp.optimizer.kind}, but this run's is ${this.spec.training.optimizer.kind}.`);
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
    let status: RunStatus = 'completed';
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

  private async loop(): Promise<{ status: RunStatus; message?: string }> {
    const { spec } = this;
    const { training } = spec;
    const learner = this.learner!;
    const optimizer = this.optimizer!;
    const resumed = this.resumeFrom;
    const shuffleRng = new Rng(deriveSeed(spec.seed, 'shuffle'));
    const dropoutRng = new Rng(deriveSeed(spec.seed, 'dropout'));
    if (resumed?.rng.shuffle) shuffleRng.restore(resumed.rng.shuffle);
    if (resumed?.rng.dropout) dropoutRng.restore(resumed.rng.dropout);
    const dropoutSeed = () => Math.floor(dropoutRng.next() * 2 ** 31);
    const groups = learner.groups;
    const kernels = groups.flatMap((g) => g.weights);
    // L2 norm of a group of matrices (or their gradients).
    const groupNorm = (tensors: tf.Tensor[]) => tf.addN(tensors.map((t) => t.square().sum())).sqrt();
    // Fixed batch shape: the ragged tail of each shuffled epoch is dropped (it differs every epoch).
    const batchSize = training.batchSize;
    const nTrain = learner.nTrain;
    const batches = batchesPerEpoch(nTrain, batchSize);
    const flops = epochFlops(this.cost, {
      batches, batchSize,
      evalExamples: learner.evalExamples,
      optimizer: training.optimizer.kind,
      extraPerParam: (training.l1 > 0 || training.l2 > 0 ? 3 : 0) + (training.optimizer.weightDecay > 0 ? 2 : 0)
        + (training.clipNorm > 0 ? 3 : 0) + optimizerSwitchFlops(training.optimizer),
    });
    const clock = { stepsPerEpoch: batches, epochs: training.epochs };
    const lrAt = (step: number) => learningRateAt(training.schedule, training.optimizer.learningRate, step, clock);
    let best = { loss: resumed?.best.loss ?? Infinity, epoch: resumed?.best.epoch ?? 0 };
    let cumulativeGflop = resumed?.cumulativeGflop ?? 0;
    let cumulativeMs = resumed?.cumulativeMs ?? 0;
    // The loss before training, which an exploding loss is judged against: the run's first batch.
    let startLoss = resumed?.startLoss ?? null;
    const firstEpoch = (resumed?.epoch ?? 0) + 1;
    this.epochsDone = firstEpoch - 1;
    /** The state now, at the end of `epoch`: what a resumed run starts from. */
    const checkpoint = async (epoch: number): Promise<TrainingCheckpoint> => {
      const { weights, slots } = await readState(learner, optimizer);
      const rng: Record<string, RngState> = { shuffle: shuffleRng.save(), dropout: dropoutRng.save() };
      for (const [name, r] of Object.entries(learner.rngs ?? {})) rng[name] = r.save();
      return {
        epoch, step: optimizer.steps, weights, optimizer: { kind: training.optimizer.kind, slots }, rng,
        best: { loss: Number.isFinite(best.loss) ? best.loss : null, epoch: best.epoch }, cumulativeGflop, cumulativeMs, startLoss,
      };
    };
    let lastYield = performance.now();
    const fence = new GpuFence();

    /** One optimizer step; returns the batch loss and, when asked, each kernel's gradient norm. */
    const trainStep = (perm: tf.Tensor1D, b: number, withNorms: boolean): { loss: tf.Scalar; norms?: tf.Tensor1D } =>
      tf.tidy(() => {
        const idx = perm.slice(b * batchSize, batchSize);
        const { value, grads } = tf.variableGrads(() => {
          const loss = learner.batchLoss(idx, dropoutSeed);
          const penalty = weightPenalty(kernels, training.l1, training.l2);
          return penalty ? loss.add(penalty) : loss;
        }, learner.variables);
        optimizer.step(training.clipNorm > 0 ? clipByGlobalNorm(grads, training.clipNorm) : grads, lrAt(optimizer.steps));
        this.keepGrads(grads);
        if (!withNorms) return { loss: value };
        return { loss: value, norms: tf.stack(groups.map((g) => groupNorm(g.weights.map((w) => grads[w.name])))) as tf.Tensor1D };
      });

    for (let epoch = firstEpoch; epoch <= training.epochs; epoch++) {
      const start = performance.now();
      const pausedBefore = this.pausedMs;
      const order = shuffleRng.permutation(nTrain);
      this.events.onEpochStart?.(epoch, order);
      const perm = tf.tensor1d(order, 'int32');
      const losses: tf.Scalar[] = [];
      let gradNorms: tf.Tensor1D | null = null;
      try {
        // On webgpu: one throwaway pass shows which matmul shapes the run uses, and the fastest
        // shader for each is measured (part of the first epoch's warm-up).
        if (epoch === firstEpoch) {
          await tuneMatMuls(() => {
            tf.variableGrads(() => learner.batchLoss(perm.slice(0, batchSize), () => 0), learner.variables);
            learner.epochTensors();
          });
        }
        for (let b = 0; b < batches; b++) {
          if (!(await this.gate())) return { status: 'stopped' };
          const stepping = this.control === 'pause';
          const { loss, norms } = trainStep(perm, b, b === batches - 1);
          losses.push(loss);
          gradNorms = norms ?? gradNorms;
          this.events.onProgress?.(epoch, b + 1, batches);
          if (stepping) {
            const value = (await loss.data())[0];
            this.events.onBatch?.({ epoch, batch: b + 1, step: optimizer.steps, loss: value });
            if (!Number.isFinite(value)) return diverged(epoch, value, training.optimizer.learningRate);
          }
          else await fence.maybeWait(loss);
          if (performance.now() - lastYield > 20) {
            await yieldToEventLoop();
            lastYield = performance.now();
          }
        }
        // One read-back per epoch: batch losses, evaluation figures and the views' values together.
        const packed = tf.tidy(() => {
          const { metrics, view } = learner.epochTensors();
          return tf.concat([
            tf.stack(losses), metrics,
            tf.stack(groups.map((g) => groupNorm(g.weights))), gradNorms ?? tf.zeros([groups.length]),
            ...(view ? [view] : []),
          ]);
        });
        const values = (await packed.data()) as Float32Array;
        packed.dispose();
        const batchLosses = Array.from(values.subarray(0, batches));
        const [trainLoss, trainAcc, valLoss, valAcc, valExact] = values.subarray(batches, batches + 5);
        const nGroups = groups.length;
        const norms = values.subarray(batches + 5, batches + 5 + 2 * nGroups);
        const layers = groups.map((g, i) => ({ name: g.name, weightNorm: norms[i], gradNorm: norms[nGroups + i] }));
        const ms = performance.now() - start - (this.pausedMs - pausedBefore);
        // After the clock stops: a text sample is not part of the epoch's training cost.
        const views = await learner.views(values.slice(batches + 5 + 2 * nGroups), epoch);
        const gflop = flops / 1e9;
        cumulativeGflop += gflop;
        cumulativeMs += ms;
        const metrics: EpochMetrics = {
          epoch, step: optimizer.steps, batchLosses, trainLoss, valLoss,
          trainAccuracy: learner.hasAccuracy ? trainAcc : null,
          valAccuracy: learner.hasAccuracy ? valAcc : null,
          valExactMatch: learner.hasExactMatch ? valExact : null,
          trainEvaluated: learner.trainEvaluated,
          ms, examplesPerSec: (batches * batchSize * 1000) / ms,
          gflop, gflopPerSec: gflop / (ms / 1000), cumulativeGflop, cumulativeMs,
          learningRate: lrAt(optimizer.steps - 1), layers,
          ...memoryFigures(),
        };
        const bad = [...batchLosses, trainLoss, valLoss].find((v) => !Number.isFinite(v));
        if (bad !== undefined) return diverged(epoch, bad, training.optimizer.learningRate);
        startLoss ??= batchLosses[0] ?? trainLoss;
        this.epochsDone = epoch;
        this.events.onEpoch?.(metrics, views);
        if (valLoss < best.loss) best = { loss: valLoss, epoch };
        if (this.events.onCheckpoint) this.events.onCheckpoint(await checkpoint(epoch));
        // Still finite, so the epoch is kept (and resumable), but the run stops until told to go on.
        const judged = epochLoss(batchLosses, trainLoss);
        if (this.stopOnExplodingLoss && isExploding(startLoss, judged) && epoch < training.epochs) {
          return { status: 'exploded', message: explosionMessage(epoch, startLoss, judged, training.optimizer.learningRate) };
        }
        const patience = training.earlyStopPatience;
        if (patience > 0 && epoch - best.epoch >= patience && epoch < training.epochs) {
          return {
            status: 'completed',
            message: `Stopped early after epoch ${epoch}: the validation loss has not improved for ${patience} ` +
              `epoch${patience === 1 ? '' : 's'} (best ${best.loss.toFixed(4)} at epoch ${best.epoch}).`,
          };
        }
      } finally {
        perm.dispose();
        gradNorms?.dispose();
        losses.forEach((l) => l.dispose());
      }
    }
    return { status: 'completed' };
  }

  /** Score the test split once with the final weights (it never took part in training or early stopping). */
  private async scoreTest(): Promise<void> {
    const learner = this.learner!;
    const test = await learner.testMetrics();
    if (!test || this.epochsDone === 0) return;
    const [loss, accuracy, exactMatch] = test.values;
    this.events.onTest?.({
      epoch: this.epochsDone, examples: test.examples, loss,
      accuracy: learner.hasAccuracy ? accuracy : null, exactMatch: learner.hasExactMatch ? exactMatch : null,
    });
  }

  private keepGrads(grads: tf.NamedTensorMap): void {
    if (this.lastGrads) tf.dispose(Object.values(this.lastGrads));
    this.lastGrads = grads;
    Object.values(grads).forEach((g) => tf.keep(g));
  }

  /** A look inside the model between batches, where it has one (the MLP); null otherwise or when no run is live. */
  async inspect(exampleIndex: number, resolution = 24): Promise<Inspection | null> {
    const learner = this.learner;
    if (!learner?.inspect || !this.optimizer) return null;
    return learner.inspect(exampleIndex, this.optimizer, this.lastGrads, resolution);
  }

  /** Text sampled from the language model now; null when no language model is training. */
  async sample(temperature: number, prompt: string, seed: number): Promise<string | null> {
    const learner = this.learner;
    return learner?.sample ? learner.sample(SAMPLE_LENGTH, temperature, new Rng(seed), prompt) : null;
  }

  /** The transformer's attention for a text now; null when no transformer is training. */
  async attention(text: string): Promise<AttentionSnapshot | null> {
    const learner = this.learner;
    return learner?.attention ? learner.attention(text) : null;
  }

  private disposeAll(): void {
    if (this.lastGrads) tf.dispose(Object.values(this.lastGrads));
    this.lastGrads = null;
    this.optimizer?.dispose();
    this.learner?.dispose();
    this.optimizer = null;
    this.learner = null;
  }
}

function diverged(epoch: number, value: number, learningRate: number): { status: RunStatus; message: string } {
  return {
    status: 'diverged',
    message:
      `Training diverged in epoch ${epoch}: the loss became ${Number.isNaN(value) ? 'NaN' : value > 0 ? '+Infinity' : '−Infinity'}. ` +
      `The weights blew up, usually because the learning rate (${learningRate}) is too high for this model. ` +
      'Try a learning rate 10× smaller, a smaller network, or Adam instead of SGD.',
  };
}
