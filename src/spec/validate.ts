import {
  ACTIVATIONS, BACKEND_CHOICES, DATASET_KINDS, FEATURE_NAMES, OPTIMIZER_KINDS, SCHEDULE_KINDS, SPEC_VERSION,
  type ExperimentSpec,
} from './types';

/** One problem with one field, e.g. { field: 'training.batchSize', message: 'must be …' }. */
export interface FieldError {
  field: string;
  message: string;
}

export type SpecResult = { ok: true; spec: ExperimentSpec } | { ok: false; errors: FieldError[] };

export const LIMITS = {
  samples: { min: 20, max: 5000 },
  mnistSamples: { min: 100, max: 10000 },
  noise: { min: 0, max: 3 },
  validationSplit: { min: 0.05, max: 0.5 },
  hiddenLayers: { max: 8 },
  units: { min: 1, max: 256 },
  dropout: { min: 0, max: 0.9 },
  learningRate: { min: 0, max: 10 },
  batchSize: { min: 1, max: 1024 },
  epochs: { min: 1, max: 10000 },
  penalty: { min: 0, max: 1 },
  seed: { min: 0, max: 2 ** 32 - 1 },
} as const;

type Errors = FieldError[];

function describe(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) return 'not a number';
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 40 ? text.slice(0, 40) + '…' : text;
}

function checkNumber(
  errors: Errors, field: string, value: unknown,
  opts: { min: number; max: number; integer?: boolean; minExclusive?: boolean; maxExclusive?: boolean },
): void {
  const lo = `${opts.minExclusive ? 'greater than' : 'at least'} ${opts.min}`;
  const hi = `${opts.maxExclusive ? 'less than' : 'at most'} ${opts.max}`;
  const wanted = `${opts.integer ? 'a whole number' : 'a number'} ${lo} and ${hi}`;
  const bad =
    typeof value !== 'number' || !Number.isFinite(value) ||
    (opts.integer && !Number.isInteger(value)) ||
    (opts.minExclusive ? value <= opts.min : value < opts.min) ||
    (opts.maxExclusive ? value >= opts.max : value > opts.max);
  if (bad) errors.push({ field, message: `must be ${wanted} (got ${describe(value)})` });
}

function checkChoice(errors: Errors, field: string, value: unknown, choices: readonly string[]): void {
  if (typeof value !== 'string' || !choices.includes(value)) {
    errors.push({ field, message: `must be one of ${choices.join(', ')} (got ${describe(value)})` });
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireObject(errors: Errors, field: string, value: unknown): Record<string, unknown> | null {
  if (isObject(value)) return value;
  errors.push({ field, message: 'is missing or not an object' });
  return null;
}

/** Whether a typed learning rate (e.g. in the compare panel or the lab) is within LIMITS.learningRate. */
export function isLearningRateText(text: string): boolean {
  const v = Number(text);
  return text.trim() !== '' && Number.isFinite(v) && v > LIMITS.learningRate.min && v <= LIMITS.learningRate.max;
}

/** Number of training points a dataset spec yields (the rest go to validation). */
export function trainSize(samples: number, validationSplit: number): number {
  return samples - Math.round(samples * validationSplit);
}

/**
 * The one validation of an experiment: every field's type and range, then the rules that
 * tie fields together. Each error names its field by path.
 */
export function validateSpec(raw: unknown): SpecResult {
  const errors: Errors = [];
  if (!isObject(raw)) return { ok: false, errors: [{ field: 'spec', message: 'must be an object' }] };
  if (raw.version !== SPEC_VERSION) {
    const message = typeof raw.version === 'number' && raw.version > SPEC_VERSION
      ? `is ${raw.version}, newer than this app understands (${SPEC_VERSION}); update the app to open it`
      : `must be ${SPEC_VERSION} (got ${describe(raw.version)})`;
    return { ok: false, errors: [{ field: 'version', message }] };
  }
  checkNumber(errors, 'seed', raw.seed, { ...LIMITS.seed, integer: true });
  checkChoice(errors, 'backend', raw.backend, BACKEND_CHOICES);

  const dataset = requireObject(errors, 'dataset', raw.dataset);
  if (dataset) {
    checkChoice(errors, 'dataset.kind', dataset.kind, DATASET_KINDS);
    const mnist = dataset.kind === 'mnist';
    checkNumber(errors, 'dataset.samples', dataset.samples, { ...(mnist ? LIMITS.mnistSamples : LIMITS.samples), integer: true });
    checkNumber(errors, 'dataset.noise', dataset.noise, LIMITS.noise);
    checkNumber(errors, 'dataset.validationSplit', dataset.validationSplit, LIMITS.validationSplit);
    const features = dataset.features;
    if (mnist) {
      // Images feed their pixels; the plane's features do not apply.
    } else if (!Array.isArray(features) || features.length === 0) {
      errors.push({ field: 'dataset.features', message: 'must list at least one input feature' });
    } else {
      features.forEach((f, i) => checkChoice(errors, `dataset.features[${i}]`, f, FEATURE_NAMES));
      if (new Set(features).size !== features.length) {
        errors.push({ field: 'dataset.features', message: 'must not list a feature twice' });
      }
    }
  }

  const model = requireObject(errors, 'model', raw.model);
  if (model) {
    checkChoice(errors, 'model.kind', model.kind, ['mlp']);
    if (!Array.isArray(model.hidden) || model.hidden.length > LIMITS.hiddenLayers.max) {
      errors.push({ field: 'model.hidden', message: `must be a list of at most ${LIMITS.hiddenLayers.max} layers` });
    } else {
      model.hidden.forEach((layer, i) => {
        const field = `model.hidden[${i}]`;
        const l = requireObject(errors, field, layer);
        if (!l) return;
        checkNumber(errors, `${field}.units`, l.units, { ...LIMITS.units, integer: true });
        checkChoice(errors, `${field}.activation`, l.activation, ACTIVATIONS);
        checkNumber(errors, `${field}.dropout`, l.dropout, LIMITS.dropout);
      });
    }
  }

  const training = requireObject(errors, 'training', raw.training);
  let schedule: Record<string, unknown> | null = null;
  if (training) {
    const opt = requireObject(errors, 'training.optimizer', training.optimizer);
    if (opt) {
      checkChoice(errors, 'training.optimizer.kind', opt.kind, OPTIMIZER_KINDS);
      checkNumber(errors, 'training.optimizer.learningRate', opt.learningRate, { ...LIMITS.learningRate, minExclusive: true });
      checkNumber(errors, 'training.optimizer.momentum', opt.momentum, { min: 0, max: 1, maxExclusive: true });
      checkNumber(errors, 'training.optimizer.beta1', opt.beta1, { min: 0, max: 1, maxExclusive: true });
      checkNumber(errors, 'training.optimizer.beta2', opt.beta2, { min: 0, max: 1, maxExclusive: true });
      checkNumber(errors, 'training.optimizer.rho', opt.rho, { min: 0, max: 1, maxExclusive: true });
      checkNumber(errors, 'training.optimizer.epsilon', opt.epsilon, { min: 0, max: 1, minExclusive: true });
      checkNumber(errors, 'training.optimizer.weightDecay', opt.weightDecay, LIMITS.penalty);
    }
    schedule = requireObject(errors, 'training.schedule', training.schedule);
    if (schedule) {
      checkChoice(errors, 'training.schedule.kind', schedule.kind, SCHEDULE_KINDS);
      checkNumber(errors, 'training.schedule.stepEpochs', schedule.stepEpochs, { min: 1, max: LIMITS.epochs.max, integer: true });
      checkNumber(errors, 'training.schedule.gamma', schedule.gamma, { min: 0, max: 1, minExclusive: true });
      checkNumber(errors, 'training.schedule.minLearningRate', schedule.minLearningRate, { min: 0, max: LIMITS.learningRate.max });
      checkNumber(errors, 'training.schedule.warmupEpochs', schedule.warmupEpochs, { min: 0, max: LIMITS.epochs.max, integer: true });
    }
    checkNumber(errors, 'training.batchSize', training.batchSize, { ...LIMITS.batchSize, integer: true });
    checkNumber(errors, 'training.epochs', training.epochs, { ...LIMITS.epochs, integer: true });
    checkNumber(errors, 'training.l1', training.l1, LIMITS.penalty);
    checkNumber(errors, 'training.l2', training.l2, LIMITS.penalty);
    checkNumber(errors, 'training.clipNorm', training.clipNorm, { min: 0, max: 1e6 });
    checkNumber(errors, 'training.earlyStopPatience', training.earlyStopPatience, { min: 0, max: LIMITS.epochs.max, integer: true });
  }

  // Cross-field rules, checked only once the fields they read are valid on their own.
  const has = (field: string) => errors.some((e) => e.field === field);
  if (dataset && training && !has('dataset.samples') && !has('dataset.validationSplit') && !has('training.batchSize')) {
    const nTrain = trainSize(dataset.samples as number, dataset.validationSplit as number);
    if ((training.batchSize as number) > nTrain) {
      errors.push({
        field: 'training.batchSize',
        message: `must be at most the number of training points (${nTrain}); lower it or add samples`,
      });
    }
  }

  if (schedule && training && !has('training.schedule.warmupEpochs') && !has('training.epochs')
    && (schedule.warmupEpochs as number) >= (training.epochs as number) && (schedule.warmupEpochs as number) > 0) {
    errors.push({ field: 'training.schedule.warmupEpochs', message: `must be fewer than the epochs (${training.epochs})` });
  }
  if (schedule && training && schedule.kind === 'cosine' && !has('training.schedule.minLearningRate')
    && training.optimizer && isObject(training.optimizer)
    && (schedule.minLearningRate as number) > (training.optimizer.learningRate as number)) {
    errors.push({ field: 'training.schedule.minLearningRate', message: 'must not exceed the learning rate' });
  }

  return errors.length ? { ok: false, errors } : { ok: true, spec: raw as unknown as ExperimentSpec };
}

/** Errors keyed by field path, for showing each one beside its input. */
export function errorsByField(errors: FieldError[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of errors) out[e.field] ??= e.message;
  return out;
}
