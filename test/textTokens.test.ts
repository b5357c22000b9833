// Language datasets in byte pairs: learned from the training part of the text only, every token decodes back to
// the text, the model's vocabulary is the size asked for, and a transformer learns from them and samples text.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { activateBackend } from '../src/engine/backend';
import { Trainer } from '../src/engine/trainer';
import { buildSequenceDataset, problemShape, type TokenDataset } from '../src/data';
import { trainBpe } from '../src/data/bpe';
import {
  bytesPerTokenOf,
  decodeTokens,
  encodePrompt,
  tokenizeText,
  tokenView,
  TOKEN_VIEW_LIMITS,
} from '../src/data/textTokens';
import { stringBytes } from '../src/data/wtf8';
import { TRANSFORMER_OPTION_DEFAULTS, defaultModel, validateSpec, type ExperimentSpec } from '../src/experiment';
import type { EpochMetrics, EpochViews } from '../src/engine/types';
import { specFor } from './specFor';

const speeches = readFileSync('datasets/sotu.txt', 'utf8');
const names = readFileSync('datasets/names.txt', 'utf8');

describe('a text in byte pairs', () => {
  test('the merges come from the training characters only, and the tokens decode to the whole text', () => {
    const text = speeches.slice(0, 120_000);
    const { tokens, codec } = tokenizeText(text, { kind: 'bpe', vocabSize: 600 }, 80_000);
    expect(Array.from(codec.bpe!.merges)).toEqual(Array.from(trainBpe(text.slice(0, 80_000), 600).merges));
    expect(Array.from(codec.bpe!.merges)).not.toEqual(Array.from(trainBpe(text, 600).merges));
    expect(decodeTokens(codec, tokens)).toBe(text);
    expect(codec.vocab).toHaveLength(600);
    expect(bytesPerTokenOf(codec, tokens)).toBeCloseTo(stringBytes(text).length / tokens.length, 12);
    expect(bytesPerTokenOf(codec, tokens)).toBeGreaterThan(2);
    // Any prompt reads, even characters the text never had.
    expect(decodeTokens(codec, encodePrompt(codec, 'Señor 😀'))).toBe('Señor 😀');
  });

  test('what the vocabulary learned: counts of every token, merge ranks, tokens per character, held-out text cut', () => {
    const text = speeches.slice(0, 60_000);
    const { tokens, codec } = tokenizeText(text, { kind: 'bpe', vocabSize: 500 }, 40_000);
    const view = tokenView(codec, tokens, text, 40_000)!;
    expect(view.vocabSize).toBe(500);
    expect(view.merges).toBe(244);
    expect(view.tokensPerChar).toBeCloseTo(tokens.length / text.length, 12); // the speeches' characters are single units
    const counts = view.vocabulary.map((r) => r.count);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
    expect(view.vocabulary.length).toBe(TOKEN_VIEW_LIMITS.vocabulary);
    const first = view.vocabulary[0];
    expect(first.count).toBe(tokens.filter((t) => codec.vocab[t] === first.text).length);
    const merged = view.vocabulary.find((r) => r.rank !== null)!;
    expect(merged.text).toBe(codec.vocab[256 + merged.rank!]);
    expect(merged.bytes).toBe(Array.from(stringBytes(merged.text), (b) => b.toString(16).padStart(2, '0')).join(' '));
    expect(view.excerpt.map((p) => p.text).join('')).toBe(text.slice(40_000, 40_000 + TOKEN_VIEW_LIMITS.excerptChars));
    // Characters have no such view.
    const chars = tokenizeText(text, { kind: 'char', vocabSize: 500 }, 40_000);
    expect(tokenView(chars.codec, chars.tokens, text, 40_000)).toBeNull();
  });

  test('cutting a long text says how far it has come, every megabyte, and cuts it the same', () => {
    const text = names.repeat(40); // 2.4 MB
    const { merges } = trainBpe(names, 300);
    for (const tokenizer of [
      { kind: 'bpe', vocabSize: 300 },
      { kind: 'char', vocabSize: 300 },
    ] as const) {
      const heard: [number, number][] = [];
      const learned = tokenizer.kind === 'bpe' ? merges : undefined;
      const told = tokenizeText(text, tokenizer, 0, learned, (done, total) => heard.push([done, total]));
      const plain = tokenizeText(text, tokenizer, 0, learned).tokens;
      expect(told.tokens.length).toBe(plain.length);
      expect(told.tokens.every((t, i) => t === plain[i])).toBe(true); // (toEqual walks 2.4M elements slowly)
      const total = tokenizer.kind === 'bpe' ? stringBytes(text).length : text.length;
      expect(heard.length, tokenizer.kind).toBe(Math.floor((total - 1) / 2 ** 20));
      heard.forEach(([done, all], i) => {
        expect(all).toBe(total);
        expect(done).toBeGreaterThan(i === 0 ? 0 : heard[i - 1][0]);
        expect(done).toBeLessThan(total);
      });
    }
  });

  test('characters: one token each, and a prompt with unknown characters is refused by name', () => {
    const { tokens, codec } = tokenizeText('abcab\nab', { kind: 'char', vocabSize: 1024 }, 5);
    expect(tokens).toHaveLength(8);
    expect(bytesPerTokenOf(codec, tokens)).toBe(1);
    expect(codec.vocab[codec.startToken]).toBe('\n');
    expect(() => encodePrompt(codec, 'abz')).toThrow(/does not know "z"/);
  });

  test('a names dataset in byte pairs: the vocabulary the spec asks for, held-out names unseen by the merges', () => {
    const spec = specFor(
      'names',
      { ...TRANSFORMER_OPTION_DEFAULTS, kind: 'transformer', layers: 1, dModel: 16, heads: 2, dropout: 0 },
      (s) => {
        s.dataset.tokenizer = { kind: 'bpe', vocabSize: 400 };
      },
    );
    const ds = buildSequenceDataset(spec.dataset, spec.seed, { text: names }) as TokenDataset;
    expect(ds.vocab).toHaveLength(400);
    expect(problemShape(spec, null)).toEqual({ kind: 'sequence', vocab: 400, length: spec.dataset.contextLength });
    expect(ds.vocab[ds.startToken]).toBe('.');
    expect(ds.text!.validationBytesPerToken).toBeGreaterThan(1.5);
    const chars = buildSequenceDataset({ ...spec.dataset, tokenizer: { kind: 'char', vocabSize: 1024 } }, spec.seed, {
      text: names,
    }) as TokenDataset;
    expect(chars.text!.validationBytesPerToken).toBe(1); // names are ASCII: a byte a character
    const window = decodeTokens(ds.text!, ds.validation.x.subarray(0, ds.length));
    expect(window.length).toBeGreaterThan(ds.length); // more than a character a token
  });

  test('byte pairs are refused for data that is not text, naming the field; the size is checked', () => {
    const bad = (edit: (s: ExperimentSpec) => void) => {
      const s = specFor('circle', defaultModel('mlp'));
      edit(s);
      return validateSpec(s);
    };
    expect(bad((s) => (s.dataset.tokenizer = { kind: 'bpe', vocabSize: 512 }))).toMatchObject({
      ok: false,
      errors: [{ field: 'dataset.tokenizer.kind', message: expect.stringMatching(/text only/) }],
    });
    expect(bad((s) => (s.dataset.tokenizer = { kind: 'char', vocabSize: 100 }))).toMatchObject({
      ok: false,
      errors: [{ field: 'dataset.tokenizer.vocabSize' }],
    });
  });
});

describe('a transformer on byte pairs', () => {
  beforeAll(async () => {
    await activateBackend('wasm');
  });

  test('learns the speeches (loss per token falls) and samples text that reads back', async () => {
    const spec = specFor(
      'sotu',
      { ...TRANSFORMER_OPTION_DEFAULTS, kind: 'transformer', layers: 1, dModel: 32, heads: 2, dropout: 0 },
      (s) => {
        s.dataset.tokenizer = { kind: 'bpe', vocabSize: 512 };
        s.dataset.samples = 600;
        s.dataset.contextLength = 16;
        s.training.epochs = 3;
        s.training.batchSize = 32;
        s.training.optimizer.learningRate = 3e-3;
      },
    );
    const epochs: EpochMetrics[] = [];
    const views: EpochViews[] = [];
    const before = tf.memory().numTensors;
    const trainer = new Trainer(
      spec,
      { onEpoch: (m, v) => (epochs.push(m), views.push(v)) },
      { files: { text: speeches }, sampling: { temperature: 0.8, topK: 0, topP: 1, attentionText: null } },
    );
    await trainer.run();
    expect(tf.memory().numTensors).toBe(before);
    expect(epochs[2].valLoss).toBeLessThan(epochs[0].valLoss);
    // A uniform guess over 512 tokens costs ln 512 ≈ 6.24 nats a token.
    expect(epochs[2].valLoss).toBeLessThan(Math.log(512) - 1);
    // Per byte of text: the loss per token over the validation targets' bytes per token.
    const ds = buildSequenceDataset(spec.dataset, spec.seed, { text: speeches }) as TokenDataset;
    const bytesPerToken = ds.text!.validationBytesPerToken!;
    expect(bytesPerToken).toBeGreaterThan(2);
    expect(epochs[2].valBitsPerByte).toBeCloseTo(epochs[2].valLoss / Math.LN2 / bytesPerToken, 6);
    // What the tokenizer learned comes with the first epoch only.
    expect(views[0].tokens).toEqual(ds.text!.view);
    expect(views[1].tokens).toBeUndefined();
    const sample = views[2].sample!.text;
    expect(sample.length).toBeGreaterThan(240); // 240 tokens, more than a character each
  });
});
