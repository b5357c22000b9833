/**
 * Okabe and Ito's colour-blind-safe categorical palette (yellow last: it is faint on white), for
 * runs, optimizers and layers: no red–green pair, which a red–green colour-blind eye cannot tell
 * apart, ever stands for two things at once. A run keeps its colour in its record.
 */
export const CATEGORY_COLORS = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#000000', '#f0e442'];
