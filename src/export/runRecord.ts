// What is kept of a run (IndexedDB, run files), and the one check every such record passes
// before the app trusts it: stored records and imported files are untrusted input.
import {
  describeValue,
  isObject,
  migrateSpec,
  validateSpec,
  type ExperimentSpec,
  type FieldError,
} from '../experiment';
import type {
  BackendMeasurement,
  BackendReport,
  EpochMetrics,
  EpochViews,
  LoadedFigures,
  TestResult,
  TextSample,
  TrainingCheckpoint,
} from '../engine/types';
import { BACKENDS, type BackendName } from '../experiment/types';
import { mergesProblem } from '../data/bpe';
import { isNumber, isNumberList, isString, nullable } from './recordValues';
import { checkSample, checkViews } from './viewRecord';

export const RUN_PHASES = [
  'queued',
  'preparing',
  'running',
  'paused',
  'stopped',
  'completed',
  'diverged',
  'exploded',
  'failed',
  'interrupted',
] as const;
/** 'interrupted': it was training when the page went away (reload, crash); it resumes from its checkpoint. */
export type RunPhase = (typeof RUN_PHASES)[number];

/** The run's model as kept: the latest checkpoint's epoch and size (the tensors are stored apart). */
export interface KeptModel {
  epoch: number;
  bytes: number;
}

/** Everything kept of a run. */
export interface RunRecord {
  id: number;
  name: string;
  color: string;
  spec: ExperimentSpec;
  phase: RunPhase;
  /** The explanation that came with the last status (divergence, failure, early stop). */
  message: string | null;
  backend: BackendReport | null;
  epochs: EpochMetrics[];
  /** The latest of each view the epochs produced (boundary, confusion, forecast, attention…). */
  views: EpochViews;
  /** Language models: the text sampled after each epoch (the last MAX_SAMPLES). */
  samples: TextSample[];
  visible: boolean;
  /** The latest checkpoint kept in storage; null when none is (never saved, or its weights were deleted). */
  model: KeptModel | null;
  /** The score on the test split, measured once when the run completed; null without one. */
  test: TestResult | null;
  /** A run made from a weights file: its model's figures as loaded, before any training. */
  asLoaded?: LoadedFigures;
}

const MAX_NAME = 200;
const MAX_MESSAGE = 2000;
const MAX_EPOCHS = 10000;

type Errors = FieldError[];
const isLayerNorms = (l: unknown): l is EpochMetrics['layers'][number] =>
  isObject(l) && isString(l.name, MAX_NAME) && isNumber(l.weightNorm) && isNumber(l.gradNorm);

const NUMBER_FIELDS = [
  'epoch',
  'step',
  'trainLoss',
  'valLoss',
  'trainEvaluated',
  'ms',
  'examplesPerSec',
  'gflop',
  'gflopPerSec',
  'cumulativeGflop',
  'cumulativeMs',
  'learningRate',
  'numTensors',
  'tensorBytes',
] as const;
const NULLABLE_FIELDS = ['trainAccuracy', 'valAccuracy', 'valExactMatch', 'gpuBytes', 'gpuBytesAllocated'] as const;
/** Figures measured only by runs made since they were added: kept when there, left absent otherwise. */
const OPTIONAL_FIELDS = ['valBitsPerByte', 'compiledDispatchesPerStep'] as const;

/** One epoch's figures, rebuilt from known fields only. */
function checkEpoch(errors: Errors, path: string, raw: unknown): EpochMetrics | null {
  if (!isObject(raw)) {
    errors.push({ field: path, message: 'must be an object of per-epoch figures' });
    return null;
  }
  const out: Record<string, unknown> = {};
  for (const f of NUMBER_FIELDS) {
    if (!isNumber(raw[f]))
      errors.push({ field: `${path}.${f}`, message: `must be a number (got ${describeValue(raw[f])})` });
    out[f] = raw[f];
  }
  for (const f of NULLABLE_FIELDS) {
    const v = raw[f] ?? null;
    if (v !== null && !isNumber(v)) errors.push({ field: `${path}.${f}`, message: 'must be a number or null' });
    out[f] = v;
  }
  for (const f of OPTIONAL_FIELDS) {
    const v = raw[f] ?? null;
    if (v !== null && !isNumber(v)) errors.push({ field: `${path}.${f}`, message: 'must be a number or null' });
    if (v !== null) out[f] = v;
  }
  if (!isNumberList(raw.batchLosses, 1_000_000))
    errors.push({ field: `${path}.batchLosses`, message: 'must be a list of numbers' });
  out.batchLosses = raw.batchLosses;
  const layers = raw.layers ?? [];
  if (!Array.isArray(layers) || layers.length > 1000 || !layers.every(isLayerNorms)) {
    errors.push({ field: `${path}.layers`, message: 'must be a list of { name, weightNorm, gradNorm }' });
  } else out.layers = layers.map((l) => ({ name: l.name, weightNorm: l.weightNorm, gradNorm: l.gradNorm }));
  return out as unknown as EpochMetrics;
}

function checkBackend(raw: unknown): BackendReport | null {
  if (
    !isObject(raw) ||
    !(BACKENDS as readonly unknown[]).includes(raw.active) ||
    !Array.isArray(raw.fallbacks) ||
    raw.fallbacks.length > 10 ||
    !raw.fallbacks.every((f) => isString(f, MAX_MESSAGE))
  )
    return null;
  const report: BackendReport = { active: raw.active as BackendReport['active'], fallbacks: raw.fallbacks };
  const { threads } = raw;
  if (typeof threads === 'number' && Number.isInteger(threads) && threads >= 1 && threads <= 1024)
    report.threads = threads;
  const measured = checkMeasurements(raw.measured);
  if (measured) report.measured = measured;
  if (measured && raw.measuredEarlier === true) report.measuredEarlier = true;
  if (measured && raw.measurementSkipped === true) report.measurementSkipped = true;
  return report;
}

/** What "auto" measured on each backend (a run's record, or the page's store of measurements); null unless valid. */
export function checkMeasurements(raw: unknown): BackendMeasurement[] | null {
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > BACKENDS.length) return null;
  const out: BackendMeasurement[] = [];
  for (const m of raw) {
    if (!isObject(m) || !(BACKENDS as readonly unknown[]).includes(m.backend)) return null;
    if (m.msPerStep !== null && !(isNumber(m.msPerStep) && m.msPerStep >= 0)) return null;
    const entry: BackendMeasurement = { backend: m.backend as BackendName, msPerStep: m.msPerStep };
    if (isNumber(m.firstStepMs) && m.firstStepMs >= 0) entry.firstStepMs = m.firstStepMs;
    if (isString(m.note, MAX_MESSAGE)) entry.note = m.note;
    out.push(entry);
  }
  return out;
}

export type RecordResult = { ok: true; run: RunRecord } | { ok: false; errors: FieldError[] };

/**
 * Rebuild a run from an untrusted record (IndexedDB, a run file), known fields only. The spec
 * passes the same validation as a link. `path` prefixes every field named in an error.
 */
export function checkRunRecord(raw: unknown, path = 'run'): RecordResult {
  const errors: Errors = [];
  if (!isObject(raw)) return { ok: false, errors: [{ field: path, message: 'must be an object' }] };
  const spec = validateSpec(migrateSpec(raw.spec));
  // A spec that is not an object at all is named "spec" by the validation: not "spec.spec".
  if (!spec.ok)
    errors.push(
      ...spec.errors.map((e) => ({
        field: e.field === 'spec' ? `${path}.spec` : `${path}.spec.${e.field}`,
        message: e.message,
      })),
    );
  if (!Number.isSafeInteger(raw.id) || (raw.id as number) < 1)
    errors.push({ field: `${path}.id`, message: 'must be a positive whole number' });
  if (!isString(raw.name, MAX_NAME))
    errors.push({ field: `${path}.name`, message: `must be text of at most ${MAX_NAME} characters` });
  if (!(RUN_PHASES as readonly unknown[]).includes(raw.phase))
    errors.push({ field: `${path}.phase`, message: `must be one of ${RUN_PHASES.join(', ')}` });
  const epochs: EpochMetrics[] = [];
  if (!Array.isArray(raw.epochs) || raw.epochs.length > MAX_EPOCHS) {
    errors.push({ field: `${path}.epochs`, message: `must be a list of at most ${MAX_EPOCHS} epochs` });
  } else {
    raw.epochs.forEach((e, i) => {
      const m = checkEpoch(errors, `${path}.epochs[${i}]`, e);
      if (m && m.epoch !== (epochs.at(-1)?.epoch ?? 0) + 1)
        errors.push({
          field: `${path}.epochs[${i}].epoch`,
          message: `must be ${(epochs.at(-1)?.epoch ?? 0) + 1} (epochs in order)`,
        });
      if (m) epochs.push(m);
    });
  }
  const model = raw.model ?? null;
  if (model !== null && !(isObject(model) && Number.isInteger(model.epoch) && isNumber(model.bytes))) {
    errors.push({ field: `${path}.model`, message: 'must be null or { epoch, bytes }' });
  }
  if (errors.length || !spec.ok) return { ok: false, errors };
  const samples = Array.isArray(raw.samples)
    ? raw.samples
        .slice(-200)
        .map(checkSample)
        .filter((s): s is TextSample => s !== null)
    : [];
  return {
    ok: true,
    run: {
      id: raw.id as number,
      name: raw.name as string,
      color: typeof raw.color === 'string' && /^#[0-9a-f]{6}$/i.test(raw.color) ? raw.color : '#7f7f7f',
      spec: spec.spec,
      phase: raw.phase as RunPhase,
      message: isString(raw.message, MAX_MESSAGE) ? raw.message : null,
      backend: checkBackend(raw.backend),
      epochs,
      views: checkViews(raw.views),
      samples,
      visible: raw.visible !== false,
      model: model as KeptModel | null,
      test: checkTest(raw.test),
      ...checkLoaded(raw.asLoaded),
    },
  };
}

/** Figures of loaded weights as kept; left out when absent or damaged (the run keeps the rest). */
function checkLoaded(raw: unknown): { asLoaded?: LoadedFigures } {
  if (!isObject(raw) || !isNumber(raw.trainLoss) || !isNumber(raw.valLoss)) return {};
  return {
    asLoaded: {
      trainLoss: raw.trainLoss,
      valLoss: raw.valLoss,
      trainAccuracy: nullable(raw.trainAccuracy),
      valAccuracy: nullable(raw.valAccuracy),
      valExactMatch: nullable(raw.valExactMatch),
    },
  };
}

/** A test score as kept, or null (absent, from before test splits existed, or damaged: it is remeasured by training again). */
function checkTest(raw: unknown): TestResult | null {
  if (!isObject(raw) || !Number.isInteger(raw.epoch) || !Number.isInteger(raw.examples) || !isNumber(raw.loss))
    return null;
  return {
    epoch: raw.epoch as number,
    examples: raw.examples as number,
    loss: raw.loss,
    accuracy: nullable(raw.accuracy),
    exactMatch: nullable(raw.exactMatch),
  };
}

/**
 * Whether a checkpoint can continue this run, the one rule for stored runs and imported files
 * alike: it is from an epoch the run has figures for (0: loaded weights), with the run's
 * optimizer. Errors name the checkpoint's fields under `path`.
 */
export function checkRunCheckpoint(
  run: Pick<RunRecord, 'epochs' | 'spec'>,
  checkpoint: TrainingCheckpoint,
  path = 'checkpoint',
): FieldError[] {
  const last = run.epochs.at(-1)?.epoch ?? 0;
  const errors: FieldError[] = [];
  const misfit = mergesMisfit(run.spec, checkpoint.merges);
  if (misfit) errors.push({ field: `${path}.merges`, message: misfit });
  if (checkpoint.epoch > last)
    errors.push({
      field: `${path}.epoch`,
      message: `is ${checkpoint.epoch}, past the run's last epoch (${last}): its figures and its model disagree`,
    });
  if (checkpoint.optimizer.kind !== run.spec.training.optimizer.kind)
    errors.push({
      field: `${path}.optimizer`,
      message: `is ${checkpoint.optimizer.kind}, but the run trains with ${run.spec.training.optimizer.kind}`,
    });
  return errors;
}

/** Why a checkpoint's merges cannot be this run's tokenizer: a byte-pair run's vocabulary must hold them all. */
function mergesMisfit(spec: ExperimentSpec, merges: Int32Array | undefined): string | null {
  if (!merges) return null;
  const { tokenizer } = spec.dataset;
  if (tokenizer.kind !== 'bpe') return 'are byte pairs, but the run reads characters';
  const tokens = 256 + merges.length / 2;
  return tokens > tokenizer.vocabSize
    ? `make ${tokens} tokens, more than the run's vocabulary of ${tokenizer.vocabSize}`
    : null;
}

/**
 * A checkpoint read back from storage or a file, checked for its structure (finite numbers,
 * whole tensors); whether its tensors fit the model is checked when it is loaded.
 */
export function checkCheckpoint(
  raw: unknown,
  path = 'checkpoint',
): { ok: true; checkpoint: TrainingCheckpoint } | { ok: false; errors: FieldError[] } {
  const fail = (field: string, message: string) => ({
    ok: false as const,
    errors: [{ field: `${path}.${field}`, message }],
  });
  if (!isObject(raw)) return { ok: false, errors: [{ field: path, message: 'must be an object' }] };
  for (const f of ['epoch', 'step'] as const)
    if (!Number.isInteger(raw[f]) || (raw[f] as number) < 0) return fail(f, 'must be a whole number ≥ 0');
  for (const f of ['cumulativeGflop', 'cumulativeMs'] as const)
    if (!isNumber(raw[f])) return fail(f, 'must be a number');
  const tensors = (v: unknown, field: string) => {
    if (!Array.isArray(v) || v.length > 10_000) return `${field} must be a list of tensors`;
    for (const [i, t] of v.entries()) {
      if (
        !isObject(t) ||
        !isString(t.name, 200) ||
        !Array.isArray(t.shape) ||
        !t.shape.every((d) => Number.isInteger(d) && d >= 0) ||
        !(t.values instanceof Float32Array) ||
        t.values.length !== t.shape.reduce((a: number, b: number) => a * b, 1)
      ) {
        return `${field}[${i}] must be { name, shape, values } with as many float32 values as its shape holds`;
      }
      // A NaN or infinite weight trains on silently into figures that are not numbers.
      if (!t.values.every(Number.isFinite))
        return `${field}[${i}] (${t.name}) holds a value that is not a finite number`;
    }
    return null;
  };
  const wBad = tensors(raw.weights, 'weights');
  if (wBad) return fail('weights', wBad);
  const opt = raw.optimizer;
  if (!isObject(opt) || typeof opt.kind !== 'string') return fail('optimizer', 'must be { kind, slots }');
  const sBad = tensors(opt.slots, 'optimizer.slots');
  if (sBad) return fail('optimizer.slots', sBad);
  const rng = raw.rng;
  if (
    !isObject(rng) ||
    !Object.values(rng).every(
      (r) => isObject(r) && Number.isInteger(r.state) && (r.spareNormal === null || isNumber(r.spareNormal)),
    )
  ) {
    return fail('rng', 'must map each random stream to { state, spareNormal }');
  }
  const best = raw.best;
  if (!isObject(best) || !(best.loss === null || isNumber(best.loss)) || !Number.isInteger(best.epoch))
    return fail('best', 'must be { loss, epoch }');
  if (raw.startLoss !== undefined && raw.startLoss !== null && !isNumber(raw.startLoss))
    return fail('startLoss', 'must be a number or null');
  const merges = checkMerges(raw.merges);
  if (typeof merges === 'string') return fail('merges', merges);
  const c = raw as unknown as TrainingCheckpoint;
  return {
    ok: true,
    checkpoint: {
      epoch: c.epoch,
      step: c.step,
      weights: c.weights.map(({ name, shape, values }) => ({ name, shape, values })),
      optimizer: {
        kind: c.optimizer.kind,
        slots: c.optimizer.slots.map(({ name, shape, values }) => ({ name, shape, values })),
      },
      rng: Object.fromEntries(
        Object.entries(c.rng).map(([k, r]) => [k, { state: r.state, spareNormal: r.spareNormal }]),
      ),
      best: { loss: c.best.loss, epoch: c.best.epoch },
      cumulativeGflop: c.cumulativeGflop,
      cumulativeMs: c.cumulativeMs,
      startLoss: c.startLoss ?? null,
      ...(merges ? { merges } : {}),
    },
  };
}

/** A checkpoint's byte-pair merges (an Int32Array kept in the browser, a list of numbers in a file), or why not. */
function checkMerges(raw: unknown): Int32Array | undefined | string {
  if (raw === undefined) return undefined;
  if (!(raw instanceof Int32Array) && !Array.isArray(raw)) return 'must be a list of token ids, in pairs';
  const problem = mergesProblem(raw as ArrayLike<number>);
  return problem ? problem.replace(/^tokenizer merges: /, '') : Int32Array.from(raw as ArrayLike<number>);
}
