// The byte-level BPE tokenizer: the textbook algorithm's merges (scripts/golden/bpe.py) on three texts, exact
// round trips on every corpus and on text with emoji, combining marks and lone surrogates, and learned
// vocabularies that stay the same for the same text and grow by merges only.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  BPE_LIMITS,
  bpeTokenizer,
  chunkBounds,
  decodeBpe,
  encodeBpe,
  learnBpe,
  mergesProblem,
  trainBpe,
} from '../src/data/bpe';
import { bytesString, stringBytes } from '../src/data/wtf8';

// Read as text: the unicode case holds a lone surrogate, which a JSON import refuses.
const golden = JSON.parse(readFileSync('test/fixtures/bpe.json', 'utf8')) as {
  cases: { name: string; text: string; vocabSize: number; merges: number[] }[];
};
const names = readFileSync('datasets/names.txt', 'utf8');
const speeches = readFileSync('datasets/sotu.txt', 'utf8');
const unicode = golden.cases.find((c) => c.name === 'unicode')!.text;

describe('bytes of a string (UTF-8, lone surrogates as WTF-8)', () => {
  test('well-formed text gives TextEncoder’s bytes, and any string comes back exactly', () => {
    const wellFormed = 'a é ß 日本 😀 👍🏽 e\u0301 \u{10FFFF}';
    expect(Array.from(stringBytes(wellFormed))).toEqual(Array.from(new TextEncoder().encode(wellFormed)));
    for (const s of [wellFormed, '\ud800', 'x\udfff y', '\ud83d', 'a\ud83d\ud83db', unicode, ''])
      expect(bytesString(stringBytes(s))).toBe(s);
    // A lone surrogate is its own three bytes, not U+FFFD's.
    expect(Array.from(stringBytes('\ud800'))).toEqual([0xed, 0xa0, 0x80]);
  });

  test('bytes that are not such a sequence read as U+FFFD each, as TextDecoder reads them', () => {
    const broken = [
      [0xff],
      [0xe6, 0x97],
      [0x61, 0x80, 0x62],
      [0xc0, 0xaf],
      [0xf4, 0x90, 0x80, 0x80],
      [0xe0, 0x80, 0x61],
    ];
    for (const bytes of [...broken, [0xf0, 0x9f, 0x98], [0xf0, 0x9f, 0x98, 0x80, 0xe6, 0x97, 0xa5, 0xe6]])
      expect(bytesString(bytes)).toBe(new TextDecoder().decode(Uint8Array.from(bytes)));
  });
});

describe('learning merges', () => {
  test.each(golden.cases.map((c) => [c.name, c] as const))(
    '%s: the same merges as the textbook algorithm in Python',
    (_, c) => {
      expect(Array.from(trainBpe(c.text, c.vocabSize).merges)).toEqual(c.merges);
    },
  );

  test('chunks: a word keeps its leading space; digits, marks and white space are runs of their own', () => {
    const text = 'Hello, world!  It is 2024.\n\nCafé';
    const bytes = stringBytes(text);
    const bounds = chunkBounds(bytes);
    const pieces = Array.from({ length: bounds.length / 2 }, (_, k) =>
      bytesString(bytes.subarray(bounds[2 * k], bounds[2 * k + 1])),
    );
    expect(pieces).toEqual(['Hello', ',', ' world', '!', ' ', ' It', ' is', ' 2024', '.', '\n\n', 'Café']);
    // A run longer than the longest chunk is cut.
    const long = stringBytes('a'.repeat(600));
    expect(Array.from(chunkBounds(long))).toEqual([0, 255, 255, 510, 510, 600]);
  });

  test('the same text and size give the same merges; a smaller vocabulary is the larger one’s first merges', () => {
    const text = speeches.slice(0, 200_000);
    const big = trainBpe(text, 1024).merges;
    expect(big.length).toBe(2 * (1024 - 256));
    expect(Array.from(trainBpe(text, 1024).merges)).toEqual(Array.from(big));
    expect(Array.from(trainBpe(text, 512).merges)).toEqual(Array.from(big.subarray(0, 2 * 256)));
  });

  test('it reports progress as it goes and can be left part way (a cancel)', () => {
    const learning = learnBpe(speeches.slice(0, 50_000), 600, 32);
    const seen = [];
    for (let i = 0; i < 3; i++) seen.push(learning.next().value);
    expect(seen).toEqual([
      { merged: 32, planned: 344 },
      { merged: 64, planned: 344 },
      { merged: 96, planned: 344 },
    ]);
    expect(learning.return({ merges: new Int32Array() }).done).toBe(true);
  });

  test('a vocabulary size outside 256–16,384 is refused, naming the field', () => {
    for (const size of [255, 16_385, 300.5]) expect(() => trainBpe('abc', size)).toThrow(/vocabSize.*256.*16384/);
    // A text with no pair twice learns nothing: its tokens are its bytes.
    expect(trainBpe('abcdef', 300).merges.length).toBe(0);
  });
});

describe('encoding and decoding', () => {
  const tokenizer = bpeTokenizer(trainBpe(speeches, 1024));

  test('decode(encode(text)) is the text, for every corpus and for emoji, combining marks and lone surrogates', () => {
    const edge = 'Zoë and Zoe\u0308 🧑‍🚀🇫🇷 \ud800\udbff lone \udc00, 𝔘𝔫𝔦𝔠𝔬𝔡𝔢; tabs\t\tand\r\nlines';
    for (const text of [speeches, names, unicode, edge, '', ' ', '\n'.repeat(300)]) {
      const tokens = encodeBpe(tokenizer, text);
      expect(decodeBpe(tokenizer, tokens)).toBe(text);
      for (const t of tokens) expect(t).toBeLessThan(tokenizer.vocabSize);
    }
  });

  test('encoding applies the merges as learning did: the speeches in about a quarter as many tokens as bytes', () => {
    const tokens = encodeBpe(tokenizer, speeches);
    const bytes = stringBytes(speeches).length;
    expect(tokens.length / bytes).toBeLessThan(0.35);
    // Each merge's token is its two parts' bytes.
    for (let k = 0; k < tokenizer.merges.length / 2; k++) {
      const [a, b] = [tokenizer.merges[2 * k], tokenizer.merges[2 * k + 1]];
      expect(Array.from(tokenizer.tokenBytes[256 + k])).toEqual([
        ...tokenizer.tokenBytes[a],
        ...tokenizer.tokenBytes[b],
      ]);
    }
  });

  test('merges from a file are checked: each pair must join tokens made before it', () => {
    expect(mergesProblem([104, 105])).toBeNull();
    expect(mergesProblem([104])).toMatch(/odd/);
    expect(mergesProblem([104, 256])).toMatch(/merge 1 joins token 256/);
    expect(mergesProblem([104, 105, 256, 1.5])).toMatch(/merge 2 joins token 1.5/);
    expect(mergesProblem(new Array(2 * (BPE_LIMITS.maxVocab - 255)).fill(0))).toMatch(/at most 16128/);
    expect(() => bpeTokenizer({ merges: Int32Array.of(300, 1) })).toThrow(/not made before it/);
  });
});
