import type { KeyboardEvent, ReactNode } from 'react';
import { useViewStore, type WorkbenchTab } from '../state/viewStore';

export const WORKBENCH_TABS: { id: WorkbenchTab; label: string }[] = [
  { id: 'runs', label: 'Runs' },
  { id: 'compare', label: 'Compare optimizers' },
  { id: 'sweep', label: 'Sweep' },
  { id: 'cost', label: 'Compute cost' },
  { id: 'scale', label: 'Scale out' },
  { id: 'inside', label: 'Inside the network' },
];

const PANEL_ID = 'workbench-panel';

/**
 * Everything beyond the essentials, one click away: a tab strip that stays at the bottom of the
 * window while the first screen is in view, and below it one panel at a time (its charts draw
 * only when it is open). A click on a tab opens its panel and brings it into view.
 */
export function Workbench({
  panels,
  counts,
}: {
  panels: Record<WorkbenchTab, ReactNode>;
  counts?: Partial<Record<WorkbenchTab, string>>;
}) {
  const tab = useViewStore((s) => s.workbench);
  const set = useViewStore((s) => s.set);
  const open = (id: WorkbenchTab) => {
    set({ workbench: id });
    requestAnimationFrame(() =>
      document.getElementById(PANEL_ID)?.scrollIntoView({ behavior: 'smooth', block: 'start' }),
    );
  };
  // The ARIA tabs pattern: left and right (and Home, End) move to a tab and open it.
  const onArrow = (e: KeyboardEvent) => {
    const i = WORKBENCH_TABS.findIndex((t) => t.id === tab);
    const n = WORKBENCH_TABS.length;
    const to = { ArrowRight: (i + 1) % n, ArrowLeft: (i + n - 1) % n, Home: 0, End: n - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    const next = WORKBENCH_TABS[to].id;
    open(next);
    document.getElementById(`workbench-tab-${next}`)?.focus();
  };
  return (
    <>
      <nav className="workbench-tabs" aria-label="More views">
        <div role="tablist" aria-label="More views" onKeyDown={onArrow}>
          {WORKBENCH_TABS.map((t) => (
            <button
              key={t.id}
              type="button"
              role="tab"
              id={`workbench-tab-${t.id}`}
              aria-selected={tab === t.id}
              aria-controls={PANEL_ID}
              // One tab stop for the strip; the arrow keys move between its tabs.
              tabIndex={tab === t.id ? 0 : -1}
              onClick={() => open(t.id)}
            >
              {t.label}
              {counts?.[t.id] ? ` (${counts[t.id]})` : ''}
            </button>
          ))}
        </div>
      </nav>
      <section className="workbench-panel" aria-label={WORKBENCH_TABS.find((t) => t.id === tab)?.label}>
        <div id={PANEL_ID} role="tabpanel" aria-labelledby={`workbench-tab-${tab}`}>
          {panels[tab]}
        </div>
      </section>
    </>
  );
}
