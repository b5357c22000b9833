// Character-level text for language models: a vocabulary, encoding, and next-character windows.
import { Rng } from './rng';

/** How often (in bytes or characters) a long encoding says how far it has come. */
export const TOKENIZING_REPORT_EVERY = 1 << 20;

/** Marks the start and end of each name in the names stream (makemore's convention). */
export const NAME_BOUNDARY = '.';

export interface CharVocab {
  chars: string[];
  index: Map<string, number>;
}

/**
 * A character is a Unicode code point throughout (vocabulary, encoding, counts): an emoji is one
 * character, not two UTF-16 halves. Combining marks are characters of their own, as in PyTorch's
 * `list(text)`.
 */
export function charVocab(text: string): CharVocab {
  const chars = [...new Set(text)].sort();
  return { chars, index: new Map(chars.map((c, i) => [c, i])) };
}

/** The text's character ids, a code point at a time (no array of its characters: a text may be 50 MB). */
export function encode(vocab: CharVocab, text: string, onProgress?: (done: number, total: number) => void): Int32Array {
  const out = new Int32Array(text.length);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    if (onProgress && i % TOKENIZING_REPORT_EVERY === 0 && i > 0) onProgress(i, text.length);
    const pair = isPairAt(text, i);
    const c = pair ? text.slice(i, i + 2) : text[i];
    if (pair) i++;
    const id = vocab.index.get(c);
    if (id === undefined) throw new Error(`character ${JSON.stringify(c)} is not in the vocabulary`);
    out[n++] = id;
  }
  return out.slice(0, n);
}

/** Whether a surrogate pair (one character outside the BMP, e.g. an emoji) starts at `i`. */
function isPairAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 0xd800 || c > 0xdbff || i + 1 >= text.length) return false;
  const low = text.charCodeAt(i + 1);
  return low >= 0xdc00 && low <= 0xdfff;
}

export function decode(vocab: CharVocab, ids: ArrayLike<number>): string {
  return Array.from(ids, (i) => vocab.chars[i] ?? '?').join('');
}

/** Names as one stream: ".emma.olivia.ava." so a model learns where names start and end. */
export function namesStream(namesFile: string): string {
  const names = namesFile
    .split('\n')
    .map((n) => n.trim())
    .filter(Boolean);
  return NAME_BOUNDARY + names.join(NAME_BOUNDARY) + NAME_BOUNDARY;
}

/** Limits for text a person pastes or uploads; the alphabet's limit is for character models (byte pairs read any). */
export const USER_TEXT_LIMITS = { minChars: 1000, maxBytes: 50_000_000, maxVocab: 200 };

/** What a text is made of: its UTF-8 bytes, its characters (code points), and its alphabet. */
export interface TextStats {
  bytes: number;
  chars: number;
  /** Distinct characters: a character model's alphabet. */
  distinct: number;
  /** Its most used characters, most used first (at most COMMONEST_SHOWN). */
  commonest: string[];
}

const COMMONEST_SHOWN = 40;

/** Counts a text's bytes and characters a piece at a time (a big file is read in slices); pieces split between characters. */
export class TextCounter {
  private bytes = 0;
  private chars = 0;
  /** Uses of each BMP character, by code; others (emoji and the like) by code point. */
  private readonly basic = new Float64Array(0x10000);
  private readonly astral = new Map<number, number>();

  add(piece: string): void {
    for (let i = 0; i < piece.length; i++) {
      const c = piece.charCodeAt(i);
      this.chars++;
      if (isPairAt(piece, i)) {
        const point = 0x10000 + ((c - 0xd800) << 10) + (piece.charCodeAt(++i) - 0xdc00);
        this.astral.set(point, (this.astral.get(point) ?? 0) + 1);
        this.bytes += 4;
      } else {
        this.basic[c]++;
        this.bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3; // a lone surrogate: 3, as wtf8 writes it
      }
    }
  }

  finish(): TextStats {
    const counts: [number, number][] = [...this.astral];
    for (let c = 0; c < 0x10000; c++) if (this.basic[c] > 0) counts.push([c, this.basic[c]]);
    counts.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    return {
      bytes: this.bytes,
      chars: this.chars,
      distinct: counts.length,
      commonest: counts.slice(0, COMMONEST_SHOWN).map(([c]) => String.fromCodePoint(c)),
    };
  }
}

export function textStats(text: string): TextStats {
  const counter = new TextCounter();
  counter.add(text);
  return counter.finish();
}

/**
 * Why a person's text cannot be trained on, or null; the message names the field and the limits. A character
 * model's alphabet is limited (`tokenizer` 'char'); byte pairs read any text.
 */
export function userTextProblem(text: string | TextStats, tokenizer: 'char' | 'bpe' = 'char'): string | null {
  const { bytes, chars, distinct } = typeof text === 'string' ? textStats(text) : text;
  if (bytes > USER_TEXT_LIMITS.maxBytes) {
    return `Your text: ${(bytes / 1e6).toFixed(1)} MB is over the ${USER_TEXT_LIMITS.maxBytes / 1e6} MB limit; use a shorter excerpt.`;
  }
  if (chars < USER_TEXT_LIMITS.minChars) {
    return `Your text: at least ${USER_TEXT_LIMITS.minChars} characters are needed to train on (got ${chars}).`;
  }
  if (tokenizer === 'char' && distinct > USER_TEXT_LIMITS.maxVocab) {
    return `Your text: it uses ${distinct.toLocaleString('en-US')} different characters; a character model allows at most ${USER_TEXT_LIMITS.maxVocab} (byte pairs, under Tokens, read any text).`;
  }
  return null;
}

export interface TokenWindows {
  /** n × T inputs and n × T next-token targets. */
  x: Int32Array;
  y: Int32Array;
  n: number;
  contextLength: number;
}

/**
 * Next-token windows over a token stream. The stream's first part (1 − validationSplit) gives
 * training windows and the rest validation windows, so no validation text is seen in training.
 * Training windows start at seeded random offsets; validation windows are strided evenly
 * (as many as asked for, or as fit without overlap if the held-out text is short).
 */
export function lmWindows(
  tokens: Int32Array,
  contextLength: number,
  counts: { train: number; validation: number },
  validationSplit: number,
  seed: number,
): { train: TokenWindows; validation: TokenWindows } {
  const count = counts.train;
  const T = contextLength;
  const cut = Math.floor(tokens.length * (1 - validationSplit));
  const rng = new Rng(seed);
  const build = (starts: number[]) => windowsAt(tokens, starts, T);
  if (cut - T - 1 <= 0 || tokens.length - cut - T - 1 <= 0) {
    throw new Error(`the text is too short for a context of ${T} characters`);
  }
  const trainStarts = Array.from({ length: count }, () => Math.floor(rng.next() * (cut - T - 1)));
  return { train: build(trainStarts), validation: build(heldOutStarts(tokens.length, cut, T, counts.validation)) };
}

/** The windows of T tokens that start at `starts`, each with its next-token targets. */
function windowsAt(tokens: Int32Array, starts: number[], T: number): TokenWindows {
  const x = new Int32Array(starts.length * T);
  const y = new Int32Array(starts.length * T);
  starts.forEach((s, i) => {
    x.set(tokens.subarray(s, s + T), i * T);
    y.set(tokens.subarray(s + 1, s + T + 1), i * T);
  });
  return { x, y, n: starts.length, contextLength: T };
}

/**
 * The windows a text of `length` tokens yields, without building them: training windows as asked,
 * held-out ones (validation, then test at the text's end) as many as fit without overlap. The same
 * cuts as buildSequenceDataset's lmWindows and testWindows; a test holds them equal.
 */
export function textWindowCounts(
  length: number,
  contextLength: number,
  asked: { train: number; validation: number; test: number },
  split: { validation: number; test: number },
): { train: number; validation: number; test: number } {
  const testFrom = split.test > 0 ? Math.floor(length * (1 - split.test)) : length;
  const validationFrom = Math.floor(testFrom * (1 - split.validation / (1 - split.test)));
  return {
    train: asked.train,
    validation: heldOutCount(testFrom, validationFrom, contextLength, asked.validation),
    test: asked.test === 0 ? 0 : heldOutCount(length, testFrom, contextLength, asked.test),
  };
}

/** How many of `count` held-out windows fit in tokens [from, end) without overlap (at least one). */
function heldOutCount(end: number, from: number, T: number, count: number): number {
  return Math.max(1, Math.min(count, Math.floor((end - from - 1) / T)));
}

/** Starts of `count` windows strided evenly over tokens [from, end) (as many as fit without overlap if the text is short). */
function heldOutStarts(end: number, from: number, T: number, count: number): number[] {
  const n = heldOutCount(end, from, T, count);
  const stride = Math.max(1, Math.floor((end - from - T - 1) / n));
  return Array.from({ length: n }, (_, i) => from + i * stride);
}

/**
 * Test windows from the end of a token stream (the last `testSplit` of it), after the part that
 * lmWindows splits into training and validation, so no test text is seen in either.
 */
export function testWindows(tokens: Int32Array, contextLength: number, count: number, from: number): TokenWindows {
  const T = contextLength;
  if (count === 0) return { x: new Int32Array(0), y: new Int32Array(0), n: 0, contextLength: T };
  if (tokens.length - from - T - 1 <= 0)
    throw new Error(`the text is too short for a test split with a context of ${T} characters`);
  return windowsAt(tokens, heldOutStarts(tokens.length, from, T, count), T);
}
