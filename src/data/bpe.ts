// Byte-level byte-pair encoding (BPE), learned from a text: tokens 0–255 are its bytes, and each merge makes one
// new token, 256 + its rank, from the pair of tokens seen most often next to each other. Pairs never span two
// chunks (words with their leading space, runs of digits, of punctuation, of white space), as in GPT-2. The
// textbook algorithm is scripts/golden/bpe.py; this one counts pairs once and updates only the chunks a merge
// touches, with the same merges (test/bpe.test.ts holds them equal).
import { TOKENIZING_REPORT_EVERY } from './text';
import { bytesString, stringBytes } from './wtf8';

/** The most tokens a vocabulary may have, the least (the bytes), and the longest chunk (a longer run is cut). */
export const BPE_LIMITS = { minVocab: 256, maxVocab: 16_384, maxChunkBytes: 255 };

/** A learned vocabulary: merge k joins tokens merges[2k] and merges[2k + 1] into token 256 + k. */
export interface BpeMerges {
  merges: Int32Array;
}

type Kind = 'letter' | 'digit' | 'space' | 'other';

/** ASCII letters, and every byte of a non-ASCII character, so "café" or "ünï" stays one word. */
function kindOf(byte: number): Kind {
  if (byte >= 0x80 || (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x41 && byte <= 0x5a)) return 'letter';
  if (byte >= 0x30 && byte <= 0x39) return 'digit';
  if (byte === 0x20 || (byte >= 0x09 && byte <= 0x0d)) return 'space';
  return 'other';
}

/**
 * The text's chunks, each [start, end) in its bytes: an optional single space then a run of letters, of digits or
 * of other marks; or a run of white space, less its last space when a word follows (that space starts the word);
 * at most maxChunkBytes each.
 */
export function chunkBounds(bytes: Uint8Array): Int32Array {
  const bounds: number[] = [];
  for (let i = 0; i < bytes.length;) {
    let j = i;
    const kind = kindOf(bytes[i]);
    if (bytes[i] === 0x20 && i + 1 < bytes.length && kindOf(bytes[i + 1]) !== 'space') {
      const word = kindOf(bytes[i + 1]);
      j = i + 2;
      while (j < bytes.length && kindOf(bytes[j]) === word) j++;
    } else {
      while (j < bytes.length && kindOf(bytes[j]) === kind) j++;
      if (kind === 'space' && j < bytes.length && j - i > 1 && bytes[j - 1] === 0x20) j--;
    }
    j = Math.min(j, i + BPE_LIMITS.maxChunkBytes);
    bounds.push(i, j);
    i = j;
  }
  return Int32Array.from(bounds);
}

/** Distinct chunks (as byte tokens) and how often each occurs. */
function countChunks(bytes: Uint8Array): { words: number[][]; counts: number[] } {
  const bounds = chunkBounds(bytes);
  const index = new Map<string, number>();
  const words: number[][] = [];
  const counts: number[] = [];
  for (let k = 0; k < bounds.length; k += 2) {
    const piece = bytes.subarray(bounds[k], bounds[k + 1]);
    const key = String.fromCharCode(...piece);
    const at = index.get(key);
    if (at !== undefined) counts[at]++;
    else {
      index.set(key, words.length);
      words.push(Array.from(piece));
      counts.push(1);
    }
  }
  return { words, counts };
}

const PAIR = BPE_LIMITS.maxVocab;
const pairKey = (a: number, b: number) => a * PAIR + b;

/** A max-heap of pairs by count, ties to the smaller (first, second) token ids; stale entries are skipped on pop. */
class PairHeap {
  private items: [count: number, key: number][] = [];
  private above(i: number, j: number): boolean {
    const [ci, ki] = this.items[i];
    const [cj, kj] = this.items[j];
    return ci > cj || (ci === cj && ki < kj);
  }
  private swap(i: number, j: number): void {
    [this.items[i], this.items[j]] = [this.items[j], this.items[i]];
  }
  push(count: number, key: number): void {
    this.items.push([count, key]);
    for (let i = this.items.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (!this.above(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }
  pop(): [number, number] | undefined {
    const top = this.items[0];
    const last = this.items.pop();
    if (this.items.length && last) {
      this.items[0] = last;
      for (let i = 0; ;) {
        const [l, r] = [2 * i + 1, 2 * i + 2];
        let best = i;
        if (l < this.items.length && this.above(l, best)) best = l;
        if (r < this.items.length && this.above(r, best)) best = r;
        if (best === i) break;
        this.swap(i, best);
        i = best;
      }
    }
    return top;
  }
}

/** Joins every (a, b) in `word`, left to right and not overlapping ("aaa" by (a, a): "aa", "a"), into `token`. */
function mergeInto(word: number[], a: number, b: number, token: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < word.length; i++) {
    if (i + 1 < word.length && word[i] === a && word[i + 1] === b) {
      out.push(token);
      i++;
    } else out.push(word[i]);
  }
  return out;
}

/** Progress of a vocabulary being learned: merges made of the most asked for. */
export interface BpeProgress {
  merged: number;
  planned: number;
}

/**
 * Learns up to vocabSize − 256 merges from the text, yielding progress every `every` merges so a worker can report
 * it and hear a cancel between them. It stops early when no pair occurs twice (the vocabulary is then smaller).
 * The same text and size always give the same merges.
 */
export function* learnBpe(text: string, vocabSize: number, every = 64): Generator<BpeProgress, BpeMerges> {
  if (!Number.isInteger(vocabSize) || vocabSize < BPE_LIMITS.minVocab || vocabSize > BPE_LIMITS.maxVocab)
    throw new Error(`vocabSize must be a whole number from ${BPE_LIMITS.minVocab} to ${BPE_LIMITS.maxVocab}`);
  const { words, counts } = countChunks(stringBytes(text));
  const pairCounts = new Map<number, number>();
  const wordsWith = new Map<number, Set<number>>();
  const heap = new PairHeap();
  const addPairs = (w: number, sign: 1 | -1) => {
    const word = words[w];
    for (let i = 0; i + 1 < word.length; i++) {
      const key = pairKey(word[i], word[i + 1]);
      pairCounts.set(key, (pairCounts.get(key) ?? 0) + sign * counts[w]);
      if (sign > 0) {
        let holders = wordsWith.get(key);
        if (!holders) wordsWith.set(key, (holders = new Set()));
        holders.add(w);
      }
    }
  };
  for (let w = 0; w < words.length; w++) addPairs(w, 1);
  for (const [key, count] of pairCounts) heap.push(count, key);

  const planned = vocabSize - 256;
  const merges: number[] = [];
  while (merges.length < 2 * planned) {
    const top = heap.pop();
    if (!top) break;
    const [count, key] = top;
    if (pairCounts.get(key) !== count) continue; // stale: the pair's count changed since
    if (count < 2) break;
    const [a, b] = [Math.floor(key / PAIR), key % PAIR];
    const token = 256 + merges.length / 2;
    merges.push(a, b);
    const touched = new Set<number>();
    for (const w of wordsWith.get(key) ?? []) {
      const word = words[w];
      let has = false;
      for (let i = 0; i + 1 < word.length && !has; i++) has = word[i] === a && word[i + 1] === b;
      if (!has) continue;
      addPairs(w, -1);
      words[w] = mergeInto(word, a, b, token);
      addPairs(w, 1);
      for (let i = 0; i + 1 < words[w].length; i++) touched.add(pairKey(words[w][i], words[w][i + 1]));
      for (let i = 0; i + 1 < word.length; i++) touched.add(pairKey(word[i], word[i + 1]));
    }
    wordsWith.delete(key);
    pairCounts.delete(key);
    for (const t of touched) {
      const c = pairCounts.get(t);
      if (c === undefined) continue;
      if (c <= 0) {
        pairCounts.delete(t);
        wordsWith.delete(t);
      } else heap.push(c, t);
    }
    if ((merges.length / 2) % every === 0) yield { merged: merges.length / 2, planned };
  }
  return { merges: Int32Array.from(merges) };
}

/** learnBpe run to the end in one go. */
export function trainBpe(text: string, vocabSize: number): BpeMerges {
  const learning = learnBpe(text, vocabSize);
  for (;;) {
    const next = learning.next();
    if (next.done) return next.value;
  }
}

/** Why these merges cannot be a vocabulary (each must join tokens made before it), or null. */
export function mergesProblem(merges: ArrayLike<number>): string | null {
  if (merges.length % 2 !== 0) return 'tokenizer merges: a list of token pairs is needed (its length is odd)';
  if (merges.length / 2 > BPE_LIMITS.maxVocab - 256)
    return `tokenizer merges: at most ${BPE_LIMITS.maxVocab - 256} are allowed (got ${merges.length / 2})`;
  for (let k = 0; k < merges.length; k++) {
    const id = merges[k];
    if (!Number.isInteger(id) || id < 0 || id >= 256 + Math.floor(k / 2))
      return `tokenizer merges: merge ${Math.floor(k / 2) + 1} joins token ${id}, which is not made before it`;
  }
  return null;
}

/** A vocabulary ready to encode and decode: each token's bytes, and each pair's merge rank. */
export interface BpeTokenizer {
  merges: Int32Array;
  vocabSize: number;
  tokenBytes: Uint8Array[];
  rank: Map<number, number>;
}

export function bpeTokenizer({ merges }: BpeMerges): BpeTokenizer {
  const problem = mergesProblem(merges);
  if (problem) throw new Error(problem);
  const tokenBytes = Array.from({ length: 256 }, (_, i) => Uint8Array.of(i));
  const rank = new Map<number, number>();
  for (let k = 0; k < merges.length / 2; k++) {
    const [a, b] = [tokenBytes[merges[2 * k]], tokenBytes[merges[2 * k + 1]]];
    const joined = new Uint8Array(a.length + b.length);
    joined.set(a);
    joined.set(b, a.length);
    tokenBytes.push(joined);
    const key = pairKey(merges[2 * k], merges[2 * k + 1]);
    if (!rank.has(key)) rank.set(key, k);
  }
  return { merges, vocabSize: tokenBytes.length, tokenBytes, rank };
}

/** One chunk's tokens: merges applied in rank order, which is the order learning made them. */
function encodeChunk(tokenizer: BpeTokenizer, piece: Uint8Array): number[] {
  let word = Array.from(piece);
  for (;;) {
    let best = -1;
    for (let i = 0; i + 1 < word.length; i++) {
      const r = tokenizer.rank.get(pairKey(word[i], word[i + 1]));
      if (r !== undefined && (best < 0 || r < best)) best = r;
    }
    if (best < 0) return word;
    word = mergeInto(word, tokenizer.merges[2 * best], tokenizer.merges[2 * best + 1], 256 + best);
  }
}

/** The text's tokens; `onProgress` hears the bytes done of all, every TOKENIZING_REPORT_EVERY or so. */
export function encodeBpe(
  tokenizer: BpeTokenizer,
  text: string,
  onProgress?: (done: number, total: number) => void,
): Int32Array {
  const bytes = stringBytes(text);
  const bounds = chunkBounds(bytes);
  const seen = new Map<string, number[]>();
  const out: number[] = [];
  let reported = 0;
  for (let k = 0; k < bounds.length; k += 2) {
    if (onProgress && bounds[k] - reported >= TOKENIZING_REPORT_EVERY) onProgress((reported = bounds[k]), bytes.length);
    const piece = bytes.subarray(bounds[k], bounds[k + 1]);
    const key = String.fromCharCode(...piece);
    let tokens = seen.get(key);
    if (!tokens) seen.set(key, (tokens = encodeChunk(tokenizer, piece)));
    for (const t of tokens) out.push(t);
  }
  return Int32Array.from(out);
}

/** The tokens' bytes joined: a token may end inside a character, so a cut sequence can read U+FFFD there. */
export function decodeBpe(tokenizer: BpeTokenizer, tokens: ArrayLike<number>): string {
  const parts = Array.from(tokens, (t) => tokenizer.tokenBytes[t] ?? Uint8Array.of());
  const bytes = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  return bytesString(bytes);
}
