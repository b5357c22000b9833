// The training worker's boundary: every message type it knows passes as the page sends it, and
// anything malformed is refused with the field named, never acted on.
import { expect, test } from 'vitest';
import { checkToWorker } from '../src/worker/messageCheck';
import { defaultSpec } from '../src/experiment';
import type { ToWorker } from '../src/worker/protocol';

const sampling = { temperature: 0.8, topK: 0, topP: 1, attentionText: null };
const checkpoint = {
  epoch: 1,
  step: 10,
  weights: [{ name: 'w', shape: [2], values: new Float32Array(2) }],
  optimizer: { kind: 'adam', slots: [] },
  rng: {},
  best: { loss: null, epoch: 0 },
  cumulativeGflop: 0,
  cumulativeMs: 0,
  startLoss: null,
};

const GOOD: ToWorker[] = [
  { type: 'start', runId: 1, spec: defaultSpec(), stepFirst: false, sampling },
  {
    type: 'start',
    runId: 1,
    spec: defaultSpec(),
    stepFirst: true,
    sampling,
    resume: checkpoint as never,
    avoid: ['webgpu'],
  },
  { type: 'open', runId: 2, spec: defaultSpec(), checkpoint: checkpoint as never, sampling, evaluate: true },
  { type: 'probe', backend: 'auto' },
  { type: 'environment', cores: 2, live: true },
  { type: 'pause' },
  { type: 'resume' },
  { type: 'pace', live: false },
  { type: 'drawn', runId: 1, epoch: 3 },
  { type: 'skipMeasure' },
  { type: 'step' },
  { type: 'inspect', runId: 1, exampleIndex: 0 },
  { type: 'sampling', settings: sampling },
  { type: 'sample', runId: 1, draw: { temperature: 0, topK: 5, topP: 0.9 }, prompt: '.a', seed: 4 },
  { type: 'attention', runId: 1, text: 'anna' },
  { type: 'exportPytorch', runId: 1, spec: defaultSpec(), folder: 'run-1' },
  { type: 'ping' },
  { type: 'stop' },
  { type: 'stop', runId: 3 },
];

test.each(GOOD.map((m) => [m.type, m]))('a well-formed %s passes', (_, message) => {
  expect(checkToWorker(message)).toEqual({ ok: true, message });
});

test.each([
  ['nothing', null, -1, 'the message must be an object'],
  ['a number', 7, -1, 'the message must be an object'],
  ['no type', { runId: 4 }, 4, 'type must be one of start, open,'],
  ['an unknown type', { type: 'format disk' }, -1, 'type must be one of'],
  ['a start without its spec', { type: 'start', runId: 5, stepFirst: false, sampling }, 5, 'start.spec is missing'],
  [
    'a start with a bad spec',
    { type: 'start', runId: 5, spec: { ...defaultSpec(), seed: -1 }, stepFirst: false, sampling },
    5,
    'start.spec is not a valid experiment (seed:',
  ],
  [
    'a resume from a damaged checkpoint',
    { type: 'start', runId: 6, spec: defaultSpec(), stepFirst: false, sampling, resume: { ...checkpoint, epoch: -1 } },
    6,
    'start.resume checkpoint.epoch must be a whole number',
  ],
  ['a fractional run id', { type: 'drawn', runId: 1.5, epoch: 1 }, -1, 'drawn.runId must be a whole number'],
  [
    'a NaN temperature',
    { type: 'sample', runId: 1, draw: { temperature: NaN, topK: 0, topP: 1 }, prompt: '', seed: 1 },
    1,
    'sample.draw must be { temperature, topK, topP }',
  ],
  [
    'a top-k that is not a whole number',
    { type: 'sample', runId: 1, draw: { temperature: 1, topK: 2.5, topP: 1 }, prompt: '', seed: 1 },
    1,
    'sample.draw sampling top-k must be a whole number from 0',
  ],
  [
    'a top-p of 0',
    { type: 'sampling', settings: { temperature: 1, topK: 0, topP: 0, attentionText: null } },
    -1,
    'sampling.settings sampling top-p must be from 0.01 to 1',
  ],
  ['an unknown backend', { type: 'probe', backend: 'tpu' }, -1, 'probe.backend must be one of auto, webgpu'],
  [
    'sampling settings of the wrong shape',
    { type: 'sampling', settings: { temperature: '1' } },
    -1,
    'sampling.settings',
  ],
  ['a stop for a named run', { type: 'stop', runId: 'all' }, -1, 'stop.runId must be a whole number'],
])('%s is refused, naming what is wrong', (_, raw, runId, reason) => {
  const checked = checkToWorker(raw);
  expect(checked.ok).toBe(false);
  if (!checked.ok) {
    expect(checked.runId).toBe(runId);
    expect(checked.reason.startsWith(reason)).toBe(true);
  }
});
