// Precision, recall and F1 from a confusion matrix (plain arithmetic, no tfjs), for every classifier.

export interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
  /** Examples whose true class this is. */
  support: number;
  /** Whether the class occurs at all, as a label or as a prediction (else it is left out of the macro means). */
  present: boolean;
}

export interface ClassificationReport {
  perClass: ClassScores[];
  /**
   * Unweighted means over the classes that occur as a label or a prediction: scikit-learn's
   * "macro" average with its default labels (a class absent from both would only add a 0).
   */
  macro: { precision: number; recall: number; f1: number };
  accuracy: number;
  total: number;
}

/**
 * Per-class and macro-averaged scores of confusion[true·k + predicted], as scikit-learn's
 * classification_report computes them: a class never predicted has precision 0, one never
 * present recall 0, and F1 = 2PR / (P + R), 0 when both are 0; the macro means leave out a class
 * that is neither a label nor a prediction, as scikit-learn's default labels do.
 */
export function classificationReport(confusion: ArrayLike<number>): ClassificationReport {
  const k = Math.round(Math.sqrt(confusion.length));
  if (k * k !== confusion.length) throw new Error(`a confusion matrix must be square (got ${confusion.length} cells)`);
  const at = (t: number, p: number) => confusion[t * k + p];
  const classes = Array.from({ length: k }, (_, c) => c);
  const total = classes.reduce((sum, t) => sum + classes.reduce((s, p) => s + at(t, p), 0), 0);
  const perClass = classes.map((c) => {
    const hit = at(c, c);
    const predicted = classes.reduce((s, t) => s + at(t, c), 0);
    const support = classes.reduce((s, p) => s + at(c, p), 0);
    const precision = predicted ? hit / predicted : 0;
    const recall = support ? hit / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { precision, recall, f1, support, present: support + predicted > 0 };
  });
  const present = perClass.filter((c) => c.present);
  const mean = (pick: (s: ClassScores) => number) =>
    present.reduce((s, c) => s + pick(c), 0) / Math.max(1, present.length);
  return {
    perClass,
    macro: { precision: mean((c) => c.precision), recall: mean((c) => c.recall), f1: mean((c) => c.f1) },
    accuracy: total ? classes.reduce((s, c) => s + at(c, c), 0) / total : 0,
    total,
  };
}
