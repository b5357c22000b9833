// The MLP on tabular data (plane points, MNIST pixels, or series windows), and the CNN on images (each row an image).
import * as tf from '@tensorflow/tfjs';
import { gatherRows } from '../kernels/gatherRows';
import {
  augments,
  cnnOf,
  mlpOf,
  type AugmentSpec,
  type ClassificationLoss,
  type ExperimentSpec,
} from '../../experiment/types';
import { augmentRows } from '../augment';
import { deriveSeed } from '../../data/rng';
import { boundaryGridInputs, type TabularDataset } from '../../data/dataset';
import { activate } from '../activations';
import { buildMlp } from '../mlp';
import { cnnRowModel } from '../cnnModel';
import { cnnCost } from '../cnnCost';
import type { RowModel } from '../rowModel';
import { hostMlpGradients, hostMlpSuits } from '../kernels/mlpHost';
import { CompiledMlpStep, compiledMlpFits } from '../compiled/mlpStep';
import { CompiledSteps, type CompiledSettings } from '../compiled/compiledSteps';
import { accuracy, taskLoss } from '../losses';
import { mlpCost, type ModelCost } from '../cost';
import { epochPlan, FORECAST_SHOWN, type EpochPlan } from '../epochPlan';
import type { Optimizer, PerElementUpdate } from '../optimizers';
import type { EpochViews, ImageLook, ImageSource, Inspection } from '../types';
import { lookAtImage } from '../imageLook';
import { forecastView, type Learner } from '../learner';

/** MNIST: how many misclassified digits an epoch sends to the grid. */
const MISCLASSIFIED_SHOWN = 32;
/**
 * Rows an evaluation predicts per call. A big table's 20,000 validation rows through a wide MLP
 * are seconds of one matmul on the cpu backend; in parts, each part's kernels tell the page's
 * watchdog the worker is alive (kernelBeat.ts). Rows are independent: the figures are the same.
 */
const PREDICT_ROWS = 2048;

export class TabularLearner implements Learner {
  readonly cost: ModelCost;
  readonly model: RowModel;
  readonly nTrain: number;
  readonly plan: EpochPlan;
  readonly hasAccuracy: boolean;
  readonly hasExactMatch = false;
  private readonly xTrain: tf.Tensor2D;
  private readonly yTrain: tf.Tensor1D;
  /** The training rows evaluated each epoch (the plan's first rows; rows are in seeded random order). */
  private readonly xTrainEval: tf.Tensor2D;
  private readonly yTrainEval: tf.Tensor1D;
  private readonly xVal: tf.Tensor2D;
  private readonly yVal: tf.Tensor1D;
  private readonly grid: tf.Tensor2D | null;
  private neuronGrid: tf.Tensor2D | null = null;
  private readonly resolution: number;
  private readonly loss: ClassificationLoss;
  /** Images: the augmentation each training batch gets (null: none). */
  private readonly augment: AugmentSpec | null;
  /** The compiled WebGPU step of a plain MLP (compiled/mlpStep.ts). */
  readonly compiled: CompiledSteps;

  static costOf(spec: ExperimentSpec, ds: TabularDataset): ModelCost {
    if (spec.model.kind !== 'cnn') return mlpCost(mlpOf(spec), ds.inputDim, ds.outputDim);
    if (!ds.image) throw new Error('A convolutional network needs images: choose an image dataset.');
    return cnnCost(spec.model, ds.image, ds.outputDim);
  }

  constructor(
    spec: ExperimentSpec,
    readonly dataset: TabularDataset,
    resolution: number,
  ) {
    const ds = dataset;
    this.cost = TabularLearner.costOf(spec, ds);
    // The decision boundary exists only over the plane.
    this.resolution = ds.plane ? resolution : 0;
    this.nTrain = ds.train.n;
    this.plan = epochPlan(spec, { train: ds.train.n, validation: ds.validation.n }, this.resolution ** 2);
    this.hasAccuracy = ds.task !== 'regression';
    const d = ds.inputDim;
    this.xTrain = tf.tensor2d(ds.train.x, [ds.train.n, d]);
    this.yTrain = tf.tensor1d(ds.train.y);
    this.xTrainEval = this.xTrain.slice(0, this.plan.evaluated.train);
    this.yTrainEval = this.yTrain.slice(0, this.plan.evaluated.train);
    this.xVal = tf.tensor2d(ds.validation.x, [ds.validation.n, d]);
    this.yVal = tf.tensor1d(ds.validation.y);
    const gridInputs = this.resolution && ds.plane ? boundaryGridInputs(ds.plane, this.resolution) : null;
    this.grid = gridInputs ? tf.tensor2d(gridInputs, [gridInputs.length / d, d]) : null;
    const seed = deriveSeed(spec.seed, 'weights');
    this.model =
      spec.model.kind === 'cnn'
        ? cnnRowModel(cnnOf(spec), ds.image!, ds.outputDim, seed)
        : buildMlp(mlpOf(spec), d, ds.outputDim, seed);
    this.loss = spec.model.kind === 'mlp' ? spec.model.classificationLoss : 'crossEntropy';
    this.augment = ds.image && augments(spec.dataset.augment) ? spec.dataset.augment : null;
    this.compiled = new CompiledSteps(
      this.nTrain,
      () => this.model.withoutNorms !== null && !this.augment,
      (update, count, settings) => this.compiledPlan(update, count, settings),
    );
  }

  get variables() {
    return this.model.variables;
  }

  get parameterNames() {
    return this.model.names;
  }

  get buffers() {
    return this.model.buffers;
  }

  afterStep(): void {
    this.model.updateBuffers();
  }

  get groups() {
    return this.model.groups;
  }

  batchLoss(idx: tf.Tensor1D, dropoutSeed: () => number): tf.Scalar {
    const rows = gatherRows(this.xTrain, idx);
    const xb = this.augment ? augmentRows(rows, this.dataset.image!, this.augment, dropoutSeed()) : rows;
    const yb = gatherRows(this.yTrain, idx);
    return taskLoss(this.dataset.task, this.model.forward(xb, dropoutSeed), yb, this.loss);
  }

  /** A batch's loss and gradients in plain JavaScript, where the model is small and has no dropout (kernels/mlpHost.ts). */
  hostGradients(rows: tf.Tensor1D, from: number, count: number, penalty: { l1: number; l2: number }) {
    const { model } = this;
    const layers = model.plain;
    if (!layers || this.augment || layers.some((l) => l.dropout > 0) || !hostMlpSuits(model.params, count)) return null;
    const batch = { x: this.xTrain, y: this.yTrain, rows, from, count };
    return hostMlpGradients(batch, layers, { task: this.dataset.task, loss: this.loss }, penalty);
  }

  /** The MLP's compiled plan for steps of `count` rows; null where the device's limits do not allow it. */
  private compiledPlan(update: PerElementUpdate, count: number, settings: CompiledSettings): CompiledMlpStep | null {
    const setup = {
      layers: this.model.withoutNorms!,
      x: this.xTrain,
      y: this.yTrain,
      rows: count,
      task: this.dataset.task,
      loss: this.loss,
      update,
      penalty: settings,
      clipNorm: settings.clipNorm,
    };
    return compiledMlpFits(setup, this.nTrain) ? new CompiledMlpStep(setup, this.nTrain) : null;
  }

  epochTensors(): { metrics: tf.Tensor1D; view: tf.Tensor1D | null } {
    // The validation outputs serve both the metrics and the views (confusion, forecast).
    const valOut = this.predictInParts(this.xVal);
    return { metrics: this.evaluate(valOut), view: this.viewTensor(valOut) };
  }

  private predictInParts(x: tf.Tensor2D): tf.Tensor2D {
    const n = x.shape[0];
    if (n <= PREDICT_ROWS) return this.model.predict(x);
    return tf.tidy(() => {
      const parts: tf.Tensor2D[] = [];
      for (let from = 0; from < n; from += PREDICT_ROWS)
        parts.push(this.model.predict(x.slice([from, 0], [Math.min(PREDICT_ROWS, n - from), -1])));
      return tf.concat(parts);
    });
  }

  private evaluate(valOut: tf.Tensor2D): tf.Tensor1D {
    const task = this.dataset.task;
    const metrics = (out: tf.Tensor2D, y: tf.Tensor1D) => [
      taskLoss(task, out, y, this.loss),
      task === 'regression' ? tf.scalar(0) : accuracy(task, out, y),
    ];
    const train = metrics(this.predictInParts(this.xTrainEval), this.yTrainEval);
    return tf.stack([...train, ...metrics(valOut, this.yVal), tf.scalar(0)]) as tf.Tensor1D;
  }

  async testMetrics(): Promise<{ examples: number; values: Float32Array } | null> {
    const { test, task, inputDim } = this.dataset;
    if (test.n === 0) return null;
    const result = tf.tidy(() => {
      const out = this.predictInParts(tf.tensor2d(test.x, [test.n, inputDim]));
      const y = tf.tensor1d(test.y);
      return tf.stack([
        taskLoss(task, out, y, this.loss),
        task === 'regression' ? tf.scalar(0) : accuracy(task, out, y),
        tf.scalar(0),
      ]);
    });
    const values = (await result.data()) as Float32Array;
    result.dispose();
    return { examples: test.n, values };
  }

  /** The views' values in one tensor: the boundary grid (plane), then each validation example's predicted class (classifiers). */
  private viewTensor(valOut: tf.Tensor2D): tf.Tensor1D | null {
    const ds = this.dataset;
    const classes =
      ds.task === 'multiclass'
        ? (valOut.argMax(1).toFloat() as tf.Tensor1D)
        : ds.task === 'binary'
          ? (valOut.reshape([-1]).greater(0).toFloat() as tf.Tensor1D)
          : null;
    if (this.grid) {
      const out = this.model.predict(this.grid).reshape([-1]) as tf.Tensor1D;
      const grid = ds.task === 'binary' ? out.sigmoid() : out;
      return classes ? tf.concat([grid, classes]) : grid;
    }
    if (classes) return classes;
    if (ds.scale) return valOut.slice(0, Math.min(FORECAST_SHOWN, ds.validation.n)).reshape([-1]);
    return null;
  }

  async views(values: Float32Array): Promise<EpochViews> {
    const ds = this.dataset;
    const cells = this.grid ? this.resolution ** 2 : 0;
    const boundary = this.grid ? { boundary: { resolution: this.resolution, values: values.slice(0, cells) } } : {};
    if (ds.task !== 'regression') return { ...boundary, classes: classesView(ds, values.subarray(cells)) };
    if (ds.scale) return { forecast: forecastView(ds.validation.y, values, ds.scale) };
    return boundary;
  }

  /**
   * A look inside the network between batches: weights, last-batch gradients, optimizer state,
   * one training example's autodiff gradients, and each hidden neuron over the input plane. Only
   * for a plain MLP, which those views draw (null otherwise).
   */
  async inspect(
    exampleIndex: number,
    optimizer: Optimizer,
    lastGrads: tf.NamedTensorMap | null,
    resolution = 24,
  ): Promise<Inspection | null> {
    const model = this.model;
    const layers = model.plain;
    if (!layers) return null;
    const ds = this.dataset;
    const index = Math.min(Math.max(0, Math.floor(exampleIndex)), ds.train.n - 1);
    const d = ds.inputDim;
    // Neuron maps are drawn over the plane; other data has none.
    if (ds.plane)
      this.neuronGrid ??= tf.tensor2d(boundaryGridInputs(ds.plane, resolution), [resolution * resolution, d]);
    const grid = this.neuronGrid;
    const input = ds.train.x.slice(index * d, (index + 1) * d);
    const target = ds.train.y[index];
    const tensors = tf.tidy(() => {
      const x = tf.tensor2d(input, [1, d]);
      const y = tf.tensor1d([target]);
      const { grads } = tf.variableGrads(() => taskLoss(ds.task, model.forward(x), y, this.loss), model.variables);
      // Each hidden neuron's output over the plane (for plain dense layers, which step mode draws).
      const maps: tf.Tensor[] = [];
      let h = grid;
      for (const l of grid ? layers.slice(0, -1) : []) {
        h = activate(h!.matMul(l.kernel).add(l.bias), l.activation);
        maps.push(h);
      }
      return { grads: layers.flatMap((l) => [grads[l.kernel.name], grads[l.bias.name]]), maps };
    });
    // Training may go on while the reads are in flight, replacing the variables' data: read
    // from clones (which keep the data alive) taken now, all at the same step.
    // The slots the weight matrices have (under Muon, not AdamW's m and v, which the biases have).
    const slotNames = Object.keys(optimizer.slots).filter((n) => optimizer.slots[n].has(layers[0].kernel.name));
    const copies = layers.map((l) => ({
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
      const looks = await Promise.all(
        layers.map(async (l, i) => {
          const c = copies[i];
          const slots = await Promise.all(c.slots.map(read));
          return {
            name: l.name,
            inputs: l.kernel.shape[0],
            outputs: l.kernel.shape[1] as number,
            activation: l.activation,
            weights: await read(c.weights),
            bias: await read(c.bias),
            weightGrad: await readOrNull(c.weightGrad),
            biasGrad: await readOrNull(c.biasGrad),
            slots: Object.fromEntries(slotNames.map((n, k) => [n, slots[k]])),
          };
        }),
      );
      const grads = await Promise.all(tensors.grads.map(read));
      return {
        step,
        layers: looks,
        example: {
          index,
          input,
          target,
          point: ds.plane ? [ds.train.points[2 * index], ds.train.points[2 * index + 1]] : null,
          weightGrads: grads.filter((_, i) => i % 2 === 0),
          biasGrads: grads.filter((_, i) => i % 2 === 1),
        },
        neuronMaps: { resolution, layers: await Promise.all(tensors.maps.map(read)) },
      };
    } finally {
      tf.dispose([...tensors.grads, ...tensors.maps]);
      for (const c of copies)
        tf.dispose([c.weights, c.bias, ...c.slots, ...(c.weightGrad ? [c.weightGrad, c.biasGrad!] : [])]);
    }
  }

  /**
   * Image data: the model's look at validation image `source.validation` (clamped to the set) or at pixels the
   * person drew (height·width·channels values in 0…1); null for other data.
   */
  async imageLook(source: ImageSource, chosenClass?: number): Promise<ImageLook | null> {
    const ds = this.dataset;
    if (!ds.image) return null;
    const width = ds.inputDim;
    if ('pixels' in source) {
      const { pixels } = source;
      if (pixels.length !== width || pixels.some((v) => !(v >= 0 && v <= 1)))
        throw new Error(`a drawn image must be ${width} values from 0 to 1`);
      return lookAtImage(this.model, ds.image, pixels, { label: null, index: null }, chosenClass);
    }
    const index = Math.min(Math.max(0, Math.floor(source.validation)), ds.validation.n - 1);
    const input = ds.validation.x.slice(index * width, (index + 1) * width);
    return lookAtImage(this.model, ds.image, input, { label: ds.validation.y[index], index }, chosenClass);
  }

  dispose(): void {
    tf.dispose([
      this.xTrain,
      this.yTrain,
      this.xTrainEval,
      this.yTrainEval,
      this.xVal,
      this.yVal,
      ...(this.grid ? [this.grid] : []),
      ...(this.neuronGrid ? [this.neuronGrid] : []),
    ]);
    this.neuronGrid = null;
    this.compiled.dispose();
    this.model.dispose();
  }
}

/** Confusion counts over the validation examples and (images) the first ones the model got wrong. */
function classesView(ds: TabularDataset, predicted: Float32Array): NonNullable<EpochViews['classes']> {
  // Binary models have one output unit but two classes; the plane's are drawn orange (0) and blue (1).
  const labels = ds.table?.classes ?? ds.classes ?? (ds.task === 'binary' ? ['0 (orange)', '1 (blue)'] : undefined);
  const k = labels?.length ?? ds.outputDim;
  const confusion = new Array<number>(k * k).fill(0);
  const misclassified: NonNullable<EpochViews['classes']>['misclassified'] = [];
  const image = ds.image;
  const size = image ? image.height * image.width * image.channels : 0;
  predicted.forEach((p, i) => {
    const label = ds.validation.y[i];
    confusion[label * k + p]++;
    if (image && p !== label && misclassified.length < MISCLASSIFIED_SHOWN) {
      const pixels = Uint8Array.from(ds.validation.x.subarray(i * size, (i + 1) * size), (v) => Math.round(v * 255));
      misclassified.push({ index: i, label, predicted: p, pixels });
    }
  });
  return {
    confusion,
    misclassified,
    ...(labels ? { labels } : {}),
    ...(image ? { image: { ...image, ink: !ds.ownImages } } : {}),
  };
}
