import { create } from 'zustand';

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
  set: (change) => set(change),
}));
