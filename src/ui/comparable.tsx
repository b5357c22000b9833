// The charts overlay only runs that can be compared with the one shown: the same data and task.
// The others are counted and can be shown on request; a lesson starts with a clean chart.
import { sameTask, type ExperimentSpec } from '../experiment';
import type { Run } from '../state/runStore';
import { useViewStore } from '../state/viewStore';

export interface HiddenCounts {
  /** Runs on other data or another task. */
  otherData: number;
  /** Runs from before the lesson that was opened. */
  earlier: number;
}

/** The runs to draw with `reference`, and how many were left off and why (none when `showAll`). */
export function splitComparable(
  runs: Run[],
  reference: ExperimentSpec,
  earlier: ReadonlySet<number>,
  showAll: boolean,
): { comparable: Run[]; hidden: HiddenCounts } {
  const hidden: HiddenCounts = { otherData: 0, earlier: 0 };
  if (showAll) return { comparable: runs, hidden };
  const comparable = runs.filter((r) => {
    if (earlier.has(r.id)) hidden.earlier++;
    else if (!sameTask(r.spec, reference)) hidden.otherData++;
    else return true;
    return false;
  });
  return { comparable, hidden };
}

/** "3 runs on other data hidden · show", or "showing every run · only comparable ones". */
export function HiddenRuns({ hidden }: { hidden: HiddenCounts }) {
  const showAll = useViewStore((s) => s.showAllRuns);
  const set = useViewStore((s) => s.set);
  const parts = [
    hidden.otherData > 0 && `${hidden.otherData} run${hidden.otherData === 1 ? '' : 's'} on other data`,
    hidden.earlier > 0 && `${hidden.earlier} from before this lesson`,
  ].filter(Boolean);
  if (!showAll && parts.length === 0) return null;
  return (
    <p className="hidden-runs small muted" data-testid="hidden-runs">
      {showAll ? 'Showing every run, comparable or not' : `${parts.join(' and ')} hidden`}
      {' · '}
      <button type="button" className="link" onClick={() => set({ showAllRuns: !showAll })}>
        {showAll ? 'only comparable runs' : 'show'}
      </button>
    </p>
  );
}
