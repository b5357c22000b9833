import {
  BACKEND_CHOICES,
  DATASET_KINDS,
  FEATURE_NAMES,
  MODEL_KINDS,
  OFFICIAL_TEST_IMAGES,
  OPTIMIZER_KINDS,
  SCHEDULE_KINDS,
  SPEC_VERSION,
  TABLE_TASKS,
  OWN_IMAGE_SIDES,
  TOKENIZER_KINDS,
  type TokenizerSpec,
  imageShapeOf,
  isImage,
  DIGIT_DATASETS,
  isClassification,
  isPlane,
  isSeries,
  isTable,
  isText,
  isToy,
  modelsFor,
  type DatasetKind,
  type DatasetSpec,
  type ExperimentSpec,
  type ModelKind,
  type OptimizerKind,
} from './types';
import { DATASET_LABELS, MODEL_LABELS, OPTIMIZER_LABELS, fieldLabel } from './labels';

import { LIMITS } from './limits';
import {
  checkChoice,
  checkNumber,
  describeValue,
  isDenseArray,
  isObject,
  requireObject,
  type Errors,
  type FieldError,
} from './fieldChecks';
import { checkModel } from './modelChecks';
import { cleanSpec } from './cleanSpec';
import { cnnShapes, type CnnLayerSpec } from './cnn';

export { LIMITS } from './limits';
export { describeValue, isObject, type FieldError } from './fieldChecks';

export type SpecResult = { ok: true; spec: ExperimentSpec } | { ok: false; errors: FieldError[] };

/** A decimal number as people type one ("0.01", "3e-4", ".5"), not whatever Number() accepts ("0x1", "  …  0.1"). */
const DECIMAL = /^ ?[+]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)? ?$/i;

/** Whether a typed learning rate (e.g. in the compare panel or the lab) is a decimal number within LIMITS.learningRate. */
export function isLearningRateText(text: string): boolean {
  if (text.length > 40 || !DECIMAL.test(text)) return false;
  const v = Number(text);
  return Number.isFinite(v) && v > LIMITS.learningRate.min && v <= LIMITS.learningRate.max;
}

/**
 * Optimizers picked for a race (the compare panel, the lab) with their learning rates as typed:
 * what is wrong, naming the optimizers, or null.
 */
export function optimizerPickProblem(
  chosen: Record<OptimizerKind, boolean>,
  rates: Record<OptimizerKind, string>,
): string | null {
  const picked = OPTIMIZER_KINDS.filter((k) => chosen[k]);
  if (picked.length === 0) return 'Optimizers: choose at least one.';
  const bad = picked.filter((k) => !isLearningRateText(rates[k]));
  if (bad.length === 0) return null;
  return `Learning rate of ${bad.map((k) => OPTIMIZER_LABELS[k]).join(', ')}: must be a number greater than 0 and at most ${LIMITS.learningRate.max}.`;
}

/** Number of training points a dataset spec yields (the rest go to validation). */
export function trainSize(samples: number, validationSplit: number): number {
  return samples - Math.round(samples * validationSplit);
}

/** What `dataset.samples` counts for this kind of data, and its allowed range. */
export function samplesRule(kind: DatasetKind): { min: number; max: number; unit: string } {
  if (isPlane(kind)) return { ...LIMITS.samples, unit: 'points' };
  if (isText(kind)) return { ...LIMITS.textWindows, unit: 'windows of text' };
  if (isToy(kind)) return { ...LIMITS.toyExamples, unit: 'examples' };
  if (isSeries(kind)) return { ...LIMITS.seriesLength, unit: 'points in the series' };
  if (isTable(kind)) return { ...LIMITS.tableRows, unit: 'rows of your table to use' };
  if (kind === 'userImages') return { ...LIMITS.ownImages, unit: 'of your images to use, at most' };
  if (OFFICIAL_TEST_IMAGES[kind]) return { ...LIMITS.imageSamples, unit: 'training images to use' };
  return { ...LIMITS.mnistSamples, unit: 'real digits' };
}

/** The share of the data kept out of training: validation and test together. */
export function heldOutShare(d: Pick<DatasetSpec, 'validationSplit'> & { testSplit?: number }): number {
  return d.validationSplit + (d.testSplit ?? 0);
}

/**
 * Training, validation and test examples a dataset spec yields (series: one per forecast window;
 * plane: with the points drawn). The examples held out are split between validation and test.
 */
export function exampleCounts(
  d: Pick<DatasetSpec, 'kind' | 'samples' | 'validationSplit' | 'contextLength'> & {
    drawn?: DatasetSpec['drawn'];
    testSplit?: number;
  },
): { train: number; validation: number; test: number } {
  const official = OFFICIAL_TEST_IMAGES[d.kind];
  if (official) {
    // The test split is the official test images; validation comes out of the training images used.
    const validation = Math.round(d.samples * d.validationSplit);
    return { train: d.samples - validation, validation, test: official };
  }
  const drawn = isPlane(d.kind) && d.drawn ? d.drawn.added.length - d.drawn.removed.length : 0;
  const total = isSeries(d.kind) ? Math.max(0, d.samples - d.contextLength) : d.samples + drawn;
  const train = trainSize(total, heldOutShare(d));
  const validation = Math.min(total - train, Math.round(total * d.validationSplit));
  return { train, validation, test: total - train - validation };
}

/** Tokens per example: the text context, or a toy task's prompt and answer (less the last token). */
export function sequenceLength(d: Pick<DatasetSpec, 'kind' | 'contextLength' | 'digits'>): number {
  if (!isToy(d.kind)) return d.contextLength;
  // reverse/sort/copy: digits + '|' + digits − 1; addition: 2·digits + '+' + '=' + (digits + 1) − 1.
  return d.kind === 'addition' ? 3 * d.digits + 2 : 2 * d.digits;
}

/**
 * The one validation of an experiment: every field's type and range, then the rules that
 * tie fields together. Each error names its field by path.
 */
export function validateSpec(raw: unknown): SpecResult {
  const errors: Errors = [];
  if (!isObject(raw)) return { ok: false, errors: [{ field: 'spec', message: 'must be an object' }] };
  if (raw.version !== SPEC_VERSION) {
    const message =
      typeof raw.version === 'number' && raw.version > SPEC_VERSION
        ? `is ${raw.version}, newer than this app understands (${SPEC_VERSION}); update the app to open it`
        : `must be ${SPEC_VERSION} (got ${describeValue(raw.version)})`;
    return { ok: false, errors: [{ field: 'version', message }] };
  }
  checkNumber(errors, 'seed', raw.seed, { ...LIMITS.seed, integer: true });
  checkChoice(errors, 'backend', raw.backend, BACKEND_CHOICES);

  const dataset = requireObject(errors, 'dataset', raw.dataset);
  if (dataset) {
    checkChoice(errors, 'dataset.kind', dataset.kind, DATASET_KINDS);
    const kind = (DATASET_KINDS as readonly unknown[]).includes(dataset.kind)
      ? (dataset.kind as DatasetKind)
      : 'circle';
    checkNumber(errors, 'dataset.samples', dataset.samples, { ...samplesRule(kind), integer: true });
    checkNumber(errors, 'dataset.noise', dataset.noise, LIMITS.noise);
    checkNumber(errors, 'dataset.validationSplit', dataset.validationSplit, LIMITS.validationSplit);
    checkNumber(errors, 'dataset.testSplit', dataset.testSplit, LIMITS.testSplit);
    if (
      !errors.some((e) => e.field === 'dataset.validationSplit' || e.field === 'dataset.testSplit') &&
      (dataset.validationSplit as number) + (dataset.testSplit as number) > LIMITS.heldOut.max + 1e-9
    ) {
      errors.push({
        field: 'dataset.testSplit',
        message: `with the validation split must hold out at most ${LIMITS.heldOut.max} of the data, so enough is left to train on`,
      });
    }
    const window = isSeries(kind) ? LIMITS.seriesWindow : LIMITS.textContext;
    checkNumber(errors, 'dataset.contextLength', dataset.contextLength, { ...window, integer: true });
    checkNumber(errors, 'dataset.digits', dataset.digits, {
      ...(kind === 'addition' ? LIMITS.additionDigits : LIMITS.digits),
      integer: true,
    });
    // Every kind keeps its plane features, so switching to a plane dataset later finds valid ones.
    const features = dataset.features;
    if (!isDenseArray(features, FEATURE_NAMES.length) || features.length === 0) {
      errors.push({ field: 'dataset.features', message: `must list 1 to ${FEATURE_NAMES.length} input features` });
    } else {
      features.forEach((f, i) => checkChoice(errors, `dataset.features[${i}]`, f, FEATURE_NAMES));
      if (new Set(features).size !== features.length) {
        errors.push({ field: 'dataset.features', message: 'must not list a feature twice' });
      }
    }
    const table = dataset.table;
    if (!isObject(table)) errors.push({ field: 'dataset.table', message: 'is missing or not an object' });
    else {
      if (typeof table.target !== 'string' || table.target.length > 200) {
        errors.push({ field: 'dataset.table.target', message: 'must be a column name of at most 200 characters' });
      } else if (isTable(kind) && table.target === '') {
        errors.push({ field: 'dataset.table.target', message: 'choose the column to predict' });
      }
      checkChoice(errors, 'dataset.table.task', table.task, TABLE_TASKS);
    }
    checkDrawn(errors, dataset.drawn, kind, dataset.samples);
    checkAugment(errors, dataset.augment, kind);
    checkOwnImages(errors, dataset.ownImages);
    checkTokenizer(errors, dataset.tokenizer, kind);
    checkNumber(errors, 'dataset.shiftHeldOut', dataset.shiftHeldOut, { ...LIMITS.augmentShift, integer: true });
    if (dataset.shiftHeldOut !== 0 && !isImage(kind))
      errors.push({ field: 'dataset.shiftHeldOut', message: 'applies to images only: set it to 0' });
    if (
      isSeries(kind) &&
      !errors.some((e) => e.field === 'dataset.samples' || e.field === 'dataset.contextLength') &&
      (dataset.samples as number) < 4 * (dataset.contextLength as number)
    ) {
      errors.push({
        field: 'dataset.contextLength',
        message: `must be at most a quarter of the series length (${Math.floor((dataset.samples as number) / 4)})`,
      });
    }
  }

  const model = requireObject(errors, 'model', raw.model);
  if (model) checkModel(errors, model);
  if (
    model &&
    dataset &&
    (MODEL_KINDS as readonly unknown[]).includes(model.kind) &&
    (DATASET_KINDS as readonly unknown[]).includes(dataset.kind)
  ) {
    const allowed = modelsFor(dataset.kind as DatasetKind);
    if (!allowed.includes(model.kind as ModelKind)) {
      errors.push({
        field: 'model.kind',
        message:
          `${MODEL_LABELS[model.kind as ModelKind]} cannot train on ${DATASET_LABELS[dataset.kind as DatasetKind]}; ` +
          `choose ${allowed.map((k) => MODEL_LABELS[k]).join(' or ')}`,
      });
    }
  }

  const training = requireObject(errors, 'training', raw.training);
  let schedule: Record<string, unknown> | null = null;
  if (training) {
    const opt = requireObject(errors, 'training.optimizer', training.optimizer);
    if (opt) {
      checkChoice(errors, 'training.optimizer.kind', opt.kind, OPTIMIZER_KINDS);
      checkNumber(errors, 'training.optimizer.learningRate', opt.learningRate, {
        ...LIMITS.learningRate,
        minExclusive: true,
      });
      checkNumber(errors, 'training.optimizer.momentum', opt.momentum, { min: 0, max: 1, maxExclusive: true });
      checkNumber(errors, 'training.optimizer.beta1', opt.beta1, { min: 0, max: 1, maxExclusive: true });
      checkNumber(errors, 'training.optimizer.beta2', opt.beta2, { min: 0, max: 1, maxExclusive: true });
      checkNumber(errors, 'training.optimizer.rho', opt.rho, { min: 0, max: 1, maxExclusive: true });
      checkNumber(errors, 'training.optimizer.epsilon', opt.epsilon, { min: 0, max: 1, minExclusive: true });
      checkNumber(errors, 'training.optimizer.weightDecay', opt.weightDecay, LIMITS.penalty);
      checkNumber(errors, 'training.optimizer.rmspropMomentum', opt.rmspropMomentum, {
        min: 0,
        max: 1,
        maxExclusive: true,
      });
      for (const flag of ['centered', 'amsgrad', 'decayMatricesOnly'] as const) {
        if (typeof opt[flag] !== 'boolean')
          errors.push({
            field: `training.optimizer.${flag}`,
            message: `must be true or false (got ${describeValue(opt[flag])})`,
          });
      }
    }
    schedule = requireObject(errors, 'training.schedule', training.schedule);
    if (schedule) {
      checkChoice(errors, 'training.schedule.kind', schedule.kind, SCHEDULE_KINDS);
      checkNumber(errors, 'training.schedule.stepEpochs', schedule.stepEpochs, {
        min: 1,
        max: LIMITS.epochs.max,
        integer: true,
      });
      checkNumber(errors, 'training.schedule.gamma', schedule.gamma, { min: 0, max: 1, minExclusive: true });
      checkNumber(errors, 'training.schedule.minLearningRate', schedule.minLearningRate, {
        min: 0,
        max: LIMITS.learningRate.max,
      });
      checkNumber(errors, 'training.schedule.warmupEpochs', schedule.warmupEpochs, {
        min: 0,
        max: LIMITS.epochs.max,
        integer: true,
      });
    }
    checkNumber(errors, 'training.batchSize', training.batchSize, { ...LIMITS.batchSize, integer: true });
    checkNumber(errors, 'training.epochs', training.epochs, { ...LIMITS.epochs, integer: true });
    checkNumber(errors, 'training.l1', training.l1, LIMITS.penalty);
    checkNumber(errors, 'training.l2', training.l2, LIMITS.penalty);
    checkNumber(errors, 'training.clipNorm', training.clipNorm, { min: 0, max: 1e6 });
    checkNumber(errors, 'training.earlyStopPatience', training.earlyStopPatience, {
      min: 0,
      max: LIMITS.epochs.max,
      integer: true,
    });
  }

  // Cross-field rules, checked only once the fields they read are valid on their own.
  const has = (field: string) => errors.some((e) => e.field === field);
  if (
    dataset &&
    training &&
    !has('dataset.kind') &&
    !has('dataset.samples') &&
    !has('dataset.validationSplit') &&
    !has('dataset.contextLength') &&
    !has('dataset.testSplit') &&
    !has('training.batchSize') &&
    !errors.some((e) => e.field.startsWith('dataset.drawn'))
  ) {
    const nTrain = exampleCounts(dataset as unknown as DatasetSpec).train;
    if ((training.batchSize as number) > nTrain) {
      const what = isPlane(dataset.kind as DatasetKind) ? 'training points' : 'training examples';
      errors.push({
        field: 'training.batchSize',
        message: `must be at most the number of ${what} (${nTrain}); lower it or add samples`,
      });
    }
  }

  if (model?.kind === 'cnn' && dataset && !has('dataset.kind') && !errors.some((e) => e.field.startsWith('model.'))) {
    const image =
      isObject(dataset.ownImages) && !has('dataset.ownImages') ? imageShapeOf(dataset as unknown as DatasetSpec) : null;
    const walked = image ? cnnShapes(model.layers as CnnLayerSpec[], image) : null;
    if (walked && !walked.ok)
      errors.push({ field: `model.layers[${walked.index}]`, message: `is too much: ${walked.message}` });
  }

  if (model?.kind === 'mlp' && model.norm === 'batchNorm' && training && !has('training.batchSize')) {
    if ((training.batchSize as number) < 2)
      errors.push({
        field: 'training.batchSize',
        message: 'must be at least 2 with BatchNorm, which normalises each unit over the batch',
      });
  }

  if (
    schedule &&
    training &&
    !has('training.schedule.warmupEpochs') &&
    !has('training.epochs') &&
    (schedule.warmupEpochs as number) >= (training.epochs as number) &&
    (schedule.warmupEpochs as number) > 0
  ) {
    errors.push({
      field: 'training.schedule.warmupEpochs',
      message: `must be fewer than the epochs (${training.epochs as number})`,
    });
  }
  if (
    schedule &&
    training &&
    schedule.kind === 'cosine' &&
    !has('training.schedule.minLearningRate') &&
    training.optimizer &&
    isObject(training.optimizer) &&
    (schedule.minLearningRate as number) > (training.optimizer.learningRate as number)
  ) {
    errors.push({ field: 'training.schedule.minLearningRate', message: 'must not exceed the learning rate' });
  }

  if (errors.length) return { ok: false, errors: errors.map((e) => ({ ...e, label: fieldLabel(e.field, model) })) };
  return { ok: true, spec: cleanSpec(raw as unknown as ExperimentSpec) };
}

/** Image augmentation: whole-pixel shifts, degrees of rotation, flips only where a mirror image is the same class. */
function checkAugment(errors: Errors, augment: unknown, kind: DatasetKind): void {
  if (!isObject(augment)) {
    errors.push({ field: 'dataset.augment', message: 'must be { shift, rotation, flip }' });
    return;
  }
  checkNumber(errors, 'dataset.augment.shift', augment.shift, { ...LIMITS.augmentShift, integer: true });
  checkNumber(errors, 'dataset.augment.rotation', augment.rotation, LIMITS.augmentRotation);
  if (typeof augment.flip !== 'boolean')
    errors.push({ field: 'dataset.augment.flip', message: 'must be true or false' });
  else if (augment.flip && DIGIT_DATASETS.includes(kind))
    errors.push({
      field: 'dataset.augment.flip',
      message: 'is off for digits: a mirrored 2, 3, 4, 5, 6, 7 or 9 is not that digit',
    });
  const changes = augment.shift !== 0 || augment.rotation !== 0 || augment.flip === true;
  if (changes && !isImage(kind))
    errors.push({
      field: 'dataset.augment',
      message: 'applies to images only: set shift and rotation to 0 and flip off',
    });
}

/** Your own images' size and colour (asked of every spec, so a link keeps them when the data is switched). */
function checkOwnImages(errors: Errors, own: unknown): void {
  if (!isObject(own)) {
    errors.push({ field: 'dataset.ownImages', message: 'must be { side, colour }' });
    return;
  }
  if (!OWN_IMAGE_SIDES.includes(own.side as (typeof OWN_IMAGE_SIDES)[number]))
    errors.push({
      field: 'dataset.ownImages.side',
      message: `must be one of ${OWN_IMAGE_SIDES.join(', ')} pixels, got ${describeValue(own.side)}`,
    });
  if (typeof own.colour !== 'boolean')
    errors.push({ field: 'dataset.ownImages.colour', message: 'must be true or false' });
}

function checkTokenizer(errors: Errors, tokenizer: unknown, kind: DatasetKind): void {
  if (!isObject(tokenizer)) {
    errors.push({ field: 'dataset.tokenizer', message: 'must be { kind, vocabSize }' });
    return;
  }
  if (!TOKENIZER_KINDS.includes(tokenizer.kind as TokenizerSpec['kind']))
    errors.push({
      field: 'dataset.tokenizer.kind',
      message: `must be one of ${TOKENIZER_KINDS.join(', ')}, got ${describeValue(tokenizer.kind)}`,
    });
  else if (tokenizer.kind === 'bpe' && !isText(kind))
    errors.push({ field: 'dataset.tokenizer.kind', message: 'byte pairs apply to text only: choose characters' });
  checkNumber(errors, 'dataset.tokenizer.vocabSize', tokenizer.vocabSize, { ...LIMITS.bpeVocab, integer: true });
}

/** Points drawn on the plane: inside it, of a class, within bounds; removals name generated points once each. */
function checkDrawn(errors: Errors, drawn: unknown, kind: DatasetKind, samples: unknown): void {
  const { max } = LIMITS.drawnPoints;
  const n = typeof samples === 'number' ? samples : 0;
  if (!isObject(drawn) || !isDenseArray(drawn.added, max) || !isDenseArray(drawn.removed, Math.max(n, 0))) {
    errors.push({
      field: 'dataset.drawn',
      message: `must be { added: [...], removed: [...] } with at most ${max} points added and no more removed than generated`,
    });
    return;
  }
  const editable = isPlane(kind) && isClassification(kind);
  if (!editable && (drawn.added.length || drawn.removed.length)) {
    errors.push({ field: 'dataset.drawn', message: 'points can be drawn only on the plane classification datasets' });
    return;
  }
  const isPoint = (p: unknown): p is number[] =>
    isDenseArray(p, 3) && p.length === 3 && p.every((v) => typeof v === 'number' && Number.isFinite(v));
  const bad = drawn.added.findIndex(
    (p) => !isPoint(p) || Math.abs(p[0]) > DOMAIN || Math.abs(p[1]) > DOMAIN || (p[2] !== 0 && p[2] !== 1),
  );
  if (bad >= 0)
    errors.push({
      field: `dataset.drawn.added[${bad}]`,
      message: `must be [x1, x2, class] with x1, x2 in −${DOMAIN}…${DOMAIN} and class 0 or 1`,
    });
  const removed = drawn.removed as number[];
  if (!removed.every((v, i) => Number.isInteger(v) && v >= 0 && v < n && (i === 0 || v > removed[i - 1]))) {
    errors.push({
      field: 'dataset.drawn.removed',
      message: `must list generated points (0 to ${Math.max(0, n - 1)}) once each, in order`,
    });
  }
}

/** Points lie in [−DOMAIN, DOMAIN]² (see data/twoD.ts). */
const DOMAIN = 6;

/** Errors keyed by field path, for showing each one beside its input. */
export function errorsByField(errors: FieldError[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of errors) out[e.field] ??= e.message;
  return out;
}
