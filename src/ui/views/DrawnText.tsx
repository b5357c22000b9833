import { useState, type KeyboardEvent } from 'react';
import type { SampledToken } from '../../engine/sampling';
import { shownPieces, tokenTitle } from './sampledText';

/**
 * A sampled text, each drawn token shaded by how unlikely the model found it. A token's probability and the five
 * likeliest alternatives show on hover, and below the text for the token picked: by a click, or from the keyboard
 * (the text is one tab stop; ← and → move from token to token, Home and End jump to the ends).
 */
export function DrawnText({ prompt, tokens, names }: { prompt: string; tokens: SampledToken[]; names: boolean }) {
  const [picked, setPicked] = useState<number | null>(null);
  const pieces = shownPieces(prompt, tokens, names);
  const drawn = pieces.filter((p) => p.token).length;
  const at = picked === null ? null : Math.min(picked, drawn - 1);
  const move = (ev: KeyboardEvent) => {
    const to = { ArrowRight: (at ?? -1) + 1, ArrowLeft: (at ?? 1) - 1, Home: 0, End: drawn - 1 }[ev.key];
    if (to === undefined || drawn === 0) return;
    ev.preventDefault();
    setPicked(Math.max(0, Math.min(drawn - 1, to)));
  };
  let nth = -1;
  const pickedToken = at === null ? null : pieces.filter((p) => p.token)[at].token!;
  return (
    <>
      <pre
        className="mono"
        role="group"
        aria-label="Sampled text: use the arrow keys to read each drawn token's probability"
        tabIndex={0}
        onKeyDown={move}
        onFocus={() => setPicked((p) => p ?? (drawn ? 0 : null))}
      >
        {pieces.map((p, i) => {
          if (!p.token) return <span key={i}>{p.text}</span>;
          const n = ++nth;
          return (
            <span
              key={i}
              className={n === at ? 'drawn picked' : 'drawn'}
              title={tokenTitle(p.token)}
              onClick={() => setPicked(n)}
              style={{ '--unlikely': (1 - p.token.probability).toFixed(3) } as React.CSSProperties}
            >
              {p.text}
            </span>
          );
        })}
      </pre>
      <p className="small" aria-live="polite" data-testid="picked-token">
        {pickedToken
          ? `Token ${at! + 1} of ${drawn}: ${tokenTitle(pickedToken)}`
          : 'Click a token, or focus the text and use ← →, to read its probability and the five likeliest.'}
      </p>
    </>
  );
}
