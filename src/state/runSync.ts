// The runs this page shows beside its own: those kept from earlier visits (one that was training
// when its page went away comes back interrupted, unless another tab still trains it), and what
// other tabs of this browser save, delete, or leave behind when they close.
import * as archive from './runArchive';
import { heldRuns, onOtherTabs } from './runTabs';
import { ACTIVE_PHASES, interruption, isActive, live, type Notice, type Run, type RunState } from './runTypes';

export interface RunSyncContext {
  get: () => RunState;
  set: (change: Partial<RunState> | ((s: RunState) => Partial<RunState>)) => void;
  find: (id: number) => Run | undefined;
  patch: (id: number, change: (r: Run) => Partial<Run>) => void;
  notify: (kind: Notice['kind'], text: string) => void;
  keep: (id: number) => Promise<void>;
  save: (id: number) => Promise<void>;
}

/** Load the kept runs, and keep this page in step with the other tabs from now on. */
export function keepInStep({ get, set, find, patch, notify, keep, save }: RunSyncContext): void {
  // Runs kept from earlier visits come first. One that was training when its page went away is
  // interrupted, unless another tab still trains it (it holds the run's lock).
  // Locks first: a tab saves a run's end before letting go of its lock, so a run whose lock is
  // free by then is read back in its final state.
  void heldRuns()
    .then(async (held) => [await archive.loadRuns(), held] as const)
    .then(([{ runs: stored, skipped }, held]) => {
      if (skipped)
        notify(
          'warning',
          `${skipped} saved run${skipped === 1 ? '' : 's'} could not be read and ${skipped === 1 ? 'was' : 'were'} skipped.`,
        );
      const revived = stored.map((r) => {
        if (!ACTIVE_PHASES.includes(r.phase)) return live(r);
        if (held.has(r.id)) return live(r, true);
        const run = live({ ...r, ...interruption(r) });
        void keep(r.id);
        return run;
      });
      set((s) => ({ runs: [...revived.filter((r) => !s.runs.some((x) => x.id === r.id)), ...s.runs] }));
    })
    .catch((e) =>
      notify(
        'warning',
        `Saved runs could not be read from this browser’s storage: ${e instanceof Error ? e.message : String(e)}`,
      ),
    );

  // A tab that trains a run holds its lock; when the lock goes without a final save (the tab was
  // closed or crashed), the run here becomes interrupted, resumable from its last checkpoint.
  setInterval(() => {
    const elsewhere = get().runs.filter((r) => r.otherTab && ACTIVE_PHASES.includes(r.phase));
    if (elsewhere.length === 0) return;
    void heldRuns()
      .then(async (held) => {
        for (const r of elsewhere.filter((x) => !held.has(x.id))) {
          // Its tab saves a run's end before letting go of the lock: what is stored now is the truth.
          const stored = await archive.loadRun(r.id);
          if (!stored) {
            set((s) => ({ runs: s.runs.filter((x) => x.id !== r.id) }));
          } else if (!ACTIVE_PHASES.includes(stored.phase)) {
            patch(r.id, (mine) => ({ ...live(stored), visible: mine.visible }));
          } else {
            patch(r.id, () => ({ ...live(stored), ...interruption(stored) }));
            void save(r.id);
          }
        }
      })
      .catch(() => {});
  }, 3000);

  // Another tab saved or deleted a run: show its latest state here too.
  onOtherTabs((m) => {
    const mine = find(m.id);
    if (mine && isActive(mine)) return;
    if (m.type === 'deleted') {
      set((s) => ({ runs: s.runs.filter((r) => r.id !== m.id) }));
      return;
    }
    void archive.loadRun(m.id).then((r) => {
      if (!r) return;
      const run = { ...live(r, ACTIVE_PHASES.includes(r.phase)), visible: mine?.visible ?? r.visible };
      set((s) => ({
        runs: s.runs.some((x) => x.id === r.id) ? s.runs.map((x) => (x.id === r.id ? run : x)) : [...s.runs, run],
      }));
    });
  });
}
