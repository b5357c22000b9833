// Several tabs of the app share one IndexedDB: a Web Lock per training run tells the others it is
// alive (a crashed tab's locks go with it), and a BroadcastChannel tells them what changed.

const LOCK_PREFIX = 'nn-playground-run-';
const released = new Map<number, () => void>();
const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;

/** Hold this run's lock until releaseRun: other tabs then know it is training here. */
export function holdRun(id: number): void {
  if (!locks || released.has(id)) return;
  void locks.request(LOCK_PREFIX + id, () => new Promise<void>((r) => released.set(id, r))).catch(() => {});
}

export function releaseRun(id: number): void {
  released.get(id)?.();
  released.delete(id);
}

/** Runs whose lock some tab holds now (this one's included). */
export async function heldRuns(): Promise<Set<number>> {
  const out = new Set<number>();
  if (!locks) return out;
  const state = await locks.query().catch(() => ({ held: [] as LockInfo[] }));
  for (const l of state.held ?? []) {
    if (l.name?.startsWith(LOCK_PREFIX)) out.add(Number(l.name.slice(LOCK_PREFIX.length)));
  }
  return out;
}

export type TabMessage = { type: 'saved'; id: number } | { type: 'deleted'; id: number };

const channel = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel('nn-playground-runs');

export function tellOtherTabs(message: TabMessage): void {
  channel?.postMessage(message);
}

/** Messages from other tabs; anything malformed is ignored. */
export function onOtherTabs(listener: (message: TabMessage) => void): void {
  if (!channel) return;
  channel.onmessage = (e: MessageEvent) => {
    const m = e.data as Partial<TabMessage> | null;
    if (m && (m.type === 'saved' || m.type === 'deleted') && Number.isSafeInteger(m.id)) listener(m as TabMessage);
  };
}

let lastId = 0;

/**
 * A run id no other tab takes: the time in milliseconds and 11 random bits (a counter read once
 * per tab would hand two tabs the same id), rising within a tab (Compare makes several at once).
 * Ids stay below 2^53 until the year 2109.
 */
export function newRunId(): number {
  const random = new Uint16Array(1);
  crypto.getRandomValues(random);
  lastId = Math.max(Date.now() * 2048 + (random[0] & 2047), lastId + 1);
  return lastId;
}

const NUMBER_KEY = 'nn-playground.nextRunId';

/** The number in a new run's name ("Run 7"): read and bumped at each use, so tabs rarely repeat one. */
export function nextRunNumber(atLeast: number): number {
  let stored = 1;
  try {
    const raw = Number(localStorage.getItem(NUMBER_KEY));
    if (Number.isSafeInteger(raw) && raw > 0) stored = raw;
  } catch {
    /* no storage: count from the runs shown */
  }
  const n = Math.max(stored, atLeast);
  try {
    localStorage.setItem(NUMBER_KEY, String(n + 1));
  } catch {
    /* full or unavailable: the name may repeat, the id does not */
  }
  return n;
}
