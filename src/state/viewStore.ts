import { create } from 'zustand';
import type { ExperimentSpec, LabSettings } from '../experiment';
import { DRAW_DEFAULTS, type DrawSettings } from '../engine/sampling';
import type { SeedBand } from './seedGroups';

/** The panels one click away, under the first screen. */
export type WorkbenchTab = 'runs' | 'compare' | 'sweep' | 'cost' | 'scale' | 'inside';

export type XAxisKind = 'epoch' | 'step' | 'time' | 'flops';

/** How the charts are drawn: shared by every chart so overlaid runs line up. */
interface ViewState {
  tab: 'playground' | 'lab';
  xAxis: XAxisKind;
  /** Exponential-moving-average weight, 0 (raw) … 0.99. */
  smoothing: number;
  logScale: boolean;
  /** Language models: how samples are drawn, and the text whose attention is shown (null: a validation window). */
  draw: DrawSettings;
  attentionText: string | null;
  /** The plane: whether validation points are drawn, and the class a click adds (1 blue, 0 orange). */
  showValidation: boolean;
  drawClass: 0 | 1;
  /** The lesson opened from the Lessons menu (its id), and whether the menu is open. */
  lesson: string | null;
  lessonsOpen: boolean;
  /** The person's own experiment and lab settings that opening a lesson replaced, to bring back; null: none. */
  ownExperiment: ExperimentSpec | null;
  ownLab: LabSettings | null;
  /** How many seeds Train and Compare run (1: one run), and how a group of seeds is drawn. */
  seeds: number;
  seedBand: SeedBand;
  /** Inside the network: the training example walked through, and the weight whose chain rule is spelled out. */
  insideExample: number;
  insideWeight: { l: number; i: number; j: number };
  workbench: WorkbenchTab;
  /** The charts draw runs on other data too (off: only those comparable with the run shown). */
  showAllRuns: boolean;
  /** Runs set aside from the charts and the status line when a lesson was opened (their ids). */
  earlierRuns: number[];
  /** Live: every epoch drawn, paced to be watched; Fast: as fast as the backend goes. */
  speed: 'live' | 'fast';
  set: (change: Partial<Omit<ViewState, 'set'>>) => void;
}

/** Where the person's choice of Live or Fast is kept between visits. */
export const SPEED_STORAGE_KEY = 'nn-playground.speed';

function keptSpeed(): 'live' | 'fast' {
  try {
    return globalThis.localStorage?.getItem(SPEED_STORAGE_KEY) === 'fast' ? 'fast' : 'live';
  } catch {
    return 'live'; // storage refused: the default
  }
}

/** Choose Live or Fast, and keep the choice for the next visit. */
export function chooseSpeed(speed: 'live' | 'fast'): void {
  useViewStore.getState().set({ speed });
  try {
    localStorage.setItem(SPEED_STORAGE_KEY, speed);
  } catch {
    // not kept: the next visit starts Live
  }
}

export const useViewStore = create<ViewState>((set) => ({
  // A lab link opens the lab.
  tab: typeof location !== 'undefined' && location.hash.startsWith('#lab=') ? 'lab' : 'playground',
  xAxis: 'epoch',
  smoothing: 0,
  logScale: false,
  draw: DRAW_DEFAULTS,
  attentionText: null,
  showValidation: true,
  drawClass: 1,
  lesson: null,
  lessonsOpen: false,
  ownExperiment: null,
  ownLab: null,
  seeds: 1,
  seedBand: 'minmax',
  speed: keptSpeed(),
  workbench: 'runs',
  showAllRuns: false,
  earlierRuns: [],
  insideExample: 0,
  insideWeight: { l: 0, i: 0, j: 0 },
  set: (change) => set(change),
}));
