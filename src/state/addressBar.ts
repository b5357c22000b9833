// The address bar always holds a link to what is on screen: the experiment on the playground tab,
// the loss-surface lab's settings on the lab tab. Sharing is copying it; a reload keeps it.
import { encodeLab, encodeSpec, validateSpec } from '../experiment';
import { SPEC_HASH, useSpecStore } from './specStore';
import { LAB_HASH, labProblem, useLabStore } from './labStore';
import { useViewStore } from './viewStore';

/** The hash for what is shown now; null while it has a problem (a link must open something valid). */
export function currentHash(): string | null {
  if (useViewStore.getState().tab === 'lab') {
    const { settings } = useLabStore.getState();
    return labProblem(settings) ? null : LAB_HASH + encodeLab(settings);
  }
  const { spec } = useSpecStore.getState();
  return validateSpec(spec).ok ? SPEC_HASH + encodeSpec(spec) : null;
}

export function shareLink(): string | null {
  const hash = currentHash();
  return hash && `${location.origin}${location.pathname}${hash}`;
}

function write(): void {
  const hash = currentHash();
  if (hash && typeof history !== 'undefined' && location.hash !== hash) history.replaceState(null, '', hash);
}

useSpecStore.subscribe(write);
useLabStore.subscribe(write);
useViewStore.subscribe(write);
