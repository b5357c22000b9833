// A text as a language model's tokens: one per character, or byte pairs learned from the text's training part
// (data/bpe.ts). What a trained model needs to read a prompt and write its samples travels with the dataset as
// plain data (a token's text, the merges), so it can be cloned and kept.
import type { TokenizerSpec } from '../experiment/types';
import { bpeTokenizer, decodeBpe, encodeBpe, trainBpe, type BpeTokenizer } from './bpe';
import { charVocab, encode, NAME_BOUNDARY } from './text';
import { stringBytes } from './wtf8';

export interface TextTokens {
  /** Each token as text, by id: a character, or a byte pair's bytes read as text (U+FFFD where it cuts a character). */
  vocab: string[];
  /** Byte pairs: the vocabulary learned; null for characters. */
  bpe: BpeTokenizer | null;
  /** The token a sample starts from (names: the boundary '.'; else a new line or a space where the text has one). */
  startToken: number;
  /** The validation targets' UTF-8 bytes per token, to turn the validation loss per token into one per byte. */
  validationBytesPerToken?: number;
  /** Byte pairs: what the vocabulary learned, for the page to show. */
  view?: TokenView | null;
}

/**
 * A text's tokens, and how to read and write more: byte pairs learned from its first `trainingChars` characters
 * only, or the `learned` merges (a kept run's, or learned beforehand with progress: see tokenizerText).
 */
export function tokenizeText(
  text: string,
  tokenizer: TokenizerSpec,
  trainingChars: number,
  learned?: Int32Array,
  onProgress?: (done: number, total: number) => void,
): { tokens: Int32Array; codec: TextTokens } {
  if (tokenizer.kind === 'bpe') {
    if (learned && 256 + learned.length / 2 > tokenizer.vocabSize)
      throw new Error(
        `The byte pairs kept with this run make ${256 + learned.length / 2} tokens, more than its vocabulary of ${tokenizer.vocabSize}`,
      );
    const merges = learned ?? trainBpe(text.slice(0, trainingChars), tokenizer.vocabSize).merges;
    const bpe = bpeTokenizer({ merges });
    const tokens = encodeBpe(bpe, text, onProgress);
    // The model's vocabulary is the size asked for: tokens a short text never merged into are never seen.
    const vocab = Array.from({ length: tokenizer.vocabSize }, (_, t) => (t < bpe.vocabSize ? decodeBpe(bpe, [t]) : ''));
    const start = [NAME_BOUNDARY, '\n', ' '].find((c) => text.includes(c));
    return { tokens, codec: { vocab, bpe, startToken: start ? start.charCodeAt(0) : 0 } };
  }
  const chars = charVocab(text);
  const tokens = encode(chars, text, onProgress);
  const startToken = chars.index.get(NAME_BOUNDARY) ?? chars.index.get('\n') ?? chars.index.get(' ') ?? 0;
  return { tokens, codec: { vocab: chars.chars, bpe: null, startToken } };
}

/** A prompt's tokens; characters the vocabulary lacks are named (byte pairs read any text). */
export function encodePrompt(codec: Pick<TextTokens, 'vocab' | 'bpe'>, text: string): number[] {
  if (codec.bpe) return Array.from(encodeBpe(codec.bpe, text));
  const unknown = [...new Set(text)].filter((c) => !codec.vocab.includes(c));
  if (unknown.length)
    throw new Error(
      `the model does not know ${unknown.map((c) => JSON.stringify(c)).join(', ')}: use characters from its training text`,
    );
  return [...text].map((c) => codec.vocab.indexOf(c));
}

/** Tokens as text: byte pairs join their bytes before reading them, so a character split across two reads whole. */
export function decodeTokens(codec: Pick<TextTokens, 'vocab' | 'bpe'>, tokens: ArrayLike<number>): string {
  return codec.bpe ? decodeBpe(codec.bpe, tokens) : Array.from(tokens, (t) => codec.vocab[t] ?? '').join('');
}

/** UTF-8 bytes per token of these tokens, as the text they stand for. */
export function bytesPerTokenOf(codec: Pick<TextTokens, 'vocab' | 'bpe'>, tokens: ArrayLike<number>): number {
  const bytesOf = codec.bpe
    ? (t: number) => codec.bpe!.tokenBytes[t]?.length ?? 0
    : (t: number) => stringBytes(codec.vocab[t] ?? '').length;
  let bytes = 0;
  for (let i = 0; i < tokens.length; i++) bytes += bytesOf(tokens[i]);
  return bytes / Math.max(1, tokens.length);
}

/** What a byte-pair tokenizer learned: its size, how finely it cuts the text, its commonest tokens, held-out text cut. */
export interface TokenView {
  vocabSize: number;
  /** Merges learned (the rest of the vocabulary past the 256 bytes is never used by this text). */
  merges: number;
  tokensPerChar: number;
  /** The most used tokens in the text, most used first: text, bytes in hex, times used, merge rank (null: a byte). */
  vocabulary: { text: string; bytes: string; count: number; rank: number | null }[];
  /** The start of the held-out text as the tokenizer cuts it: each token's text and id. */
  excerpt: { text: string; id: number }[];
}

/** Rows of the vocabulary table, and pieces of the held-out excerpt, at most. */
export const TOKEN_VIEW_LIMITS = { vocabulary: 300, excerptChars: 600 };

/**
 * What a byte-pair vocabulary made of this text: its commonest tokens with their counts and merge ranks, tokens per
 * character, and the held-out text's start (from `heldOutFrom`, in characters) cut into tokens.
 */
export function tokenView(codec: TextTokens, tokens: Int32Array, text: string, heldOutFrom: number): TokenView | null {
  const bpe = codec.bpe;
  if (!bpe) return null;
  const counts = new Int32Array(codec.vocab.length);
  for (const t of tokens) counts[t]++;
  const hex = (t: number) =>
    Array.from(bpe.tokenBytes[t].subarray(0, 16), (b) => b.toString(16).padStart(2, '0')).join(' ') +
    (bpe.tokenBytes[t].length > 16 ? ' …' : '');
  const used = Array.from(counts.keys())
    .filter((t) => counts[t] > 0)
    .sort((a, b) => counts[b] - counts[a] || a - b)
    .slice(0, TOKEN_VIEW_LIMITS.vocabulary);
  let chars = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) chars++; // a low surrogate is the second half of a character already counted
  }
  const held = encodeBpe(bpe, text.slice(heldOutFrom, heldOutFrom + TOKEN_VIEW_LIMITS.excerptChars));
  return {
    vocabSize: codec.vocab.length,
    merges: bpe.merges.length / 2,
    tokensPerChar: tokens.length / Math.max(1, chars),
    vocabulary: used.map((t) => ({
      text: codec.vocab[t],
      bytes: hex(t),
      count: counts[t],
      rank: t < 256 ? null : t - 256,
    })),
    excerpt: Array.from(held, (id) => ({ text: codec.vocab[id], id })),
  };
}
