import * as tf from '@tensorflow/tfjs';
import type { ExperimentSpec } from '../spec/types';
import { deriveSeed, Rng } from '../data/rng';
import { boundaryGridInputs, buildDataset, type DatasetFiles, type TabularDataset } from '../data/dataset';
import { activate, buildMlp, type Mlp } from './mlp';
import { accuracy, taskLoss, weightPenalty } from './losses';
import { clipByGlobalNorm, createOptimizer, type Optimizer } from './optimizers';
import { learningRateAt } from './schedule';
import { epochFlops, mlpCost, type ModelCost } from './cost';
import { memoryFigures } from './backend';
import type { BatchReport, BoundarySnapshot, EpochMetrics, Inspection, RunStatus } from './types';

export interface TrainerEvents {
  onEpoch?(metrics: EpochMetrics, boundary: BoundarySnapshot | null): void;
  /** Sent for batches run one at a time with step(). */
  onBatch?(report: BatchReport): void;
  onStatus?(status: RunStatus, message?: string): void;
  /** The initial weights, read back only when this is given (for inspection and tests). */
  onInit?(weights: Float32Array[]): void;
  /** The shuffled order of training examples an epoch uses. */
  onEpochStart?(epoch: number, order: Int32Array): void;
  /** Once the run has ended, before its tensors are freed: a last chance to inspect it. */
  beforeDispose?(): Promise<void>;
}

export interface TrainerOptions {
  /** Side of the square prediction grid for the decision boundary; 0 turns it off. */
  boundaryResolution?: number;
  /** Start paused, so the first step() runs exactly one batch. */
  startPaused?: boolean;
  /** The shipped data files the dataset needs (MNIST). */
  files?: DatasetFiles;
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

interface DeviceData {
  xTrain: tf.Tensor2D;
  yTrain: tf.Tensor1D;
  xVal: tf.Tensor2D;
  yVal: tf.Tensor1D;
  grid: tf.Tensor2D | null;
}

function upload(ds: TabularDataset, gridInputs: Float32Array | null): DeviceData {
  const d = ds.inputDim;
  return {
    xTrain: tf.tensor2d(ds.train.x, [ds.train.n, d]),
    yTrain: tf.tensor1d(ds.train.y),
    xVal: tf.tensor2d(ds.validation.x, [ds.validation.n, d]),
    yVal: tf.tensor1d(ds.validation.y),
    grid: gridInputs ? tf.tensor2d(gridInputs, [gridInputs.length / d, d]) : null,
  };
}

/**
 * The one training loop. The data is uploaded once; each batch is gathered on the device;
 * batch losses stay on the device and are read back once per epoch together with the
 * evaluation figures and the boundary grid. Pause, resume, step and stop act between batches.
 */
export class Trainer {
  readonly dataset: TabularDataset;
  readonly cost: ModelCost;
  private control: 'run' | 'pause' | 'stop';
  private stepsAllowed = 0;
  private wake: (() => void) | null = null;
  private reported: RunStatus | null = null;
  private model: Mlp | null = null;
  private optimizer: Optimizer | null = null;
  private data: DeviceData | null = null;
  /** The last batch's gradients, kept (not recomputed) for the inspection views. */
  private lastGrads: tf.NamedTensorMap | null = null;
  private neuronGrid: tf.Tensor2D | null = null;

  constructor(readonly spec: ExperimentSpec, private events: TrainerEvents = {}, private options: TrainerOptions = {}) {
    this.dataset = buildDataset(spec.dataset, spec.seed, options.files);
    this.cost = mlpCost(spec.model, this.dataset.inputDim, this.dataset.outputDim);
    this.control = options.startPaused ? 'pause' : 'run';
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
      await new Promise<void>((r) => (this.wake = r));
    }
  }

  /** Train to the end (or until stopped or diverged); every tensor made is disposed before it resolves. */
  async run(): Promise<RunStatus> {
    const { spec, dataset: ds } = this;
    const { training } = spec;
    // The decision boundary exists only over the plane.
    const resolution = ds.plane ? (this.options.boundaryResolution ?? 0) : 0;
    this.report('preparing');
    let status: RunStatus = 'completed';
    let message: string | undefined;
    try {
      this.data = upload(ds, resolution && ds.plane ? boundaryGridInputs(ds.plane, resolution) : null);
      this.model = buildMlp(spec.model, ds.inputDim, ds.outputDim, deriveSeed(spec.seed, 'weights'));
      this.optimizer = createOptimizer(training.optimizer, this.model.variables);
      if (this.events.onInit) {
        this.events.onInit((await Promise.all(this.model.variables.map((v) => v.data()))) as Float32Array[]);
      }
      if (this.control === 'run') this.report('running');
      const result = await this.loop(resolution);
      status = result.status;
      message = result.message;
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

  private async loop(resolution: number): Promise<{ status: RunStatus; message?: string }> {
    const { spec, dataset: ds } = this;
    const { training } = spec;
    const model = this.model!;
    const optimizer = this.optimizer!;
    const data = this.data!;
    const shuffleRng = new Rng(deriveSeed(spec.seed, 'shuffle'));
    const dropoutRng = new Rng(deriveSeed(spec.seed, 'dropout'));
    const dropoutSeed = () => Math.floor(dropoutRng.next() * 2 ** 31);
    const kernels = model.layers.map((l) => l.kernel);
    // Fixed batch shape: the ragged tail of each shuffled epoch is dropped (it differs every epoch).
    const batchSize = training.batchSize;
    const batches = Math.floor(ds.train.n / batchSize);
    const flops = epochFlops(this.cost, {
      batches, batchSize,
      evalExamples: ds.train.n + ds.validation.n + resolution * resolution,
      optimizer: training.optimizer.kind,
      extraPerParam: (training.l1 > 0 || training.l2 > 0 ? 3 : 0) + (training.optimizer.weightDecay > 0 ? 2 : 0)
        + (training.clipNorm > 0 ? 3 : 0),
    });
    const clock = { stepsPerEpoch: batches, epochs: training.epochs };
    const lrAt = (step: number) => learningRateAt(training.schedule, training.optimizer.learningRate, step, clock);
    let best = { loss: Infinity, epoch: 0 };
    let cumulativeGflop = 0;
    let cumulativeMs = 0;
    let lastYield = performance.now();
    const fence = new GpuFence();

    /** One optimizer step; returns the batch loss and, when asked, each kernel's gradient norm. */
    const trainStep = (perm: tf.Tensor1D, b: number, withNorms: boolean): { loss: tf.Scalar; norms?: tf.Tensor1D } =>
      tf.tidy(() => {
        const idx = perm.slice(b * batchSize, batchSize);
        const xb = tf.gather(data.xTrain, idx) as tf.Tensor2D;
        const yb = tf.gather(data.yTrain, idx) as tf.Tensor1D;
        const { value, grads } = tf.variableGrads(() => {
          const loss = taskLoss(ds.task, model.forward(xb, dropoutSeed), yb);
          const penalty = weightPenalty(kernels, training.l1, training.l2);
          return penalty ? loss.add(penalty) : loss;
        }, model.variables);
        optimizer.step(training.clipNorm > 0 ? clipByGlobalNorm(grads, training.clipNorm) : grads, lrAt(optimizer.steps));
        this.keepGrads(grads);
        if (!withNorms) return { loss: value };
        return { loss: value, norms: tf.stack(kernels.map((k) => grads[k.name].norm())) as tf.Tensor1D };
      });

    for (let epoch = 1; epoch <= training.epochs; epoch++) {
      const start = performance.now();
      const order = shuffleRng.permutation(ds.train.n);
      this.events.onEpochStart?.(epoch, order);
      const perm = tf.tensor1d(order, 'int32');
      const losses: tf.Scalar[] = [];
      let gradNorms: tf.Tensor1D | null = null;
      try {
        for (let b = 0; b < batches; b++) {
          if (!(await this.gate())) return { status: 'stopped' };
          const stepping = this.control === 'pause';
          const { loss, norms } = trainStep(perm, b, b === batches - 1);
          losses.push(loss);
          gradNorms = norms ?? gradNorms;
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
        // One read-back per epoch: batch losses, evaluation figures and the boundary grid together.
        const packed = tf.tidy(() => {
          const evaluate = (x: tf.Tensor2D, y: tf.Tensor1D) => {
            const out = model.forward(x);
            const acc = ds.task === 'regression' ? tf.scalar(0) : accuracy(ds.task, out, y);
            return tf.stack([taskLoss(ds.task, out, y), acc]);
          };
          const parts: tf.Tensor[] = [
            tf.stack(losses), evaluate(data.xTrain, data.yTrain), evaluate(data.xVal, data.yVal),
            tf.stack(kernels.map((k) => k.norm())), gradNorms ?? tf.zeros([kernels.length]),
          ];
          if (data.grid) {
            const out = model.forward(data.grid).reshape([-1]);
            parts.push(ds.task === 'binary' ? out.sigmoid() : out);
          }
          return tf.concat(parts);
        });
        const values = (await packed.data()) as Float32Array;
        packed.dispose();
        const ms = performance.now() - start;
        const batchLosses = Array.from(values.subarray(0, batches));
        const [trainLoss, trainAcc, valLoss, valAcc] = values.subarray(batches, batches + 4);
        const nLayers = kernels.length;
        const norms = values.subarray(batches + 4, batches + 4 + 2 * nLayers);
        const layers = model.layers.map((l, i) => ({ name: l.name, weightNorm: norms[i], gradNorm: norms[nLayers + i] }));
        const gridStart = batches + 4 + 2 * nLayers;
        const gflop = flops / 1e9;
        cumulativeGflop += gflop;
        cumulativeMs += ms;
        const metrics: EpochMetrics = {
          epoch, step: optimizer.steps, batchLosses, trainLoss, valLoss,
          trainAccuracy: ds.task === 'regression' ? null : trainAcc,
          valAccuracy: ds.task === 'regression' ? null : valAcc,
          ms, examplesPerSec: (batches * batchSize * 1000) / ms,
          gflop, gflopPerSec: gflop / (ms / 1000), cumulativeGflop, cumulativeMs,
          learningRate: lrAt(optimizer.steps - 1), layers,
          ...memoryFigures(),
        };
        const boundary = data.grid ? { resolution, values: values.slice(gridStart) } : null;
        const bad = [...batchLosses, trainLoss, valLoss].find((v) => !Number.isFinite(v));
        if (bad !== undefined) return diverged(epoch, bad, training.optimizer.learningRate);
        this.events.onEpoch?.(metrics, boundary);
        if (valLoss < best.loss) best = { loss: valLoss, epoch };
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

  private keepGrads(grads: tf.NamedTensorMap): void {
    if (this.lastGrads) tf.dispose(Object.values(this.lastGrads));
    this.lastGrads = grads;
    Object.values(grads).forEach((g) => tf.keep(g));
  }

  /**
   * A look inside the network between batches: weights, last-batch gradients, optimizer state,
   * one training example's autodiff gradients, and each hidden neuron over the input plane.
   * Resolves null when the run has no model (not started or already ended).
   */
  async inspect(exampleIndex: number, resolution = 24): Promise<Inspection | null> {
    const model = this.model;
    const optimizer = this.optimizer;
    if (!model || !optimizer || !this.data) return null;
    const ds = this.dataset;
    const index = Math.min(Math.max(0, Math.floor(exampleIndex)), ds.train.n - 1);
    const d = ds.inputDim;
    // Neuron maps are drawn over the plane; other data has none.
    if (ds.plane) this.neuronGrid ??= tf.tensor2d(boundaryGridInputs(ds.plane, resolution), [resolution * resolution, d]);
    const grid = this.neuronGrid;
    const input = ds.train.x.slice(index * d, (index + 1) * d);
    const target = ds.train.y[index];
    const tensors = tf.tidy(() => {
      const x = tf.tensor2d(input, [1, d]);
      const y = tf.tensor1d([target]);
      const { grads } = tf.variableGrads(() => taskLoss(ds.task, model.forward(x), y), model.variables);
      const maps: tf.Tensor[] = [];
      let h = grid;
      for (const l of grid ? model.layers.slice(0, -1) : []) {
        h = activate(h!.matMul(l.kernel).add(l.bias), l.activation);
        maps.push(h);
      }
      return { grads: model.variables.map((v) => grads[v.name]), maps };
    });
    // Training may go on while the reads are in flight, replacing the variables' data: read
    // from clones (which keep the data alive) taken now, all at the same step.
    const slotNames = Object.keys(optimizer.slots);
    const lastGrads = this.lastGrads;
    const copies = model.layers.map((l) => ({
      weights: l.kernel.clone(),
      bias: l.bias.clone(),
      weightGrad: lastGrads ? lastGrads[l.kernel.name].clone() : null,
      biasGrad: lastGrads ? lastGrads[l.bias.name].clone() : null,
      slots: slotNames.map((n) => optimizer.slots[n].get(l.kernel.name)!.clone()),
    }));
    const step = optimizer.steps;
    const read = (t: tf.Tensor) => t.data() as Promise<Float32Array>;
    const readOrNull = (t: tf.Tensor | null) => (t ? read(t) : Promise.resolve(null));
    try {
      const layers = await Promise.all(model.layers.map(async (l, i) => {
        const c = copies[i];
        const slots = await Promise.all(c.slots.map(read));
        return {
          name: l.name,
          inputs: l.kernel.shape[0] as number,
          outputs: l.kernel.shape[1] as number,
          activation: l.activation,
          weights: await read(c.weights),
          bias: await read(c.bias),
          weightGrad: await readOrNull(c.weightGrad),
          biasGrad: await readOrNull(c.biasGrad),
          slots: Object.fromEntries(slotNames.map((n, k) => [n, slots[k]])),
        };
      }));
      const grads = await Promise.all(tensors.grads.map(read));
      return {
        step,
        layers,
        example: {
          index, input, target,
          point: ds.plane ? [ds.train.points[2 * index], ds.train.points[2 * index + 1]] : null,
          weightGrads: grads.filter((_, i) => i % 2 === 0),
          biasGrads: grads.filter((_, i) => i % 2 === 1),
        },
        neuronMaps: { resolution, layers: await Promise.all(tensors.maps.map(read)) },
      };
    } finally {
      tf.dispose([...tensors.grads, ...tensors.maps]);
      for (const c of copies) tf.dispose([c.weights, c.bias, ...c.slots, ...(c.weightGrad ? [c.weightGrad, c.biasGrad!] : [])]);
    }
  }

  private disposeAll(): void {
    if (this.lastGrads) tf.dispose(Object.values(this.lastGrads));
    this.lastGrads = null;
    this.neuronGrid?.dispose();
    this.neuronGrid = null;
    this.optimizer?.dispose();
    this.model?.dispose();
    if (this.data) {
      for (const t of Object.values(this.data)) t?.dispose();
    }
    this.optimizer = null;
    this.model = null;
    this.data = null;
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
