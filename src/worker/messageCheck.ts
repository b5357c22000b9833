import { tableProblem } from '../data/table';
import { checkOwnImages } from '../data/ownImages';
// What the training worker accepts: every message is checked at the boundary before it is acted
// on, so a malformed one is answered with a reason instead of crashing the worker (and every run
// queued in it). Plain TypeScript, no DOM and no tfjs: the tests call it in Node.
import { isObject, validateSpec } from '../experiment';
import { BACKEND_CHOICES, BACKENDS } from '../experiment/types';
import { checkCheckpoint } from '../export/runRecord';
import { drawProblem, type DrawSettings } from '../engine/sampling';
import type { ToWorker } from './protocol';

type Rule = (v: unknown) => string | null;

const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

const int: Rule = (v) => (Number.isInteger(v) ? null : 'must be a whole number');
const bool: Rule = (v) => (typeof v === 'boolean' ? null : 'must be true or false');
const text: Rule = (v) => (typeof v === 'string' ? null : 'must be text');
const spec: Rule = (v) => {
  const result = validateSpec(v);
  return result.ok ? null : `is not a valid experiment (${result.errors[0].field}: ${result.errors[0].message})`;
};
const checkpoint: Rule = (v) => {
  const result = checkCheckpoint(v);
  return result.ok ? null : `${result.errors[0].field} ${result.errors[0].message}`;
};
const draw: Rule = (v) =>
  isObject(v) && isFiniteNumber(v.temperature) && isFiniteNumber(v.topK) && isFiniteNumber(v.topP)
    ? drawProblem(v as unknown as DrawSettings)
    : 'must be { temperature, topK, topP }';
const sampling: Rule = (v) =>
  isObject(v) && (v.attentionText === null || typeof v.attentionText === 'string')
    ? draw(v)
    : 'must be { temperature, topK, topP, attentionText }';
const backendChoice: Rule = (v) =>
  (BACKEND_CHOICES as readonly unknown[]).includes(v) ? null : `must be one of ${BACKEND_CHOICES.join(', ')}`;
const backends: Rule = (v) =>
  Array.isArray(v) && v.every((b) => (BACKENDS as readonly unknown[]).includes(b))
    ? null
    : `must be a list of ${BACKENDS.join(', ')}`;
const userData: Rule = (v) => {
  if (!isObject(v) || (v.text !== undefined && typeof v.text !== 'string' && !(v.text instanceof Blob)))
    return 'must be { text?, table?, images? }';
  const table = v.table === undefined ? null : tableProblem(v.table);
  if (table) return `.table ${table}`;
  const images = v.images === undefined ? null : checkOwnImages(v.images);
  return typeof images === 'string' ? `.images: ${images}` : null;
};
/** A validation image by index, or drawn pixels (at most a 64×64 colour image's worth). */
const imageSource: Rule = (v) =>
  isObject(v) &&
  ((Number.isInteger(v.validation) && (v.validation as number) >= 0) ||
    (v.pixels instanceof Float32Array && v.pixels.length <= 64 * 64 * 3))
    ? null
    : 'must be { validation: index } or { pixels: Float32Array }';
const object: Rule = (v) => (isObject(v) ? null : 'must be an object');
const autoPick: Rule = (v) =>
  isObject(v) && (BACKENDS as readonly unknown[]).includes(v.backend) && Array.isArray(v.measured)
    ? null
    : 'must be { backend, measured }';

/** Each field a message type carries: its rule, and whether it may be left out. */
const FIELDS: Record<ToWorker['type'], Record<string, [Rule, 'optional'?]>> = {
  start: {
    runId: [int],
    spec: [spec],
    stepFirst: [bool],
    data: [userData, 'optional'],
    resume: [checkpoint, 'optional'],
    pastExplosion: [bool, 'optional'],
    avoid: [backends, 'optional'],
    sampling: [sampling],
    autoPick: [autoPick, 'optional'],
  },
  open: {
    runId: [int],
    spec: [spec],
    checkpoint: [checkpoint],
    data: [userData, 'optional'],
    avoid: [backends, 'optional'],
    sampling: [sampling],
    evaluate: [bool, 'optional'],
  },
  probe: { backend: [backendChoice], avoid: [backends, 'optional'] },
  environment: { cores: [int], matmulTunings: [object, 'optional'], live: [bool, 'optional'] },
  pause: {},
  resume: {},
  pace: { live: [bool] },
  drawn: { runId: [int], epoch: [int] },
  skipMeasure: {},
  step: {},
  inspect: { runId: [int], exampleIndex: [int] },
  sampling: { settings: [sampling] },
  sample: { runId: [int], draw: [draw], prompt: [text], seed: [int] },
  attention: { runId: [int], text: [text] },
  imageLook: { runId: [int], source: [imageSource], chosenClass: [int, 'optional'] },
  augmentPreview: { requestId: [int], spec: [spec], data: [userData, 'optional'], count: [int], seed: [int] },
  exportPytorch: { runId: [int], spec: [spec], data: [userData, 'optional'], folder: [text] },
  ping: {},
  stop: { runId: [int, 'optional'] },
};

export type CheckedMessage = { ok: true; message: ToWorker } | { ok: false; runId: number; reason: string };

/** The message as the worker may act on it, or why not (naming the field), with the run it was about (−1: none). */
export function checkToWorker(raw: unknown): CheckedMessage {
  const runId = isObject(raw) && Number.isInteger(raw.runId) ? (raw.runId as number) : -1;
  if (!isObject(raw)) return { ok: false, runId, reason: 'the message must be an object' };
  const type = raw.type;
  if (typeof type !== 'string' || !Object.hasOwn(FIELDS, type))
    return { ok: false, runId, reason: `type must be one of ${Object.keys(FIELDS).join(', ')}` };
  for (const [field, [rule, optional]] of Object.entries(FIELDS[type as ToWorker['type']])) {
    const value = raw[field];
    if (value === undefined && optional) continue;
    const problem = value === undefined ? 'is missing' : rule(value);
    if (problem) return { ok: false, runId, reason: `${type}.${field} ${problem}` };
  }
  return { ok: true, message: raw as unknown as ToWorker };
}
