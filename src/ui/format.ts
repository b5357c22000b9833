// Numbers as the views print them.

/** Above this a perplexity says nothing more than "huge" (a diverging model reaches e^1000 = Infinity). */
const PERPLEXITY_CAP = 1e6;

/** e^loss for a loss in nats, or "> 10⁶" when it is too large to mean anything (never "Infinity"). */
export function formatPerplexity(loss: number): string {
  const p = Math.exp(loss);
  if (Number.isNaN(p)) return 'not a number';
  return p > PERPLEXITY_CAP ? '> 10⁶' : p.toFixed(2);
}

/** Whether every value in these arrays is a finite number (after a divergence they are not). */
export function allFinite(arrays: Iterable<ArrayLike<number> | null>): boolean {
  for (const a of arrays) {
    if (!a) continue;
    for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
  }
  return true;
}
