// The views a kept run holds (its boundary, classes, forecast, toy answers, sample, attention, tokens), checked
// before the app trusts them: a damaged view is dropped, and redrawn from the model when it is opened.
import { isObject } from '../experiment';
import type { EpochViews, MisclassifiedShape, TextSample, ToySnapshot } from '../engine/types';
import { drawProblem } from '../engine/sampling';
import { TOKEN_VIEW_LIMITS, type TokenView } from '../data/textTokens';
import { isNumber, isNumberList, isString } from './recordValues';

const MAX_TEXT = 20000;

const isToyExample = (e: unknown): e is ToySnapshot['examples'][number] =>
  isObject(e) && isString(e.prompt, 1000) && isString(e.target, 1000) && isString(e.predicted, 1000);

const isTyped = (v: unknown, type: typeof Float32Array | typeof Uint8Array, length: number) =>
  v instanceof type && v.length === length;

/** Classes a kept confusion matrix may have: a table's (20) or your images' (OWN_IMAGE_LIMITS.classes). */
const MAX_CLASSES = 50;

/** The size of a kept run's misclassified images: null when absent (28×28 grey) or not a size. */
function misclassifiedShape(v: unknown): MisclassifiedShape | null {
  if (!isObject(v)) return null;
  const { height, width, channels, ink } = v;
  const side = (n: unknown) => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 64;
  return side(height) && side(width) && (channels === 1 || channels === 3) && typeof ink === 'boolean'
    ? { height: height as number, width: width as number, channels, ink }
    : null;
}

/** The views that pass their checks; a damaged view is dropped (it is redrawn from the model when opened). */
export function checkViews(raw: unknown): EpochViews {
  if (!isObject(raw)) return {};
  const out: EpochViews = {};
  const b = raw.boundary;
  if (
    isObject(b) &&
    Number.isInteger(b.resolution) &&
    (b.resolution as number) > 0 &&
    (b.resolution as number) <= 512 &&
    isTyped(b.values, Float32Array, (b.resolution as number) ** 2)
  )
    out.boundary = { resolution: b.resolution as number, values: b.values as Float32Array };
  const c = raw.classes;
  const shape = isObject(c) ? misclassifiedShape(c.image) : null;
  const pixels = shape ? shape.height * shape.width * shape.channels : 784;
  const k = isObject(c) && Array.isArray(c.confusion) ? Math.round(Math.sqrt(c.confusion.length)) : 0;
  if (
    isObject(c) &&
    k >= 2 &&
    k <= MAX_CLASSES &&
    isNumberList(c.confusion, MAX_CLASSES ** 2) &&
    c.confusion.length === k * k &&
    (c.labels === undefined ||
      (Array.isArray(c.labels) && c.labels.length === k && c.labels.every((l) => isString(l, 200)))) &&
    (c.image === undefined || shape !== null) &&
    Array.isArray(c.misclassified) &&
    c.misclassified.length <= 100 &&
    c.misclassified.every(
      (m) =>
        isObject(m) &&
        isNumber(m.index) &&
        isNumber(m.label) &&
        isNumber(m.predicted) &&
        isTyped(m.pixels, Uint8Array, pixels),
    )
  )
    out.classes = c as unknown as EpochViews['classes'];
  const f = raw.forecast;
  if (isObject(f) && isNumberList(f.truth, 100_000) && isNumberList(f.predicted, 100_000))
    out.forecast = { truth: f.truth, predicted: f.predicted };
  const t = raw.toy;
  if (isObject(t) && Array.isArray(t.examples) && t.examples.length <= 100 && t.examples.every(isToyExample)) {
    out.toy = { examples: t.examples.map((e) => ({ prompt: e.prompt, target: e.target, predicted: e.predicted })) };
  }
  const a = raw.attention;
  if (
    isObject(a) &&
    Array.isArray(a.tokens) &&
    a.tokens.length <= 1024 &&
    a.tokens.every((k) => isString(k, 8)) &&
    Number.isInteger(a.layers) &&
    Number.isInteger(a.heads) &&
    (a.layers as number) <= 64 &&
    (a.heads as number) <= 64 &&
    isTyped(a.weights, Float32Array, (a.layers as number) * (a.heads as number) * a.tokens.length ** 2)
  ) {
    out.attention = {
      tokens: a.tokens,
      layers: a.layers as number,
      heads: a.heads as number,
      weights: a.weights as Float32Array,
    };
  }
  const s = checkSample(raw.sample);
  if (s) out.sample = s;
  const tokens = checkTokenView(raw.tokens);
  if (tokens) out.tokens = tokens;
  return out;
}

/** What a byte-pair vocabulary learned, as kept: known fields within the view's own limits, or left out. */
function checkTokenView(raw: unknown): TokenView | null {
  if (!isObject(raw) || !Array.isArray(raw.vocabulary) || !Array.isArray(raw.excerpt)) return null;
  const { vocabSize, merges, tokensPerChar } = raw;
  const row = (r: unknown) =>
    isObject(r) &&
    isString(r.text, 300) &&
    isString(r.bytes, 60) &&
    isNumber(r.count) &&
    (r.rank === null || Number.isInteger(r.rank));
  const piece = (p: unknown) => isObject(p) && isString(p.text, 300) && Number.isInteger(p.id);
  if (
    !Number.isInteger(vocabSize) ||
    !Number.isInteger(merges) ||
    !isNumber(tokensPerChar) ||
    raw.vocabulary.length > TOKEN_VIEW_LIMITS.vocabulary ||
    raw.excerpt.length > TOKEN_VIEW_LIMITS.excerptChars ||
    !raw.vocabulary.every(row) ||
    !raw.excerpt.every(piece)
  )
    return null;
  type Row = TokenView['vocabulary'][number];
  type Piece = TokenView['excerpt'][number];
  return {
    vocabSize: vocabSize as number,
    merges: merges as number,
    tokensPerChar,
    vocabulary: (raw.vocabulary as Row[]).map((r) => ({ text: r.text, bytes: r.bytes, count: r.count, rank: r.rank })),
    excerpt: (raw.excerpt as Piece[]).map((p) => ({ text: p.text, id: p.id })),
  };
}

/** A kept sample; one kept before top-k and top-p were offered was drawn with neither. */
export function checkSample(raw: unknown): TextSample | null {
  if (!isObject(raw) || !isNumber(raw.epoch) || !isString(raw.text, MAX_TEXT)) return null;
  const [temperature, topK, topP] = [raw.temperature, raw.topK ?? 0, raw.topP ?? 1];
  if (!isNumber(temperature) || !isNumber(topK) || !isNumber(topP)) return null;
  const draw = { temperature, topK, topP };
  return drawProblem(draw) ? null : { epoch: raw.epoch, text: raw.text, ...draw };
}
