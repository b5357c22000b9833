import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import {
  buildSequenceDataset,
  charVocab,
  decode,
  encode,
  forecastWindows,
  lmWindows,
  mackeyGlass,
  namesStream,
  parseMnist,
  Rng,
  sineMixture,
  splitMnist,
  toyExample,
  toyExamples,
  TOY_VOCAB,
  userTextProblem,
  textStats,
  TextCounter,
  NAME_BOUNDARY,
} from '../src/data';
import manifest from '../datasets/manifest.json';
import { stringBytes } from '../src/data/wtf8';
import { defaultSpec } from '../src/experiment';

const file = (name: string) => new Uint8Array(readFileSync(`datasets/${name}`));

describe('shipped dataset files', () => {
  test.each(Object.entries(manifest))('%s matches its manifest entry', (name, entry) => {
    const bytes = file(name);
    expect(bytes.length).toBe(entry.bytes);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(entry.sha256);
  });

  test('MNIST: 10,000 real digits, about 1,000 of each, split by seed', () => {
    const data = parseMnist(file('mnist-images.u8'), file('mnist-labels.u8'));
    expect(data.n).toBe(10000);
    const counts = new Array(10).fill(0);
    data.labels.forEach((l) => counts[l]++);
    counts.forEach((c) => expect(c).toBeGreaterThan(800));
    // Digits are mostly background with bright strokes.
    const mean = data.images.subarray(0, 784 * 100).reduce((s, v) => s + v, 0) / (784 * 100 * 255);
    expect(mean).toBeGreaterThan(0.05);
    expect(mean).toBeLessThan(0.3);
    const split = splitMnist(data, 2000, 0.2, 42);
    expect(split.train.n).toBe(1600);
    expect(split.validation.n).toBe(400);
    expect(split.train.x.length).toBe(1600 * 784);
    expect(Math.max(...split.train.x.subarray(0, 784))).toBeLessThanOrEqual(1);
    expect(splitMnist(data, 2000, 0.2, 42).train.y).toEqual(split.train.y);
    expect(() => parseMnist(new Uint8Array(10), new Uint8Array(1))).toThrow(/do not match/);
  });

  test('names: thousands of lower-case names, one per line, as a stream with boundaries', () => {
    const text = new TextDecoder().decode(file('names.txt'));
    const names = text.trim().split('\n');
    expect(names.length).toBeGreaterThan(8000);
    expect(names).toContain('emma');
    const stream = namesStream(text);
    expect(stream.startsWith(`${NAME_BOUNDARY}${names[0]}${NAME_BOUNDARY}`)).toBe(true);
    const vocab = charVocab(stream);
    expect(vocab.chars).toContain(NAME_BOUNDARY);
    expect(vocab.chars.filter((c) => /[a-z]/.test(c))).toHaveLength(26);
    expect(vocab.chars.every((c) => /[a-z' .-]/.test(c))).toBe(true);
  });

  test('State of the Union: about 1 MB of plain ASCII text', () => {
    const text = new TextDecoder().decode(file('sotu.txt'));
    expect(text.length).toBeGreaterThan(900_000);
    expect(text.length).toBeLessThan(1_200_000);
    expect(/^[\x20-\x7e\n]*$/.test(text)).toBe(true);
    expect(charVocab(text).chars.length).toBeLessThan(100);
  });
});

describe('text windows', () => {
  test('encode/decode round-trip and next-character targets', () => {
    const text = 'hello world, hello playground. '.repeat(20);
    const vocab = charVocab(text);
    const ids = encode(vocab, text);
    expect(decode(vocab, ids)).toBe(text);
    expect(() => encode(vocab, 'hello!')).toThrow(/"!" is not in the vocabulary/);
    const { train, validation } = lmWindows(ids, 8, { train: 50, validation: 12 }, 0.2, 3);
    expect(train.n).toBe(50);
    for (let i = 0; i < train.n; i++) {
      // Each target is its input shifted by one character.
      expect(Array.from(train.x.subarray(i * 8 + 1, i * 8 + 8))).toEqual(
        Array.from(train.y.subarray(i * 8, i * 8 + 7)),
      );
    }
    expect(validation.n).toBeGreaterThan(0);
    expect(lmWindows(ids, 8, { train: 50, validation: 12 }, 0.2, 3).train.x).toEqual(train.x);
  });

  test('user text is limited with messages that name the field; only a character model limits its alphabet', () => {
    expect(userTextProblem('short')).toMatch(/^Your text: at least 1000 characters/);
    expect(userTextProblem('a'.repeat(50_000_001))).toMatch(/^Your text: 50\.0 MB is over the 50 MB limit/);
    const hanzi = Array.from({ length: 1200 }, (_, i) => String.fromCharCode(0x4e00 + i)).join('');
    expect(userTextProblem(hanzi)).toBe(
      'Your text: it uses 1,200 different characters; a character model allows at most 200 (byte pairs, under Tokens, read any text).',
    );
    expect(userTextProblem(hanzi, 'bpe')).toBeNull();
    expect(userTextProblem('the quick brown fox '.repeat(60))).toBeNull();
  });

  test("a text's bytes, characters and alphabet, counted whole or in pieces cut anywhere between characters", () => {
    const text = 'Zoë 🙂 naïve e\u0301 ' + 'the quick brown fox '.repeat(30) + '\ud800 lone';
    const whole = textStats(text);
    expect(whole.bytes).toBe(stringBytes(text).length);
    expect(whole.chars).toBe([...text].length);
    expect(whole.distinct).toBe(new Set(text).size);
    expect(whole.commonest.slice(0, 2)).toEqual([' ', 'o']);
    expect(whole.commonest).toContain('🙂');
    const counter = new TextCounter();
    const cuts = [0, 3, 4, 6, 40, 200, text.length]; // 4–6: the emoji's two halves
    for (let i = 1; i < cuts.length; i++) counter.add(text.slice(cuts[i - 1], cuts[i]));
    expect(counter.finish()).toEqual(whole);
  });
});

describe('time series', () => {
  test('sine mixtures are seeded and bounded', () => {
    const a = sineMixture(500, 3, 0.05, 1);
    expect(sineMixture(500, 3, 0.05, 1)).toEqual(a);
    expect(sineMixture(500, 3, 0.05, 2)).not.toEqual(a);
    for (const v of a) expect(Math.abs(v)).toBeLessThan(1.5);
  });

  test('Mackey–Glass (τ = 17) stays in its known band and does not settle', () => {
    const s = mackeyGlass(1000);
    for (const v of s) {
      expect(v).toBeGreaterThan(0.2);
      expect(v).toBeLessThan(1.5);
    }
    const tail = s.subarray(500);
    expect(Math.max(...tail) - Math.min(...tail)).toBeGreaterThan(0.5);
  });

  test('forecast windows pair each window with the next value', () => {
    const s = Float32Array.from({ length: 10 }, (_, i) => i);
    const w = forecastWindows(s, 3);
    expect(w.n).toBe(7);
    expect(Array.from(w.x.subarray(0, 3))).toEqual([0, 1, 2]);
    expect(w.y[0]).toBe(3);
    expect(w.y[6]).toBe(9);
  });
});

describe('toy sequence tasks', () => {
  const text = (ids: ArrayLike<number>) => Array.from(ids, (i) => TOY_VOCAB[i]).join('');

  test('each task gives the right answer', () => {
    const rng = new Rng(5);
    const r = toyExample('reverse', 5, rng);
    expect(r.answer).toBe([...r.prompt.slice(0, 5)].reverse().join(''));
    const s = toyExample('sort', 5, rng);
    expect(s.answer).toBe([...s.prompt.slice(0, 5)].sort().join(''));
    const c = toyExample('copy', 4, rng);
    expect(c.answer).toBe(c.prompt.slice(0, 4));
    for (let i = 0; i < 50; i++) {
      const a = toyExample('addition', 3, rng);
      const [x, y] = a.prompt
        .slice(0, -1)
        .split('+')
        .map((v) => Number(v.replace(/_/g, '') || '0'));
      expect(Number(a.answer)).toBe(x + y);
      expect(a.answer).toHaveLength(4);
    }
  });

  test('examples are next-token sequences with the loss masked to the answer', () => {
    const ex = toyExamples('addition', 3, 20, 9);
    expect(ex.promptLength).toBe(8); // "123+_45="
    expect(ex.length).toBe(8 + 4 - 1);
    const seq = text(ex.x.subarray(0, ex.length)) + text([ex.y[ex.length - 1]]);
    const [prompt, answer] = [seq.slice(0, 8), seq.slice(8)];
    const [a, b] = prompt
      .slice(0, -1)
      .split('+')
      .map((v) => Number(v.replace(/_/g, '') || '0'));
    expect(Number(answer)).toBe(a + b);
    expect(Array.from(ex.mask.subarray(0, ex.length))).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
    expect(toyExamples('addition', 3, 20, 9)).toEqual(ex);
  });

  test('held-out problems are new: none is in training and none appears twice', () => {
    for (const seed of [1, 2, 3]) {
      const ds = buildSequenceDataset(
        { ...defaultSpec().dataset, kind: 'addition', samples: 4000, digits: 2, validationSplit: 0.2 },
        seed,
      );
      const prompts = (split: { x: ArrayLike<number>; n: number }) =>
        Array.from({ length: split.n }, (_, i) =>
          text((split.x as Int32Array).subarray(i * ds.length, i * ds.length + ds.promptLength)),
        );
      const train = new Set(prompts(ds.train));
      const held = prompts(ds.validation);
      expect(held).toHaveLength(800);
      expect(new Set(held).size).toBe(held.length);
      expect(held.filter((p) => train.has(p))).toEqual([]);
    }
  });
});

describe('text of any script', () => {
  const samples = {
    emoji: 'I love 🍕 and 🎉 party time! ',
    combining: 'cafe\u0301 nai\u0308ve re\u0301sume\u0301 ',
    rightToLeft: 'שלום עולם مرحبا بالعالم ',
  };

  test.each(Object.entries(samples))(
    '%s: one character is one code point, in the vocabulary, the encoding and the counts',
    (_, piece) => {
      const text = piece.repeat(100);
      const vocab = charVocab(text);
      expect(vocab.chars.every((c) => [...c].length === 1)).toBe(true);
      const ids = encode(vocab, text);
      expect(ids.length).toBe([...text].length);
      expect(decode(vocab, ids)).toBe(text);
      expect(userTextProblem(text)).toBeNull();
      // The whole path a pasted text takes to training windows.
      const ds = buildSequenceDataset(
        { ...defaultSpec().dataset, kind: 'userText', samples: 300, contextLength: 16, validationSplit: 0.1 },
        7,
        { text },
      );
      expect(ds.vocab).toEqual(vocab.chars);
      expect(ds.train.n).toBe(270);
    },
  );

  test('the minimum length counts characters, not UTF-16 units', () => {
    expect(userTextProblem('🍕'.repeat(600))).toMatch(/at least 1000 characters .* \(got 600\)/);
  });
});

describe('an optional test split for sequences', () => {
  test('series: validation then test at the very end of the series, in time order', () => {
    const d = {
      ...defaultSpec().dataset,
      kind: 'sines' as const,
      samples: 1000,
      contextLength: 20,
      validationSplit: 0.2,
      testSplit: 0.1,
      noise: 0,
    };
    const ds = buildSequenceDataset(d, 5);
    expect([ds.train.n, ds.validation.n, ds.test.n]).toEqual([686, 196, 98]);
    // The test's first window starts right after validation's first: they continue one another.
    expect(Array.from((ds.test.x as Float32Array).subarray(0, 19))).toEqual(
      Array.from((ds.validation.x as Float32Array).subarray((ds.validation.n - 1) * 20 + 1, ds.validation.n * 20)),
    );
  });

  test('toy tasks: no test problem is in training or validation', () => {
    const ds = buildSequenceDataset(
      { ...defaultSpec().dataset, kind: 'addition', samples: 4000, digits: 2, validationSplit: 0.1, testSplit: 0.1 },
      2,
    );
    const prompts = (s: { x: ArrayLike<number>; n: number }) =>
      Array.from({ length: s.n }, (_, i) =>
        Array.from((s.x as Int32Array).subarray(i * ds.length, i * ds.length + ds.promptLength)).join(','),
      );
    const seen = new Set([...prompts(ds.train), ...prompts(ds.validation)]);
    const test = prompts(ds.test);
    expect(test).toHaveLength(400);
    expect(test.filter((p) => seen.has(p))).toEqual([]);
    expect(new Set(test).size).toBe(400);
  });

  test('text: the test windows come from the end of the text, after every training and validation window', () => {
    const text = Array.from({ length: 3240 }, (_, i) => 'abcdefghij'[(i * 7) % 10]).join('') + 'z'.repeat(360);
    const ds = buildSequenceDataset(
      {
        ...defaultSpec().dataset,
        kind: 'userText',
        samples: 300,
        contextLength: 8,
        validationSplit: 0.1,
        testSplit: 0.1,
      },
      1,
      { text },
    );
    expect(ds.test.n).toBe(30);
    const z = ds.vocab!.indexOf('z');
    // The last tenth of the text is all "z": every test window lies in it, and no other window reaches it.
    expect(Array.from(ds.test.x as Int32Array).every((t) => t === z)).toBe(true);
    expect(
      Array.from(ds.train.x as Int32Array)
        .concat(Array.from(ds.validation.x as Int32Array))
        .some((t) => t === z),
    ).toBe(false);
  });
});
