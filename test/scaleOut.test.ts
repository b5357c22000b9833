// Scale out's figures hang together: the shares add up to the model, GPipe's schedule is a schedule (no stage does
// two things at once, nothing runs before what it needs), its idle share is the bubble formula's, and splits that
// cannot be made say why. (That train.py holds and sends what they say: test/modelParallel.test.ts.)
import { describe, expect, test } from 'vitest';
import { defaultModel, defaultSpec, datasetDefaults, type ExperimentSpec } from '../src/experiment';
import { problemShape } from '../src/data/shapes';
import { modelCost } from '../src/engine/modelCost';
import { gpipeSchedule, scaleOut, stageBounds } from '../src/engine/scaleOut';

function names(model: ExperimentSpec['model']): ExperimentSpec {
  const s = defaultSpec();
  s.dataset = { ...s.dataset, kind: 'names', ...datasetDefaults('names') };
  s.model = model;
  return s;
}

const SPECS: [string, ExperimentSpec][] = [
  ['the default MLP', defaultSpec()],
  ['a tied transformer', names({ ...defaultModel('transformer'), tiedEmbeddings: true } as ExperimentSpec['model'])],
  ['an untied transformer', names(defaultModel('transformer'))],
  ['a GRU', names({ ...defaultModel('lstm'), cell: 'gru' } as ExperimentSpec['model'])],
];

describe('Scale out', () => {
  test.each(SPECS)('%s: each strategy’s shares add up to the whole model', (_, spec) => {
    const shape = problemShape(spec, null)!;
    const params = modelCost(spec.model, shape).params;
    const one = scaleOut(spec, shape, 1);
    for (const split of Object.values(one)) {
      if (split.problem) continue;
      expect(split.loads[0].parameters).toBe(params);
      expect(split.loads[0].bytesSent).toBe(0); // alone, nothing to send
    }
    expect(one.data.loads[0].memory.activations).toBeGreaterThan(0);
    const two = scaleOut(spec, shape, 2);
    expect(two.data.loads.map((l) => l.parameters)).toEqual([params, params]);
    // Pipeline stages hold disjoint parts, but for a tied embedding the first and last stage both hold.
    const staged = two.pipeline.loads.reduce((s, l) => s + l.parameters, 0);
    const m = spec.model;
    const tied =
      m.kind === 'transformer' && m.tiedEmbeddings ? m.dModel * (shape.kind === 'sequence' ? shape.vocab! : 0) : 0;
    expect(staged).toBe(params + tied);
    // Half the batch's activations each, for data; the stages' add up to one device's.
    const whole = one.data.loads[0].memory.activations;
    expect(two.data.loads[0].memory.activations).toBeCloseTo(whole / 2, 6);
    expect(two.pipeline.loads.reduce((s, l) => s + l.memory.activations, 0)).toBeCloseTo(whole, 6);
    if (!two.tensor.problem) expect(two.tensor.loads[0].parameters).toBeLessThan(params);
  });

  test('GPipe’s schedule: one thing at a time per stage, in dependency order, idle for the bubble’s share', () => {
    for (const [stages, micro] of [
      [2, 1],
      [4, 4],
      [3, 8],
      [8, 2],
    ]) {
      const { cells, slots } = gpipeSchedule(stages, micro);
      const at = (s: number, m: number, phase: string) =>
        cells.find((c) => c.stage === s && c.micro === m && c.phase === phase)!;
      for (let s = 0; s < stages; s++) {
        const mine = cells.filter((c) => c.stage === s).sort((a, b) => a.start - b.start);
        mine.slice(1).forEach((c, i) => expect(c.start).toBeGreaterThanOrEqual(mine[i].start + mine[i].length));
        const busy = mine.reduce((t, c) => t + c.length, 0);
        expect(1 - busy / slots).toBeCloseTo((stages - 1) / (micro + stages - 1), 12);
        for (let m = 0; m < micro; m++) {
          if (s > 0) expect(at(s, m, 'forward').start).toBeGreaterThanOrEqual(at(s - 1, m, 'forward').start + 1);
          if (s < stages - 1)
            expect(at(s, m, 'backward').start).toBeGreaterThanOrEqual(at(s + 1, m, 'backward').start + 2);
          expect(at(s, m, 'backward').start).toBeGreaterThanOrEqual(at(stages - 1, m, 'forward').start + 1);
        }
      }
    }
    const spec = defaultSpec();
    const split = scaleOut(spec, problemShape(spec, null)!, 2, { microBatches: 6 }).pipeline;
    expect(split.pipeline).toEqual({
      stages: [
        [0, 2],
        [2, 3],
      ],
      microBatches: 6,
      bubble: 1 / 7,
    });
  });

  test('stages are consecutive runs as even as they divide', () => {
    expect(stageBounds(5, 2)).toEqual([
      [0, 3],
      [3, 5],
    ]);
    expect(stageBounds(12, 4).map(([a, b]) => b - a)).toEqual([3, 3, 3, 3]);
  });

  test('splits that cannot be made say why, naming what to change', () => {
    const spec = defaultSpec(); // 2 hidden layers, batch 16
    const shape = problemShape(spec, null)!;
    expect(scaleOut(spec, shape, 64).data.problem).toBe(
      `64 devices cannot share batches of ${spec.training.batchSize} examples`,
    );
    expect(scaleOut(spec, shape, 4).pipeline.problem).toBe(
      'the model has only 3 layers (or blocks) to share out among 4 devices',
    );
    const cnn = { ...defaultSpec(), model: defaultModel('cnn') };
    cnn.dataset = { ...cnn.dataset, kind: 'mnist', ...datasetDefaults('mnist') };
    const cnnShape = problemShape(cnn, null)!;
    expect(scaleOut(cnn, cnnShape, 2).tensor.problem).toBe('tensor parallelism splits MLPs and transformers, not CNNs');
    expect(scaleOut(cnn, cnnShape, 2).data.problem).toBeNull();
    const heads = names({ ...defaultModel('transformer'), heads: 4 } as ExperimentSpec['model']);
    expect(scaleOut(heads, problemShape(heads, null)!, 8).tensor.problem).toBe(
      'the number of attention heads is 4, which 8 does not divide',
    );
    const muon = defaultSpec();
    muon.training.optimizer.kind = 'muon';
    expect(scaleOut(muon, shape, 2).tensor.problem).toMatch(/^Muon orthogonalises whole matrices/);
  });
});
