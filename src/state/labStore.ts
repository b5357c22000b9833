import { create } from 'zustand';
import {
  decodeLab,
  defaultLabSettings,
  defaultSpec,
  LAB_LIMITS,
  labRatesFor,
  OPTIMIZER_KINDS,
  optimizerPickProblem,
  type FieldError,
  SURFACE_INFO,
  type LabSettings,
  type OptimizerKind,
  type OptimizerSpec,
  type SurfaceKind,
} from '../experiment';
import type { SurfacePath } from '../engine/types';
import type { SurfaceRequest } from '../worker/surfaceProtocol';
import { surfaceWorkerClient } from '../worker/client';

export type { LabSettings };

export interface LabResult {
  settings: LabSettings;
  kinds: OptimizerKind[];
  grid: Float32Array;
  gridRes: number;
  paths: SurfacePath[];
}

interface LabState {
  settings: LabSettings;
  result: LabResult | null;
  /** Set when the page was opened from a lab link that could not be used. */
  linkErrors: FieldError[] | null;
  computing: boolean;
  error: string | null;
  update: (change: Partial<LabSettings>) => void;
  /** Switch surface: its window, start point and suggested learning rates. */
  setSurface: (surface: SurfaceKind) => void;
  dismissLinkErrors: () => void;
}

const GRID_RES = 200;

export const LAB_HASH = '#lab=';

/** Settings from a `#lab=` link, or the defaults and why the link could not be used. */
function initialSettings(): { settings: LabSettings; linkErrors: FieldError[] | null } {
  const hash = typeof location === 'undefined' ? '' : location.hash;
  if (!hash.startsWith(LAB_HASH)) return { settings: defaultLabSettings(), linkErrors: null };
  const result = decodeLab(hash.slice(LAB_HASH.length));
  return result.ok
    ? { settings: result.settings, linkErrors: null }
    : { settings: defaultLabSettings(), linkErrors: result.errors };
}

/** What is wrong with the settings, naming the field, or null. */
export function labProblem(s: LabSettings): string | null {
  const picked = optimizerPickProblem(s.chosen, s.rates);
  if (picked) return picked;
  if (!Number.isInteger(s.steps) || s.steps < LAB_LIMITS.steps.min || s.steps > LAB_LIMITS.steps.max) {
    return `Steps: must be a whole number from ${LAB_LIMITS.steps.min} to ${LAB_LIMITS.steps.max}.`;
  }
  const k = LAB_LIMITS.conditioning;
  if (!(s.conditioning >= k.min && s.conditioning <= k.max))
    return `Conditioning κ: must be from ${k.min} to ${k.max}.`;
  return null;
}

export const useLabStore = create<LabState>((set, get) => {
  let requestId = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  /** The settings of the request in flight, paired with its answer when it arrives. */
  let pending: Pick<LabResult, 'settings' | 'kinds'> | null = null;
  const worker = surfaceWorkerClient(
    (msg) => {
      if (msg.requestId !== requestId) return;
      if (msg.type === 'error') set({ computing: false, error: msg.message });
      else
        set({
          computing: false,
          error: null,
          result: { ...pending!, grid: msg.grid, gridRes: msg.gridRes, paths: msg.paths },
        });
    },
    (message) => set({ computing: false, error: `${message}; change a setting to try again` }),
  );

  const send = () => {
    const { settings } = get();
    if (labProblem(settings)) return;
    const kinds = OPTIMIZER_KINDS.filter((k) => settings.chosen[k]);
    const base = defaultSpec().training.optimizer;
    const optimizers: OptimizerSpec[] = kinds.map((k) => ({
      ...base,
      kind: k,
      learningRate: Number(settings.rates[k]),
    }));
    pending = { settings, kinds };
    requestId++;
    const req: SurfaceRequest = {
      type: 'compute',
      requestId,
      surface: settings.surface,
      conditioning: settings.conditioning,
      start: settings.start,
      steps: settings.steps,
      optimizers,
      gridRes: GRID_RES,
    };
    set({ computing: true });
    worker.send(req);
  };
  // Typing in a field sends at most one request per pause.
  const schedule = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(send, 150);
  };

  return {
    ...initialSettings(),
    result: null,
    computing: false,
    error: null,
    update(change) {
      set((s) => ({ settings: { ...s.settings, ...change } }));
      schedule();
    },
    dismissLinkErrors: () => set({ linkErrors: null }),
    setSurface(surface) {
      get().update({ surface, start: SURFACE_INFO[surface].start, rates: labRatesFor(surface) });
    },
  };
});

/** Ask for paths for the current settings (the lab calls this when it opens). */
export function requestLab(): void {
  useLabStore.getState().update({});
}
