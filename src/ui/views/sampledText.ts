// How sampled text reads on the page: how it was drawn, in words, and its tokens as pieces to show, names as a
// list ("anna, bob") rather than the stream the model writes (".anna.bob.").
import type { DrawSettings, SampledToken } from '../../engine/sampling';
import { NAME_BOUNDARY } from '../../data/text';

/** "temperature 0.8 · top-k 10 · top-p 0.9", leaving out what is off. */
export function drawLabel(d: DrawSettings): string {
  return [
    `temperature ${d.temperature}`,
    ...(d.topK > 0 ? [`top-k ${d.topK}`] : []),
    ...(d.topP < 1 ? [`top-p ${d.topP}`] : []),
  ].join(' · ');
}

/** A drawn token's probability and the likeliest others, for its hover text. */
export function tokenTitle(t: SampledToken): string {
  const percent = (p: number) => `${(100 * p).toFixed(p < 0.001 ? 2 : 1)}%`;
  const quoted = (s: string) => JSON.stringify(s);
  return (
    `${quoted(t.text)}: ${percent(t.probability)} likely to the model. Likeliest: ` +
    t.alternatives.map((a) => `${quoted(a.text)} ${percent(a.probability)}`).join(', ')
  );
}

export interface ShownPiece {
  text: string;
  /** The drawn token it shows; none for the prompt. */
  token?: SampledToken;
}

/** Names as one stream: ".anna.bob." as "anna, bob" (empty names dropped); other text as it is. */
export function shownStream(text: string, names: boolean): string {
  return names ? text.split(NAME_BOUNDARY).filter(Boolean).join(', ') : text;
}

/** The prompt, then each drawn token; for names, a boundary shows as ", " between two names and not at all elsewhere. */
export function shownPieces(prompt: string, tokens: SampledToken[], names: boolean): ShownPiece[] {
  const pieces: ShownPiece[] = [
    ...Array.from(prompt, (text) => ({ text })),
    ...tokens.map((t) => ({ text: t.text, token: t })),
  ];
  if (!names) return [{ text: prompt }, ...pieces.slice(Array.from(prompt).length)].filter((p) => p.text !== '');
  const out: ShownPiece[] = [];
  let boundary: ShownPiece | null = null;
  let inName = false;
  for (const p of pieces) {
    if (p.text === NAME_BOUNDARY) {
      if (inName) boundary = p;
      inName = false;
      continue;
    }
    if (boundary) out.push({ ...boundary, text: ', ' });
    boundary = null;
    inName = true;
    out.push(p);
  }
  return out;
}
