import { describe, expect, test } from 'vitest';
import { classificationReport } from '../src/engine/classMetrics';

describe('precision, recall and F1 from a confusion matrix', () => {
  test('two classes, against values worked out by hand', () => {
    // true 0: 40 right, 10 called 1; true 1: 5 called 0, 45 right.
    const r = classificationReport([40, 10, 5, 45]);
    // class 0: P = 40/45, R = 40/50; class 1: P = 45/55, R = 45/50.
    expect(r.perClass[0].precision).toBeCloseTo(40 / 45, 12);
    expect(r.perClass[0].recall).toBeCloseTo(0.8, 12);
    expect(r.perClass[0].f1).toBeCloseTo((2 * (40 / 45) * 0.8) / (40 / 45 + 0.8), 12); // = 80/95
    expect(r.perClass[1].precision).toBeCloseTo(45 / 55, 12);
    expect(r.perClass[1].recall).toBeCloseTo(0.9, 12);
    expect(r.perClass[1].f1).toBeCloseTo(90 / 105, 12);
    expect(r.macro.precision).toBeCloseTo((40 / 45 + 45 / 55) / 2, 12);
    expect(r.macro.recall).toBeCloseTo(0.85, 12);
    expect(r.macro.f1).toBeCloseTo((80 / 95 + 90 / 105) / 2, 12);
    expect(r.accuracy).toBeCloseTo(0.85, 12);
    expect(r.perClass.map((c) => c.support)).toEqual([50, 50]);
  });

  test('three classes with one never predicted and one never present count as 0, as scikit-learn does', () => {
    // rows: true 0, 1, 2; columns: predicted 0, 1, 2. Class 2 is never predicted; nothing is truly class 1 but 3 are called 1.
    const r = classificationReport([6, 3, 0, 0, 0, 0, 2, 0, 0]);
    expect(r.perClass[0]).toEqual({
      precision: 0.75,
      recall: 6 / 9,
      f1: expect.closeTo((2 * 0.75 * (6 / 9)) / (0.75 + 6 / 9), 12),
      support: 9,
      present: true,
    });
    expect(r.perClass[1]).toEqual({ precision: 0, recall: 0, f1: 0, support: 0, present: true });
    expect(r.perClass[2]).toEqual({ precision: 0, recall: 0, f1: 0, support: 2, present: true });
    expect(r.macro.precision).toBeCloseTo(0.25, 12);
    expect(r.accuracy).toBeCloseTo(6 / 11, 12);
    expect(r.total).toBe(11);
  });

  test('a class neither in the labels nor in the predictions is left out of the macro means (scikit-learn’s default labels)', () => {
    // Four classes; class 3 never occurs. sklearn: precision_recall_fscore_support(y, p, average='macro')
    // over the labels present, [0, 1, 2]. Same matrix as above with an empty class added.
    const r = classificationReport([6, 3, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0]);
    expect(r.perClass[3]).toEqual({ precision: 0, recall: 0, f1: 0, support: 0, present: false });
    const without = classificationReport([6, 3, 0, 0, 0, 0, 2, 0, 0]);
    expect(r.macro).toEqual(without.macro);
    expect(r.macro.recall).toBeCloseTo(6 / 9 / 3, 12);
  });

  test('a matrix that is not square is refused', () => {
    expect(() => classificationReport([1, 2, 3])).toThrow(/square/);
  });
});
