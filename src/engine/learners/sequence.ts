// The LSTM and the transformer on sequences: next-character text, toy tasks, series forecasts.
import * as tf from '@tensorflow/tfjs';
import { addMany } from '../kernels/addMany';
import { gatherRows } from '../kernels/gatherRows';
import { lstmOf, transformerOf } from '../../experiment/types';
import { deriveSeed, Rng } from '../../data/rng';
import type { SequenceDataset, TokenDataset } from '../../data/sequenceDataset';
import { decodeTokens, encodePrompt } from '../../data/textTokens';
import { buildLstmModel, buildTransformer, sequenceLoss, sequenceSums, type SequenceModel } from '../sequenceModels';
import { recurrentCost, transformerCost, type ModelCost } from '../cost';
import { epochPlan, SAMPLE_LENGTH, type EpochPlan } from '../epochPlan';
import { examplesThatFit, MEMORY_BUDGET } from '../memoryEstimate';
import type { BackendName, ExperimentSpec } from '../../experiment/types';
import { chunks, forecastView, type Learner } from '../learner';
import type { PerElementUpdate } from '../optimizers';
import { CompiledSteps, type CompiledSettings } from '../compiled/compiledSteps';
import { CompiledRecurrentStep, compiledRecurrentFits } from '../compiled/recurrentStep';
import type { AttentionSnapshot, EpochViews, SamplingSettings } from '../types';
import {
  describeDraw,
  drawDistribution,
  drawFrom,
  softmax,
  type DrawSettings,
  type SampledText,
  type SampledToken,
} from '../sampling';

/** Evaluation runs in chunks of about this many tokens, to bound memory (attention is T² per head). */
const EVAL_TOKENS = 8192;

interface DeviceSplit {
  x: tf.Tensor2D;
  y: tf.Tensor;
  mask: tf.Tensor2D | null;
  n: number;
}

/** One split of the dataset on the device: values and next values (series), or token ids, next tokens and mask. */
function upload(ds: SequenceDataset, part: 'train' | 'validation' | 'test'): DeviceSplit {
  const T = ds.length;
  if (ds.task === 'forecast') {
    const { x, y, n } = ds[part];
    return { x: tf.tensor2d(x, [n, T]), y: tf.tensor1d(y), mask: null, n };
  }
  const { x, y, mask, n } = ds[part];
  return {
    x: tf.tensor2d(x, [n, T], 'int32'),
    y: tf.tensor2d(y, [n, T], 'int32'),
    mask: mask && tf.tensor2d(mask, [n, T]),
    n,
  };
}

export class SequenceLearner implements Learner {
  readonly cost: ModelCost;
  readonly model: SequenceModel;
  readonly nTrain: number;
  readonly plan: EpochPlan;
  readonly hasAccuracy: boolean;
  readonly hasExactMatch: boolean;
  readonly validationBytesPerToken?: number;
  readonly merges?: Int32Array;
  private toldTokens = false;
  /** Windows an evaluation chunk may hold on this backend (a wide, deep model's 8,192 tokens would not fit wasm). */
  private readonly windowsThatFit: number;
  private readonly train: DeviceSplit;
  private readonly validation: DeviceSplit;
  private readonly sampleRng: Rng;
  private readonly isTransformer: boolean;
  /** Transformer: blocks and heads per block, for the attention view. */
  private readonly shape = { layers: 0, heads: 0 };
  /** The compiled WebGPU step of a recurrent stack (compiled/recurrentStep.ts). */
  readonly compiled: CompiledSteps;
  /** Capabilities (see Learner): sampling for language models, attention for transformers. */
  readonly sample?: Learner['sample'];
  readonly attention?: Learner['attention'];

  static costOf(spec: ExperimentSpec, ds: SequenceDataset): ModelCost {
    if (spec.model.kind === 'transformer') return transformerCost(spec.model, tokensOf(ds).vocab.length, ds.length);
    return recurrentCost(lstmOf(spec), ds.vocab?.length ?? null, ds.length);
  }

  constructor(
    spec: ExperimentSpec,
    readonly dataset: SequenceDataset,
    private sampling: SamplingSettings | null = null,
  ) {
    const ds = dataset;
    const forecast = ds.task === 'forecast';
    const seed = deriveSeed(spec.seed, 'weights');
    this.isTransformer = spec.model.kind === 'transformer';
    this.cost = SequenceLearner.costOf(spec, ds);
    if (this.isTransformer) {
      const m = transformerOf(spec);
      this.shape = { layers: m.layers, heads: m.heads };
      const { kind: _, ...shape } = m;
      this.model = buildTransformer({ ...shape, vocab: tokensOf(ds).vocab.length, contextLength: ds.length }, seed);
    } else {
      const m = lstmOf(spec);
      this.model = buildLstmModel(
        { vocab: ds.vocab?.length ?? null, embedding: m.embedding, cell: m.cell, layers: m.layers },
        seed,
      );
    }
    this.train = upload(ds, 'train');
    this.validation = upload(ds, 'validation');
    const backend = tf.getBackend() as BackendName;
    const shape = { kind: 'sequence' as const, vocab: ds.vocab?.length ?? null, length: ds.length };
    this.windowsThatFit =
      backend in MEMORY_BUDGET ? examplesThatFit(spec, shape, this.cost.params, backend) : Number.POSITIVE_INFINITY;
    this.nTrain = ds.train.n;
    this.plan = epochPlan(spec, { train: ds.train.n, validation: ds.validation.n }, 0);
    this.hasAccuracy = !forecast;
    this.hasExactMatch = ds.task === 'toy';
    if (ds.task === 'language') {
      this.validationBytesPerToken = ds.text?.validationBytesPerToken;
      this.merges = ds.text?.bpe?.merges;
    }
    this.sampleRng = new Rng(deriveSeed(spec.seed, 'sample'));
    if (ds.task === 'language')
      this.sample = (length, draw, rng, prompt, options) => this.sampleText(length, draw, rng, prompt, options);
    if (this.isTransformer) this.attention = (text) => this.attentionOf(text);
    this.compiled = new CompiledSteps(
      this.nTrain,
      () => this.model.recurrent !== undefined,
      (update, count, settings) => this.compiledPlan(update, count, settings),
    );
  }

  get variables() {
    return this.model.variables;
  }

  get parameterNames() {
    return this.model.names;
  }

  get rngs() {
    return { sample: this.sampleRng };
  }

  get groups() {
    return this.model.groups;
  }

  setSampling(settings: SamplingSettings): void {
    this.sampling = settings;
  }

  /** Summed loss and counts over rows [start, start + size): [loss sum, targets, right, sequences all right]. */
  private sums(split: DeviceSplit, start: number, size: number, dropoutSeed?: () => number): tf.Tensor1D {
    const x = split.x.slice(start, size);
    const y = split.y.slice(start, size);
    const out = this.model.forward(x, dropoutSeed);
    if (this.dataset.task === 'forecast') {
      const err = out.reshape([-1]).sub(y).square().sum();
      return tf.stack([err, tf.scalar(size), tf.scalar(0), tf.scalar(0)]) as tf.Tensor1D;
    }
    const mask = split.mask ? split.mask.slice(start, size) : tf.onesLike(y).toFloat();
    return sequenceSums(out, y as tf.Tensor2D, mask as tf.Tensor2D);
  }

  batchLoss(idx: tf.Tensor1D, dropoutSeed: () => number): tf.Scalar {
    const { train } = this;
    const x = gatherRows(train.x, idx) as tf.Tensor2D;
    const y = gatherRows(train.y, idx);
    const out = this.model.forward(x, dropoutSeed);
    if (this.dataset.task === 'forecast') return out.reshape([-1]).sub(y).square().mean() as tf.Scalar;
    return sequenceLoss(out, y as tf.Tensor2D, train.mask ? (gatherRows(train.mask, idx) as tf.Tensor2D) : undefined);
  }

  /** The recurrent stack's compiled plan for steps of `count` sequences; null where the device's limits do not allow it. */
  private compiledPlan(update: PerElementUpdate, count: number, settings: CompiledSettings) {
    const { train } = this;
    const setup = {
      model: this.model.recurrent!,
      x: train.x,
      y: train.y,
      mask: train.mask,
      batch: count,
      update,
      penalty: settings,
      clipNorm: settings.clipNorm,
    };
    return compiledRecurrentFits(setup, this.nTrain) ? new CompiledRecurrentStep(setup, this.nTrain) : null;
  }

  epochTensors(): { metrics: tf.Tensor1D; view: tf.Tensor1D | null } {
    return { metrics: this.evaluate(), view: this.viewTensor() };
  }

  /** [loss, accuracy, exact match] over a split's first `limit` rows, in chunks that bound memory. */
  private scores(split: DeviceSplit, limit: number): tf.Scalar[] {
    const chunk = Math.min(this.windowsThatFit, Math.max(1, Math.floor(EVAL_TOKENS / this.dataset.length)));
    const n = Math.min(limit, split.n);
    // Each chunk in its own tidy: only its four sums outlive it, so memory stays one chunk's however many there are.
    const parts = chunks(n, chunk).map(([s, size]) => tf.tidy(() => this.sums(split, s, size)));
    const [loss, targets, right, exact] = tf.unstack(addMany(parts));
    return [loss.div(targets), right.div(targets), exact.div(n)] as tf.Scalar[];
  }

  private evaluate(): tf.Tensor1D {
    const { evaluated } = this.plan;
    const [trainLoss, trainAcc] = this.scores(this.train, evaluated.train);
    const [valLoss, valAcc, valExact] = this.scores(this.validation, evaluated.validation);
    return tf.stack([trainLoss, trainAcc, valLoss, valAcc, valExact]) as tf.Tensor1D;
  }

  async testMetrics(): Promise<{ examples: number; values: Float32Array } | null> {
    const ds = this.dataset;
    if (ds.test.n === 0) return null;
    const result = tf.tidy(() => {
      const test = upload(ds, 'test');
      return tf.stack(this.scores(test, test.n));
    });
    const values = (await result.data()) as Float32Array;
    result.dispose();
    return { examples: ds.test.n, values };
  }

  private viewTensor(): tf.Tensor1D | null {
    const { validation, dataset: ds } = this;
    const shown = this.plan.evaluated.view; // the first validation windows
    if (ds.task === 'forecast') {
      return this.model.forward(validation.x.slice(0, shown)).reshape([-1]) as tf.Tensor1D;
    }
    if (ds.task === 'toy') {
      return this.model.forward(validation.x.slice(0, shown)).argMax(-1).toFloat().reshape([-1]) as tf.Tensor1D;
    }
    return null;
  }

  async views(values: Float32Array, epoch: number): Promise<EpochViews> {
    const ds = this.dataset;
    if (ds.task === 'forecast') {
      return { forecast: forecastView(ds.validation.y, values, ds.scale) };
    }
    if (ds.task === 'toy') return { toy: this.toyView(values) };
    if (!this.sampling) return {};
    const { attentionText, ...draw } = this.sampling;
    const { text } = await this.sampleText(SAMPLE_LENGTH, draw, this.sampleRng);
    const views: EpochViews = { sample: { epoch, ...draw, text } };
    // What the tokenizer learned does not change: told once by each learner (a run, a resumed run, an opened model).
    if (ds.text?.view && !this.toldTokens) views.tokens = ds.text.view;
    this.toldTokens = true;
    if (this.isTransformer) views.attention = await this.attentionOf(attentionText ?? this.firstValidationText());
    return views;
  }

  private toyView(predicted: Float32Array) {
    const ds = tokensOf(this.dataset);
    const T = ds.length;
    const chars = ds.vocab;
    const { x, y } = ds.validation;
    const answerFrom = ds.promptLength - 1;
    const examples = [];
    for (let i = 0; i < predicted.length / T; i++) {
      const text = (a: ArrayLike<number>) => Array.from(a, (t) => chars[t]).join('');
      examples.push({
        prompt: text(x.subarray(i * T, i * T + ds.promptLength)),
        target: text(y.subarray(i * T + answerFrom, (i + 1) * T)),
        predicted: text(predicted.subarray(i * T + answerFrom, (i + 1) * T)),
      });
    }
    return { examples };
  }

  private firstValidationText(): string {
    const ds = tokensOf(this.dataset);
    return decodeTokens(this.codec, ds.validation.x.subarray(0, ds.length));
  }

  /** How text becomes tokens and back: the language's tokenizer, or a toy task's characters. */
  private get codec() {
    const ds = tokensOf(this.dataset);
    return ds.text ?? { vocab: ds.vocab, bpe: null };
  }

  /** Tokens of `text` (its last context-length ones); throws naming the characters the model does not know. */
  private encode(text: string): number[] {
    return encodePrompt(this.codec, text).slice(-this.dataset.length);
  }

  /**
   * Sample `length` tokens, one at a time, from the model's next-token distribution as `draw` says (temperature,
   * top-k, top-p), starting from `prompt` or the start token. Each step reads back one distribution; the draw uses
   * the seeded `rng`. Each drawn token comes with the model's probability of it and its likeliest alternatives.
   * A transformer keeps its keys and values (`keyValueCache`) while the text fits its context, so each step
   * computes one position; past the context the window slides, every position moves, and each step runs it whole.
   */
  private async sampleText(
    length: number,
    draw: DrawSettings,
    rng: Rng,
    prompt = '',
    { keyValueCache = true } = {},
  ): Promise<SampledText> {
    const ds = tokensOf(this.dataset);
    const tokens = prompt ? this.encode(prompt) : [ds.startToken];
    const start = tokens.length;
    const drawn: SampledToken[] = [];
    const decoder = keyValueCache ? (this.model.startDecoding?.() ?? null) : null;
    try {
      for (let i = 0; i < length; i++) {
        const context = tokens.slice(-ds.length);
        const logits =
          decoder && tokens.length <= ds.length
            ? decoder.feed(tokens.slice(decoder.length))
            : tf.tidy(() => {
                const out = this.model.forward(tf.tensor2d(context, [1, context.length], 'int32'));
                return out.slice([0, context.length - 1, 0], [1, 1, out.shape[2]]).reshape([-1]);
              });
        const values = (await logits.data()) as Float32Array;
        logits.dispose();
        const token = drawFrom(drawDistribution(values, draw), rng);
        drawn.push(describeDraw(softmax(values), token, (t) => ds.vocab[t]));
        tokens.push(token);
      }
    } finally {
      decoder?.dispose();
    }
    return { text: prompt + decodeTokens(this.codec, tokens.slice(start)), tokens: drawn };
  }

  /** The attention weights of every layer and head for `text` (its last context-length characters). */
  private async attentionOf(text: string): Promise<AttentionSnapshot> {
    const tokens = this.encode(text);
    if (tokens.length === 0) throw new Error('type at least one character');
    const weights = tf.tidy(() => {
      const collected: tf.Tensor4D[] = [];
      this.model.forward(tf.tensor2d(tokens, [1, tokens.length], 'int32'), undefined, collected);
      return tf.concat(collected.map((w) => w.reshape([-1])));
    });
    const values = (await weights.data()) as Float32Array;
    weights.dispose();
    return { tokens: tokens.map((k) => tokensOf(this.dataset).vocab[k]), ...this.shape, weights: values };
  }

  dispose(): void {
    for (const s of [this.train, this.validation]) tf.dispose([s.x, s.y, ...(s.mask ? [s.mask] : [])]);
    this.compiled.dispose();
    this.model.dispose();
  }
}

/** The dataset's tokens; a series has none (only token models sample, show attention or toy answers). */
function tokensOf(ds: SequenceDataset): TokenDataset {
  if (ds.task === 'forecast') throw new Error('a series has no tokens');
  return ds;
}
