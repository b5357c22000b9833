// Drawing a language model's next token: temperature, top-k and top-p cut the distribution as they should, the
// seeded draw follows it, and a sampled text reports each token's probability and its likeliest alternatives.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { activateBackend } from '../src/engine/backend';
import { SequenceLearner } from '../src/engine/learners/sequence';
import { buildSequenceDataset } from '../src/data';
import { Rng } from '../src/data/rng';
import {
  describeDraw,
  drawDistribution,
  drawFrom,
  drawProblem,
  softmax,
  type DrawSettings,
} from '../src/engine/sampling';
import { drawLabel, shownPieces } from '../src/ui/views/sampledText';
import { TRANSFORMER_OPTION_DEFAULTS } from '../src/experiment';
import { specFor } from './specFor';

const LOGITS = [2, 0.5, 1, -1, 3, 0];
const ORDER = [4, 0, 2, 1, 5, 3]; // likeliest first
const settings = (s: Partial<DrawSettings>): DrawSettings => ({ temperature: 1, topK: 0, topP: 1, ...s });

describe('the distribution a token is drawn from', () => {
  test('temperature 1 with nothing cut is the softmax; temperature 0 the likeliest alone', () => {
    const p = softmax(LOGITS);
    expect(Array.from(drawDistribution(LOGITS, settings({})))).toEqual(Array.from(p));
    expect(Array.from(drawDistribution(LOGITS, settings({ temperature: 0 })))).toEqual([0, 0, 0, 0, 1, 0]);
    // A lower temperature sharpens: the likeliest gains.
    expect(drawDistribution(LOGITS, settings({ temperature: 0.5 }))[4]).toBeGreaterThan(p[4]);
  });

  test('top-k keeps the k likeliest, renormalised', () => {
    const p = softmax(LOGITS);
    const cut = drawDistribution(LOGITS, settings({ topK: 3 }));
    const kept = ORDER.slice(0, 3);
    const mass = kept.reduce((s, i) => s + p[i], 0);
    for (let i = 0; i < p.length; i++) expect(cut[i]).toBeCloseTo(kept.includes(i) ? p[i] / mass : 0, 12);
  });

  test('top-p keeps the fewest likeliest whose probabilities reach p, and composes with top-k', () => {
    const p = softmax(LOGITS);
    const reach = (n: number) => ORDER.slice(0, n).reduce((s, i) => s + p[i], 0);
    // p just above the first two tokens' mass needs a third; exactly their mass, two.
    const needs = (topP: number) =>
      Array.from(drawDistribution(LOGITS, settings({ topP }))).filter((v) => v > 0).length;
    expect(needs(reach(2) + 1e-9)).toBe(3);
    expect(needs(reach(2))).toBe(2);
    expect(needs(0.01)).toBe(1);
    expect(Array.from(drawDistribution(LOGITS, settings({ topP: 0.999, topK: 2 }))).filter((v) => v > 0)).toHaveLength(
      2,
    );
  });

  test('the seeded draw follows the distribution and never takes a token cut away', () => {
    const p = drawDistribution(LOGITS, settings({ topK: 4 }));
    const rng = new Rng(7);
    const counts = new Array(LOGITS.length).fill(0);
    const n = 20_000;
    for (let i = 0; i < n; i++) counts[drawFrom(p, rng)]++;
    for (let i = 0; i < p.length; i++) expect(Math.abs(counts[i] / n - p[i])).toBeLessThan(0.015);
    expect(counts[5] + counts[3]).toBe(0);
  });

  test('each drawn token is described by the model’s probability and the five likeliest others', () => {
    const p = softmax(LOGITS);
    const d = describeDraw(p, 2, (t) => 'abcdef'[t]);
    expect(d.text).toBe('c');
    expect(d.probability).toBe(p[2]);
    expect(d.alternatives.map((a) => a.text)).toEqual(['e', 'a', 'b', 'f', 'd']);
  });

  test('settings out of range are refused, naming the setting', () => {
    expect(drawProblem(settings({}))).toBeNull();
    expect(drawProblem(settings({ temperature: -0.1 }))).toMatch(/temperature must be from 0 to 2/);
    expect(drawProblem(settings({ topK: 1.5 }))).toMatch(/top-k must be a whole number/);
    expect(drawProblem(settings({ topP: 0 }))).toMatch(/top-p must be from 0.01 to 1/);
    expect(drawLabel(settings({ temperature: 0.8 }))).toBe('temperature 0.8');
    expect(drawLabel(settings({ temperature: 0.8, topK: 5, topP: 0.9 }))).toBe('temperature 0.8 · top-k 5 · top-p 0.9');
  });
});

describe('sampling a language model', () => {
  let learner: SequenceLearner;
  beforeAll(async () => {
    await activateBackend('wasm');
    const spec = specFor(
      'names',
      { kind: 'lstm', cell: 'lstm', embedding: 8, layers: [{ units: 16, dropout: 0 }] },
      (s) => {
        s.dataset.samples = 200;
        s.dataset.contextLength = 8;
      },
    );
    const files = { text: readFileSync('datasets/names.txt', 'utf8') };
    learner = new SequenceLearner(spec, buildSequenceDataset(spec.dataset, spec.seed, files));
  });
  afterAll(() => learner.dispose());

  const sample = (draw: Partial<DrawSettings>, seed = 1, prompt = '.ma') =>
    learner.sample!(40, settings(draw), new Rng(seed), prompt);

  test('top-k 1 is greedy at any temperature; the same seed draws the same text, another seed other text', async () => {
    const before = tf.memory().numTensors;
    const greedy = await sample({ temperature: 0 });
    expect(greedy.text.startsWith('.ma')).toBe(true);
    expect(greedy.tokens).toHaveLength(40);
    expect((await sample({ temperature: 1.5, topK: 1 }, 9)).text).toBe(greedy.text);
    expect((await sample({}, 3)).text).toBe((await sample({}, 3)).text);
    expect((await sample({}, 3)).text).not.toBe((await sample({}, 4)).text);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('every drawn token is within top-k and top-p, with its probability and the likeliest others', async () => {
    for (const t of (await sample({ topK: 3 }, 5)).tokens) {
      expect(t.alternatives).toHaveLength(5);
      expect(t.alternatives.filter((a) => a.probability > t.probability).length).toBeLessThan(3);
      const shown = [t.probability, ...t.alternatives.map((a) => a.probability)];
      expect(shown.reduce((s, v) => s + v, 0)).toBeLessThanOrEqual(1 + 1e-9);
    }
    for (const t of (await sample({ topP: 0.3 }, 6)).tokens) {
      const likelier = t.alternatives.filter((a) => a.probability > t.probability);
      // Everything likelier than a drawn token is in the nucleus before it: together under p.
      expect(likelier.reduce((s, a) => s + a.probability, 0)).toBeLessThan(0.3);
    }
  });

  test('names read as a list: the prompt and tokens shown with boundaries between names only', () => {
    const token = (text: string) => ({ text, probability: 0.5, alternatives: [] });
    const pieces = shownPieces('.ma', ['r', 'y', '.', '.', 'a', 'l', '.'].map(token), true);
    expect(pieces.map((p) => p.text).join('')).toBe('mary, al');
    expect(pieces.filter((p) => p.token).length).toBe(5);
    expect(shownPieces('The ', [token('a')], false).map((p) => p.text)).toEqual(['The ', 'a']);
  });
});

describe('a transformer samples with a key–value cache', () => {
  test('the same text and probabilities as computing each step over the whole context, before and past it', async () => {
    await activateBackend('wasm');
    const spec = specFor(
      'names',
      {
        ...TRANSFORMER_OPTION_DEFAULTS,
        kind: 'transformer',
        layers: 2,
        dModel: 16,
        heads: 2,
        dropout: 0,
        position: 'rope',
        norm: 'rmsNorm',
      },
      (s) => {
        s.dataset.samples = 200;
        s.dataset.contextLength = 16;
        s.dataset.tokenizer = { kind: 'bpe', vocabSize: 300 };
      },
    );
    const files = { text: readFileSync('datasets/names.txt', 'utf8') };
    const before = tf.memory().numTensors;
    const learner = new SequenceLearner(spec, buildSequenceDataset(spec.dataset, spec.seed, files));
    // Weights far from their small initial ones, so each step's distribution is far from uniform.
    for (const v of learner.variables) tf.tidy(() => v.assign(v.mul(40)));
    const draw = settings({ temperature: 0.9, topP: 0.95 });
    // 40 tokens after the prompt: the first 13 or so within the context of 16 (cached), the rest past it.
    const cached = await learner.sample!(40, draw, new Rng(7), '.ma');
    const whole = await learner.sample!(40, draw, new Rng(7), '.ma', { keyValueCache: false });
    expect(cached.text).toBe(whole.text);
    expect(cached.tokens.map((t) => t.text)).toEqual(whole.tokens.map((t) => t.text));
    cached.tokens.forEach((t, i) => expect(t.probability).toBeCloseTo(whole.tokens[i].probability, 5));
    expect(Math.min(...cached.tokens.map((t) => t.probability))).toBeLessThan(0.5); // drawn, not greedy
    learner.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
