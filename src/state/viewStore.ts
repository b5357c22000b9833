import { create } from 'zustand';
import type { ExperimentSpec, LabSettings } from '../spec';
import type { SeedBand } from './seedGroups';

export type XAxisKind = 'epoch' | 'step' | 'time' | 'flops';

/** How the charts are drawn: shared by every chart so overlaid runs line up. */
interface ViewState {
  tab: 'playground' | 'lab';
  xAxis: XAxisKind;
  /** Exponential-moving-average weight, 0 (raw) … 0.99. */
  smoothing: number;
  logScale: boolean;
  /** Language models: the sampling temperature, and the text whose attention is shown (null: a validation window). */
  temperature: number;
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
  set: (change: Partial<Omit<ViewState, 'set'>>) => void;
}

export const useViewStore = create<ViewState>((set) => ({
  // A lab link opens the lab.
  tab: typeof location !== 'undefined' && location.hash.startsWith('#lab=') ? 'lab' : 'playground',
  xAxis: 'epoch',
  smoothing: 0,
  logScale: false,
  temperature: 0.8,
  attentionText: null,
  showValidation: true,
  drawClass: 1,
  lesson: null,
  lessonsOpen: false,
  ownExperiment: null,
  ownLab: null,
  seeds: 1,
  seedBand: 'minmax',
  set: (change) => set(change),
}));
