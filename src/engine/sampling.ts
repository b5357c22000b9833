// Drawing a language model's next token from its logits: temperature, then top-k (the k likeliest tokens only),
// then top-p (the fewest likeliest tokens whose probabilities reach p), renormalised; and what each drawn token's
// probability and its likeliest alternatives were. Plain numbers: no tfjs, so the page can use the types.
import type { Rng } from '../data/rng';

export interface DrawSettings {
  /** 0: always the likeliest token; 1: the model's own distribution; higher: flatter. */
  temperature: number;
  /** Only the k likeliest tokens (0: all). */
  topK: number;
  /** Only the fewest likeliest tokens whose probabilities add up to at least p (1: all). */
  topP: number;
}

export const DRAW_DEFAULTS: DrawSettings = { temperature: 0.8, topK: 0, topP: 1 };

/** Limits of each setting, for the controls and for messages from the page. */
export const DRAW_LIMITS = { maxTemperature: 2, maxTopK: 1000, minTopP: 0.01 };

/** Why these settings cannot draw, naming the field, or null. */
export function drawProblem(s: DrawSettings): string | null {
  if (!(s.temperature >= 0 && s.temperature <= DRAW_LIMITS.maxTemperature))
    return `sampling temperature must be from 0 to ${DRAW_LIMITS.maxTemperature}`;
  if (!Number.isInteger(s.topK) || s.topK < 0 || s.topK > DRAW_LIMITS.maxTopK)
    return `sampling top-k must be a whole number from 0 (all tokens) to ${DRAW_LIMITS.maxTopK}`;
  if (!(s.topP >= DRAW_LIMITS.minTopP && s.topP <= 1)) return `sampling top-p must be from ${DRAW_LIMITS.minTopP} to 1`;
  return null;
}

/** The model's own next-token probabilities: softmax of the logits. */
export function softmax(logits: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
  const p = Float64Array.from(logits, (z) => Math.exp(z - max));
  const total = p.reduce((a, b) => a + b, 0);
  return p.map((v) => v / total);
}

/** Token ids by probability, likeliest first (ties: the smaller id). */
function byProbability(p: Float64Array): number[] {
  return Array.from(p.keys()).sort((a, b) => p[b] - p[a] || a - b);
}

/**
 * The `count` likeliest token ids but `skip`, in byProbability's order, in one pass: a sample asks this of every
 * drawn token, where sorting a 16,384-token vocabulary each time would be most of the work.
 */
function likeliest(p: Float64Array, count: number, skip = -1): number[] {
  const top: number[] = [];
  for (let t = 0; t < p.length; t++) {
    if (t === skip || (top.length === count && p[t] <= p[top[count - 1]])) continue;
    // After every id as likely (those are smaller): ties keep the smaller id first.
    let at = top.length;
    while (at > 0 && p[t] > p[top[at - 1]]) at--;
    top.splice(at, 0, t);
    if (top.length > count) top.pop();
  }
  return top;
}

/** The distribution a token is drawn from: the logits at the temperature, cut to top-k and top-p, renormalised. */
export function drawDistribution(logits: ArrayLike<number>, s: DrawSettings): Float64Array {
  if (s.temperature <= 0) {
    const out = new Float64Array(logits.length);
    out[likeliest(softmax(logits), 1)[0]] = 1;
    return out;
  }
  const p = softmax(Array.from(logits, (z) => z / s.temperature));
  const order = byProbability(p);
  let kept = s.topK > 0 ? Math.min(s.topK, order.length) : order.length;
  if (s.topP < 1) {
    let sum = 0;
    for (let i = 0; i < kept; i++) {
      sum += p[order[i]];
      if (sum >= s.topP) {
        kept = i + 1;
        break;
      }
    }
  }
  const out = new Float64Array(p.length);
  let total = 0;
  for (let i = 0; i < kept; i++) total += p[order[i]];
  for (let i = 0; i < kept; i++) out[order[i]] = p[order[i]] / total;
  return out;
}

/** One token drawn from a distribution with the seeded generator. */
export function drawFrom(p: Float64Array, rng: Rng): number {
  let u = rng.next();
  let last = 0;
  for (let i = 0; i < p.length; i++) {
    if (p[i] <= 0) continue;
    last = i;
    u -= p[i];
    if (u < 0) return i;
  }
  return last;
}

/** A sampled token as the page shows it: its text, the model's probability of it, and the likeliest alternatives. */
export interface SampledToken {
  text: string;
  probability: number;
  alternatives: { text: string; probability: number }[];
}

/** The drawn token with the model's own probabilities (temperature 1, nothing cut), and the `count` likeliest others. */
export function describeDraw(
  modelProbabilities: Float64Array,
  token: number,
  textOf: (token: number) => string,
  count = 5,
): SampledToken {
  return {
    text: textOf(token),
    probability: modelProbabilities[token],
    alternatives: likeliest(modelProbabilities, count, token).map((t) => ({
      text: textOf(t),
      probability: modelProbabilities[t],
    })),
  };
}

/** Text drawn from a language model: the prompt and what was drawn after it, and each drawn token described. */
export interface SampledText {
  text: string;
  tokens: SampledToken[];
}
