import { describe, expect, test } from 'vitest';
import {
  isLearningRateText,
  TRANSFORMER_OPTION_DEFAULTS,
  datasetDefaults,
  decodeLab,
  describeFieldError,
  distinguishingLabels,
  decodeSpec,
  defaultLabSettings,
  defaultModel,
  defaultSpec,
  mlpOf,
  diffSpecs,
  encodeLab,
  encodeSpec,
  migrateSpec,
  OPTIMIZER_KINDS,
  optimizerPickProblem,
  sequenceLength,
  validateSpec,
  type DatasetKind,
  type ExperimentSpec,
  type ModelSpec,
  type OptimizerKind,
  sameTask,
  switchModel,
  DEFAULT_EPOCHS,
} from '../src/experiment';
import { poolLayer, type CnnSpec, type ConvLayerSpec } from '../src/experiment/cnn';

function errorsOf(edit: (s: ExperimentSpec) => void) {
  const spec = defaultSpec();
  edit(spec);
  const result = validateSpec(JSON.parse(JSON.stringify(spec)));
  return result.ok ? [] : result.errors;
}

describe('validateSpec', () => {
  test('accepts the defaults', () => {
    expect(validateSpec(defaultSpec())).toEqual({ ok: true, spec: defaultSpec() });
  });

  const badFields: [string, (s: ExperimentSpec) => void, RegExp][] = [
    [
      'seed',
      (s) => {
        s.seed = -1;
      },
      /whole number at least 0/,
    ],
    [
      'seed',
      (s) => {
        s.seed = 1.5;
      },
      /whole number/,
    ],
    [
      'backend',
      (s) => {
        (s as { backend: string }).backend = 'cuda';
      },
      /one of auto, webgpu, webgl, wasm, cpu/,
    ],
    [
      'dataset.kind',
      (s) => {
        (s.dataset as { kind: string }).kind = 'mnist3d';
      },
      /one of circle/,
    ],
    [
      'dataset.samples',
      (s) => {
        s.dataset.samples = 10;
      },
      /at least 20 and at most 5000 \(got 10\)/,
    ],
    [
      'dataset.samples',
      (s) => {
        s.dataset.samples = NaN;
      },
      /got null/,
    ],
    [
      'dataset.noise',
      (s) => {
        s.dataset.noise = 5;
      },
      /at most 3/,
    ],
    [
      'dataset.validationSplit',
      (s) => {
        s.dataset.validationSplit = 0.9;
      },
      /at most 0.5/,
    ],
    [
      'dataset.features',
      (s) => {
        s.dataset.features = [];
      },
      /1 to 7 input features/,
    ],
    [
      'dataset.features',
      (s) => {
        s.dataset.features = ['x1', 'x1'];
      },
      /twice/,
    ],
    [
      'dataset.features[1]',
      (s) => {
        (s.dataset.features as string[]) = ['x1', 'cosx9'];
      },
      /one of x1, x2/,
    ],
    [
      'model.kind',
      (s) => {
        (s.model as { kind: string }).kind = 'resnet';
      },
      /one of mlp/,
    ],
    [
      'model.hidden',
      (s) => {
        mlpOf(s).hidden = Array.from({ length: 9 }, () => mlpOf(s).hidden[0]);
      },
      /at most 8 layers/,
    ],
    [
      'model.hidden[1].units',
      (s) => {
        mlpOf(s).hidden[1].units = 0;
      },
      /whole number at least 1 and at most 256/,
    ],
    [
      'model.hidden[0].units',
      (s) => {
        mlpOf(s).hidden[0].units = 2.5;
      },
      /whole number/,
    ],
    [
      'model.hidden[0].activation',
      (s) => {
        (mlpOf(s).hidden[0] as { activation: string }).activation = 'swish';
      },
      /relu, tanh, sigmoid, linear, gelu/,
    ],
    [
      'model.hidden[0].dropout',
      (s) => {
        mlpOf(s).hidden[0].dropout = 1;
      },
      /at most 0.9/,
    ],
    [
      'training.optimizer.kind',
      (s) => {
        (s.training.optimizer as { kind: string }).kind = 'lbfgs';
      },
      /one of sgd, momentum, nesterov, rmsprop, adagrad, adam, adamw/,
    ],
    [
      'training.optimizer.rho',
      (s) => {
        s.training.optimizer.rho = 1;
      },
      /less than 1/,
    ],
    [
      'training.optimizer.weightDecay',
      (s) => {
        s.training.optimizer.weightDecay = -1;
      },
      /at least 0/,
    ],
    [
      'training.schedule.kind',
      (s) => {
        (s.training.schedule as { kind: string }).kind = 'cyclic';
      },
      /one of constant, step, exponential, cosine/,
    ],
    [
      'training.schedule.gamma',
      (s) => {
        s.training.schedule.gamma = 0;
      },
      /greater than 0/,
    ],
    [
      'training.schedule.stepEpochs',
      (s) => {
        s.training.schedule.stepEpochs = 0.5;
      },
      /whole number/,
    ],
    [
      'training.schedule.warmupEpochs',
      (s) => {
        s.training.schedule.warmupEpochs = 50;
      },
      /fewer than the epochs \(50\)/,
    ],
    [
      'training.schedule.minLearningRate',
      (s) => {
        s.training.schedule = { ...s.training.schedule, kind: 'cosine', minLearningRate: 0.5 };
      },
      /must not exceed the learning rate/,
    ],
    [
      'training.clipNorm',
      (s) => {
        s.training.clipNorm = -1;
      },
      /at least 0/,
    ],
    [
      'training.earlyStopPatience',
      (s) => {
        s.training.earlyStopPatience = 2.5;
      },
      /whole number/,
    ],
    [
      'training.optimizer.learningRate',
      (s) => {
        s.training.optimizer.learningRate = 0;
      },
      /greater than 0/,
    ],
    [
      'training.optimizer.momentum',
      (s) => {
        s.training.optimizer.momentum = 1;
      },
      /less than 1/,
    ],
    [
      'training.optimizer.beta2',
      (s) => {
        s.training.optimizer.beta2 = -0.1;
      },
      /at least 0/,
    ],
    [
      'training.optimizer.epsilon',
      (s) => {
        s.training.optimizer.epsilon = 0;
      },
      /greater than 0/,
    ],
    [
      'training.optimizer.rmspropMomentum',
      (s) => {
        s.training.optimizer.rmspropMomentum = 1;
      },
      /less than 1/,
    ],
    [
      'training.optimizer.centered',
      (s) => {
        (s.training.optimizer as { centered: unknown }).centered = 'yes';
      },
      /true or false \(got "yes"\)/,
    ],
    [
      'training.optimizer.amsgrad',
      (s) => {
        (s.training.optimizer as { amsgrad: unknown }).amsgrad = 1;
      },
      /true or false/,
    ],
    [
      'training.batchSize',
      (s) => {
        s.training.batchSize = 0;
      },
      /at least 1/,
    ],
    [
      'training.batchSize',
      (s) => {
        s.training.batchSize = 401;
      },
      /at most the number of training points \(400\)/,
    ],
    [
      'training.epochs',
      (s) => {
        s.training.epochs = 0;
      },
      /at least 1/,
    ],
    [
      'training.l1',
      (s) => {
        s.training.l1 = -0.01;
      },
      /at least 0/,
    ],
    [
      'training.l2',
      (s) => {
        s.training.l2 = 2;
      },
      /at most 1/,
    ],
  ];

  test.each(badFields)('rejects a bad %s with a message naming it', (field, edit, message) => {
    const errors = errorsOf(edit);
    const hit = errors.find((e) => e.field === field);
    expect(hit, JSON.stringify(errors)).toBeDefined();
    expect(hit!.message).toMatch(message);
  });

  test('reports every bad field at once', () => {
    const errors = errorsOf((s) => {
      s.training.epochs = -3;
      s.dataset.noise = -1;
    });
    expect(errors.map((e) => e.field).sort()).toEqual(['dataset.noise', 'training.epochs']);
  });

  test('refuses unknown and future versions instead of guessing', () => {
    const future = { ...defaultSpec(), version: 2 };
    expect(validateSpec(future)).toEqual({
      ok: false,
      errors: [{ field: 'version', message: expect.stringMatching(/newer than this app understands/) }],
    });
    const missing: Record<string, unknown> = { ...defaultSpec() };
    delete missing.version;
    expect(validateSpec(missing)).toMatchObject({ ok: false, errors: [{ field: 'version' }] });
    expect(validateSpec('not a spec')).toMatchObject({ ok: false, errors: [{ field: 'spec' }] });
  });

  test('returns a clean spec of known fields only: extra fields of any size or depth do not ride along', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 10_000; i++) deep = { deeper: deep };
    const raw = { ...defaultSpec(), extra: deep, note: 'x'.repeat(750_000) } as Record<string, unknown>;
    (raw.dataset as Record<string, unknown>).secret = [1, 2, 3];
    (mlpOf(raw as unknown as ExperimentSpec).hidden[0] as unknown as Record<string, unknown>).bias = 'yes';
    const result = validateSpec(raw);
    expect(result).toEqual({ ok: true, spec: defaultSpec() });
    // What came back can be cloned and shared: nothing deep or long was kept.
    expect(JSON.stringify(structuredClone(result.ok && result.spec)).length).toBeLessThan(1500);
  });

  test('refuses arrays with holes, which a stored record could hold', () => {
    const spec = defaultSpec();
    const hidden = [] as unknown[];
    hidden[1] = { units: 4, activation: 'relu', dropout: 0 };
    (spec.model as { hidden: unknown[] }).hidden = hidden;
    expect(validateSpec(spec)).toMatchObject({ ok: false, errors: [{ field: 'model.hidden' }] });
    const features = [] as unknown[];
    features[1] = 'x1';
    expect(validateSpec({ ...defaultSpec(), dataset: { ...defaultSpec().dataset, features } })).toMatchObject({
      ok: false,
      errors: [{ field: 'dataset.features' }],
    });
  });

  test('every dataset kind needs the fields the others use, so switching kind never meets a missing one', () => {
    const text = {
      ...defaultSpec(),
      dataset: { ...defaultSpec().dataset, kind: 'names', samples: 4000 },
      model: defaultModel('lstm'),
    } as Record<string, unknown>;
    delete (text.dataset as Record<string, unknown>).features;
    expect(validateSpec(text)).toMatchObject({ ok: false, errors: [{ field: 'dataset.features' }] });
    // An old link without the field is given the default one.
    const opened = decodeSpec(encodeSpec(text as unknown as ExperimentSpec));
    expect(opened.ok && opened.spec.dataset.features).toEqual(['x1', 'x2']);
  });

  test('an error names the field as the builder shows it, with its path beside it', () => {
    const spec = defaultSpec();
    mlpOf(spec).hidden[0].units = 0;
    spec.training.optimizer.learningRate = -1;
    const result = validateSpec(spec);
    expect(result.ok).toBe(false);
    const shown = result.ok ? [] : result.errors.map(describeFieldError);
    expect(shown).toEqual([
      expect.stringMatching(/^Dense 1 · Units: must be a whole number .* \(model\.hidden\[0\]\.units\)$/),
      expect.stringMatching(/^Learning rate: must be .* \(training\.optimizer\.learningRate\)$/),
    ]);
    const transformer = {
      ...defaultSpec(),
      dataset: { ...defaultSpec().dataset, kind: 'names', samples: 4000 },
      model: { ...defaultModel('transformer'), layers: 0 },
    };
    const t = validateSpec(transformer);
    expect(t.ok ? [] : t.errors.map(describeFieldError)).toEqual([expect.stringMatching(/^Blocks: /)]);
    const gru = {
      ...transformer,
      model: { kind: 'lstm', cell: 'gru', embedding: 8, layers: [{ units: 0, dropout: 0 }] },
    };
    const g = validateSpec(gru);
    expect(g.ok ? [] : g.errors.map(describeFieldError)).toEqual([expect.stringMatching(/^GRU 1 · Units: /)]);
  });

  test('a spec from before the optimizer switches opens with them off, as it trained then', () => {
    const old = JSON.parse(JSON.stringify(defaultSpec()));
    for (const k of ['rmspropMomentum', 'centered', 'amsgrad', 'decayMatricesOnly']) delete old.training.optimizer[k];
    expect(validateSpec(old).ok).toBe(false);
    expect(validateSpec(migrateSpec(old))).toEqual({ ok: true, spec: defaultSpec() });
  });

  test('an MLP from before its initialisation and loss could be chosen opens as it trained then', () => {
    const old = JSON.parse(JSON.stringify(defaultSpec()));
    for (const k of ['init', 'initStd', 'classificationLoss', 'residual', 'norm']) delete old.model[k];
    expect(validateSpec(old).ok).toBe(false);
    expect(validateSpec(migrateSpec(old))).toEqual({ ok: true, spec: defaultSpec() });
    expect(errorsOf((s) => Object.assign(mlpOf(s), { init: 'ones', initStd: 0, classificationLoss: 'hinge' }))).toEqual(
      [
        {
          field: 'model.init',
          label: 'Initialisation',
          message: expect.stringMatching(/must be one of auto, glorotUniform, .*zeros \(got "ones"\)/),
        },
        { field: 'model.initStd', label: 'Initial σ', message: expect.stringMatching(/at least 0.0001/) },
        { field: 'model.classificationLoss', label: 'Loss', message: 'must be one of crossEntropy, mse (got "hinge")' },
      ],
    );
  });

  test('a transformer from before its options opens as the GPT-2 block it was; RoPE needs an even head width', () => {
    const spec = {
      ...defaultSpec(),
      dataset: { ...defaultSpec().dataset, kind: 'names' as const },
      model: defaultModel('transformer'),
    };
    const old = JSON.parse(JSON.stringify(spec));
    for (const k of ['position', 'norm', 'normPlacement', 'mlpActivation', 'tiedEmbeddings', 'attentionDropout'])
      delete old.model[k];
    expect(validateSpec(old).ok).toBe(false);
    expect(validateSpec(migrateSpec(old))).toEqual({ ok: true, spec });
    const rope = { ...spec, model: { ...spec.model, dModel: 12, heads: 4, position: 'rope' } };
    const result = validateSpec(rope);
    expect(result.ok ? [] : result.errors.map((e) => [e.field, e.message])).toEqual([
      ['model.heads', expect.stringMatching(/even width for RoPE.*\(dModel 12 \/ 4 heads = 3\)/)],
    ]);
    const bad = validateSpec({ ...spec, model: { ...spec.model, norm: 'batchNorm', tiedEmbeddings: 'yes' } });
    expect(bad.ok ? [] : bad.errors.map((e) => e.field)).toEqual(['model.norm', 'model.tiedEmbeddings']);
  });

  test('residual connections need two hidden layers in a row of one width', () => {
    expect(errorsOf((s) => (mlpOf(s).residual = true))).toEqual([]); // 8 → 8
    expect(
      errorsOf((s) => {
        mlpOf(s).residual = true;
        mlpOf(s).hidden[1].units = 4;
      }).map((e) => [e.field, e.message]),
    ).toEqual([['model.residual', expect.stringMatching(/two hidden layers in a row of the same width/)]]);
  });

  test('BatchNorm needs batches of at least two examples', () => {
    expect(errorsOf((s) => (mlpOf(s).norm = 'batchNorm'))).toEqual([]);
    const single = (norm: 'batchNorm' | 'layerNorm') =>
      errorsOf((s) => {
        mlpOf(s).norm = norm;
        s.training.batchSize = 1;
      }).map((e) => [e.field, e.message]);
    expect(single('batchNorm')).toEqual([['training.batchSize', expect.stringMatching(/at least 2 with BatchNorm/)]]);
    expect(single('layerNorm')).toEqual([]);
  });

  test('a recurrent model from before the cell could be chosen opens as the LSTM it was', () => {
    const spec = {
      ...defaultSpec(),
      dataset: { ...defaultSpec().dataset, kind: 'names' as const },
      model: defaultModel('lstm'),
    };
    const old = JSON.parse(JSON.stringify(spec));
    delete old.model.cell;
    expect(validateSpec(old).ok).toBe(false);
    expect(validateSpec(migrateSpec(old))).toEqual({ ok: true, spec });
    const gru = { ...spec, model: { ...defaultModel('lstm'), cell: 'gru' as const } };
    expect(validateSpec(migrateSpec(JSON.parse(JSON.stringify(gru))))).toEqual({ ok: true, spec: gru });
  });

  test('names a missing section', () => {
    const spec: Record<string, unknown> = { ...defaultSpec() };
    delete spec.training;
    expect(validateSpec(spec)).toMatchObject({
      ok: false,
      errors: [{ field: 'training', message: 'is missing or not an object' }],
    });
  });
});

describe('shared links', () => {
  test('a spec round-trips through the URL encoding', () => {
    const spec = defaultSpec();
    spec.dataset.kind = 'spiral';
    mlpOf(spec).hidden.push({ units: 5, activation: 'gelu', dropout: 0.25 });
    spec.training.optimizer.kind = 'sgd';
    const text = encodeSpec(spec);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeSpec(text)).toEqual({ ok: true, spec });
  });

  test('a damaged link is refused with a readable error', () => {
    expect(decodeSpec('%%%')).toMatchObject({ ok: false, errors: [{ field: 'link' }] });
    expect(decodeSpec('A'.repeat(300_000))).toMatchObject({
      ok: false,
      errors: [{ field: 'link', message: expect.stringMatching(/300,000 characters long/) }],
    });
    const bad = defaultSpec();
    bad.training.batchSize = -4;
    expect(decodeSpec(encodeSpec(bad))).toMatchObject({ ok: false, errors: [{ field: 'training.batchSize' }] });
  });
});

describe('spec diff', () => {
  test('lists only the fields that differ, with both values', () => {
    const a = defaultSpec();
    const b = defaultSpec();
    b.training.optimizer.kind = 'sgd';
    mlpOf(b).hidden.push({ units: 4, activation: 'relu', dropout: 0 });
    b.dataset.features = ['x1'];
    const byPath = (x: { path: string }, y: { path: string }) => x.path.localeCompare(y.path);
    expect(diffSpecs(a, b).sort(byPath)).toEqual(
      [
        { path: 'dataset.features[1]', a: 'x2', b: undefined },
        { path: 'model.hidden[2].units', a: undefined, b: 4 },
        { path: 'model.hidden[2].activation', a: undefined, b: 'relu' },
        { path: 'model.hidden[2].dropout', a: undefined, b: 0 },
        { path: 'training.optimizer.kind', a: 'adam', b: 'sgd' },
      ].sort(byPath),
    );
    expect(diffSpecs(a, defaultSpec())).toEqual([]);
  });
});

describe('sequence models and data in the spec', () => {
  function seqErrors(kind: DatasetKind, model: ModelSpec, edit: (s: ExperimentSpec) => void = () => {}) {
    const spec = defaultSpec();
    spec.dataset = { ...spec.dataset, kind, ...datasetDefaults(kind) };
    spec.model = model;
    spec.training.batchSize = 32;
    edit(spec);
    const result = validateSpec(JSON.parse(JSON.stringify(spec)));
    return result.ok ? [] : result.errors;
  }
  const transformer = (): ModelSpec => defaultModel('transformer');
  const lstm = (): ModelSpec => defaultModel('lstm');

  test('accepts each model on the data it suits', () => {
    expect(seqErrors('names', transformer())).toEqual([]);
    expect(seqErrors('sotu', lstm())).toEqual([]);
    expect(seqErrors('addition', lstm())).toEqual([]);
    expect(seqErrors('mackeyGlass', lstm())).toEqual([]);
    expect(seqErrors('sines', defaultModel('mlp'))).toEqual([]);
  });

  test('refuses dModel not divisible by heads, naming the field and suggesting head counts', () => {
    const [e] = seqErrors('names', {
      ...TRANSFORMER_OPTION_DEFAULTS,
      kind: 'transformer',
      layers: 2,
      dModel: 30,
      heads: 4,
      dropout: 0,
    });
    expect(e.field).toBe('model.heads');
    expect(e.message).toMatch(/must divide dModel \(30\) evenly.*try 3 or 5/);
  });

  const bad: [string, DatasetKind, ModelSpec, (s: ExperimentSpec) => void, RegExp][] = [
    ['model.kind', 'circle', transformer(), () => {}, /a transformer cannot train on Circle.*choose an MLP/],
    ['model.kind', 'sines', transformer(), () => {}, /choose a recurrent network \(LSTM, GRU or RNN\) or an MLP/],
    ['model.kind', 'names', defaultModel('mlp'), () => {}, /choose a transformer or a recurrent network/],
    [
      'model.layers',
      'names',
      { kind: 'lstm', cell: 'lstm', embedding: 8, layers: [] },
      () => {},
      /1 to 3 recurrent layers/,
    ],
    [
      'model.cell',
      'names',
      { kind: 'lstm', cell: 'lru', embedding: 8, layers: [{ units: 8, dropout: 0 }] } as unknown as ModelSpec,
      () => {},
      /must be one of lstm, gru, rnn \(got "lru"\)/,
    ],
    [
      'model.layers[0].units',
      'names',
      { kind: 'lstm', cell: 'lstm', embedding: 8, layers: [{ units: 0, dropout: 0 }] },
      () => {},
      /at least 1/,
    ],
    [
      'model.embedding',
      'names',
      { kind: 'lstm', cell: 'lstm', embedding: 1.5, layers: [{ units: 8, dropout: 0 }] },
      () => {},
      /whole number/,
    ],
    [
      'model.layers',
      'names',
      { ...TRANSFORMER_OPTION_DEFAULTS, kind: 'transformer', layers: 13, dModel: 32, heads: 4, dropout: 0 },
      () => {},
      /at most 12/,
    ],
    [
      'model.dropout',
      'names',
      { ...TRANSFORMER_OPTION_DEFAULTS, kind: 'transformer', layers: 1, dModel: 32, heads: 4, dropout: 0.95 },
      () => {},
      /at most 0.9/,
    ],
    [
      'dataset.contextLength',
      'names',
      transformer(),
      (s) => {
        s.dataset.contextLength = 600;
      },
      /at most 512/,
    ],
    [
      'dataset.contextLength',
      'sines',
      lstm(),
      (s) => {
        s.dataset.samples = 100;
        s.dataset.contextLength = 40;
      },
      /quarter of the series length \(25\)/,
    ],
    [
      'dataset.digits',
      'addition',
      lstm(),
      (s) => {
        s.dataset.digits = 7;
      },
      /at most 6/,
    ],
    [
      'dataset.samples',
      'names',
      transformer(),
      (s) => {
        s.dataset.samples = 60000;
      },
      /at most 50000/,
    ],
    [
      'training.batchSize',
      'sines',
      lstm(),
      (s) => {
        s.dataset.samples = 200;
        s.training.batchSize = 200;
      },
      /number of training examples \(141\)/,
    ],
  ];
  test.each(bad)('rejects a bad %s (%s) with a message naming it', (field, kind, model, edit, message) => {
    const errors = seqErrors(kind, model, edit);
    const hit = errors.find((e) => e.field === field);
    expect(hit, JSON.stringify(errors)).toBeDefined();
    expect(hit!.message).toMatch(message);
  });

  test('a transformer experiment round-trips through a link; links made before sequence data still open', () => {
    const spec = defaultSpec();
    spec.dataset = { ...spec.dataset, kind: 'names', ...datasetDefaults('names') };
    spec.model = { ...TRANSFORMER_OPTION_DEFAULTS, kind: 'transformer', layers: 3, dModel: 48, heads: 6, dropout: 0.1 };
    spec.training.batchSize = 32;
    expect(decodeSpec(encodeSpec(spec))).toEqual({ ok: true, spec });
    const old = JSON.parse(JSON.stringify(defaultSpec()));
    delete old.dataset.contextLength;
    delete old.dataset.digits;
    const text = Buffer.from(JSON.stringify(old)).toString('base64url');
    expect(decodeSpec(text)).toEqual({ ok: true, spec: defaultSpec() });
  });

  test('sequence lengths follow the toy task format', () => {
    // "_7+45=" + "052" → 8 tokens in, each predicting the next.
    expect(sequenceLength({ kind: 'addition', contextLength: 16, digits: 2 })).toBe(8);
    expect(sequenceLength({ kind: 'reverse', contextLength: 16, digits: 5 })).toBe(10);
    expect(sequenceLength({ kind: 'names', contextLength: 24, digits: 5 })).toBe(24);
  });
});

describe('lab links', () => {
  test('lab settings round-trip through a link, known fields only', () => {
    const settings = {
      ...defaultLabSettings(),
      surface: 'beale' as const,
      start: [1.5, -2] as [number, number],
      steps: 120,
    };
    const back = decodeLab(encodeLab({ ...settings, extra: 'x'.repeat(100) } as typeof settings));
    expect(back).toEqual({ ok: true, settings });
  });

  test('a start outside the surface, a bad rate or a damaged link is refused by field', () => {
    const bad = { ...defaultLabSettings(), start: [50, 0], rates: { ...defaultLabSettings().rates, adam: '-1' } };
    const result = decodeLab(encodeLab(bad as never));
    expect(!result.ok && result.errors.map((e) => e.field)).toEqual(['lab.start', 'lab.rates.adam']);
    expect(decodeLab('%%%')).toMatchObject({ ok: false, errors: [{ field: 'link' }] });
  });

  test('a learning rate is taken only as a decimal number people type, within the limits', () => {
    for (const good of ['0.01', '3e-4', '.5', '10', '1E-3', ' 0.1 ']) expect(isLearningRateText(good), good).toBe(true);
    for (const bad of ['0x1', `${' '.repeat(100_000)}0.1`, 'Infinity', '1e400', '0', '-0.1', '11', '', '0.1.2', '1,5'])
      expect(isLearningRateText(bad), JSON.stringify(bad.slice(0, 12))).toBe(false);
    const typed = { ...defaultLabSettings(), rates: { ...defaultLabSettings().rates, sgd: '0x1' } };
    expect(decodeLab(encodeLab(typed as never))).toMatchObject({ ok: false, errors: [{ field: 'lab.rates.sgd' }] });
  });

  test('a lab link from before Lion and Muon opens with them out of the race; Muon cannot be put in it', () => {
    const old = JSON.parse(JSON.stringify(defaultLabSettings()));
    for (const k of ['lion', 'muon']) {
      delete old.chosen[k];
      delete old.rates[k];
    }
    expect(decodeLab(encodeLab(old))).toEqual({ ok: true, settings: defaultLabSettings() });
    const muon = { ...defaultLabSettings(), chosen: { ...defaultLabSettings().chosen, muon: true } };
    const result = decodeLab(encodeLab(muon));
    expect(!result.ok && result.errors.map((e) => [e.field, e.message])).toEqual([
      ['lab.chosen.muon', expect.stringMatching(/Muon needs weight matrices/)],
    ]);
  });
});

describe('points drawn on the plane', () => {
  test('are checked: inside the plane, class 0 or 1, removals in range and in order, only on classification planes', () => {
    const fields = (drawn: unknown, kind: DatasetKind = 'circle') =>
      errorsOf((s) => {
        s.dataset.kind = kind;
        (s.dataset as { drawn: unknown }).drawn = drawn;
      }).map((e) => e.field);
    expect(fields({ added: [[1, 2, 1]], removed: [0, 5] })).toEqual([]);
    expect(fields({ added: [[7, 0, 1]], removed: [] })).toEqual(['dataset.drawn.added[0]']);
    expect(fields({ added: [[0, 0, 2]], removed: [] })).toEqual(['dataset.drawn.added[0]']);
    expect(fields({ added: [], removed: [5, 3] })).toEqual(['dataset.drawn.removed']);
    expect(fields({ added: [], removed: [500] })).toEqual(['dataset.drawn.removed']);
    expect(fields({ added: [[0, 0, 1]], removed: [] }, 'plane')).toEqual(['dataset.drawn']);
    expect(fields('x')).toEqual(['dataset.drawn']);
  });
});

describe('runs told apart', () => {
  test('each run is labelled with what differs from the others, in short', () => {
    const base = defaultSpec();
    const l2 = defaultSpec();
    l2.training.l2 = 1e-3;
    const dropout = defaultSpec();
    mlpOf(dropout).hidden[0].dropout = 0.2;
    const cosine = defaultSpec();
    cosine.training.schedule.kind = 'cosine';
    expect(distinguishingLabels([base, l2, dropout, cosine])).toEqual(
      [
        'dropout 1 0 · L2 0 · schedule constant',
        'dropout 1 0 · L2 1e-3 · schedule constant',
        'dropout 1 0.2 · L2 0 · schedule constant',
        'dropout 1 0 · L2 0 · schedule cosine',
      ].map((l) =>
        expect.stringMatching(
          new RegExp(
            `^${l
              .split(' · ')
              .sort()
              .map((p) => `(?=.*${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')})`)
              .join('')}`,
          ),
        ),
      ),
    );
    expect(distinguishingLabels([base, defaultSpec()])).toEqual(['', '']);
    expect(distinguishingLabels([base])).toEqual(['']);
  });

  test('points drawn on the plane count as one difference, not thousands', () => {
    const drawn = defaultSpec();
    drawn.dataset.drawn.added = Array.from({ length: 50 }, (_, i) => [i / 10, 1, i % 2] as [number, number, number]);
    const [a, b] = distinguishingLabels([defaultSpec(), drawn]);
    expect(b).toBe('drawn 50 added, 0 removed');
    expect(a).toBe('drawn 0 added, 0 removed');
  });
});

test('a race of optimizers (compare panel, lab) names what is wrong with its picks', () => {
  const chosen = Object.fromEntries(OPTIMIZER_KINDS.map((k) => [k, false])) as Record<OptimizerKind, boolean>;
  const rates = Object.fromEntries(OPTIMIZER_KINDS.map((k) => [k, '0.01'])) as Record<OptimizerKind, string>;
  expect(optimizerPickProblem(chosen, rates)).toBe('Optimizers: choose at least one.');
  expect(optimizerPickProblem({ ...chosen, adam: true, sgd: true }, rates)).toBeNull();
  expect(
    optimizerPickProblem(
      { ...chosen, adam: true, sgd: true, rmsprop: true },
      { ...rates, sgd: 'fast', rmsprop: '0', adagrad: 'x' },
    ),
  ).toBe('Learning rate of SGD, RMSProp: must be a number greater than 0 and at most 10.');
});

test('runs share a chart only on the same data and task: the same loss and metric', () => {
  const a = defaultSpec();
  const b = structuredClone(a);
  b.training.optimizer.learningRate = 0.1;
  b.dataset.noise = 0.1;
  expect(sameTask(a, b)).toBe(true);
  b.dataset.kind = 'xor';
  expect(sameTask(a, b)).toBe(false);
  const t1 = structuredClone(a);
  t1.dataset.kind = 'userTable';
  t1.dataset.table = { target: 'price', task: 'auto' };
  const t2 = structuredClone(t1);
  expect(sameTask(t1, t2)).toBe(true);
  t2.dataset.table.task = 'classification';
  expect(sameTask(t1, t2)).toBe(false);
  t2.dataset.table = { target: 'rooms', task: 'auto' };
  expect(sameTask(t1, t2)).toBe(false);
});

test('switching the model brings its default epochs, unless the person chose their own', () => {
  const spec = defaultSpec();
  switchModel(spec, 'transformer');
  expect(spec.model.kind).toBe('transformer');
  expect(spec.training.epochs).toBe(DEFAULT_EPOCHS.transformer);
  switchModel(spec, 'lstm');
  expect(spec.training.epochs).toBe(DEFAULT_EPOCHS.lstm);
  spec.training.epochs = 37;
  switchModel(spec, 'mlp');
  expect(spec.training.epochs).toBe(37);
});

describe('convolutional networks in the spec', () => {
  function cnnSpec(edit: (m: CnnSpec, s: ExperimentSpec) => void = () => {}): ExperimentSpec {
    const spec = defaultSpec();
    spec.dataset = { ...spec.dataset, kind: 'mnist', ...datasetDefaults('mnist') };
    switchModel(spec, 'cnn');
    edit(spec.model as CnnSpec, spec);
    return JSON.parse(JSON.stringify(spec)) as ExperimentSpec;
  }
  const errors = (spec: ExperimentSpec) => {
    const result = validateSpec(spec);
    return result.ok ? [] : result.errors.map(describeFieldError);
  };

  test('a CNN on MNIST is valid, takes its own default epochs, and round-trips through a link', () => {
    const spec = cnnSpec((m) => {
      m.layers.push({ kind: 'residual', filters: 8, stride: 2 });
      m.head = 'globalAverage';
    });
    expect(spec.training.epochs).toBe(DEFAULT_EPOCHS.cnn);
    expect(errors(spec)).toEqual([]);
    expect(decodeSpec(encodeSpec(spec))).toEqual({ ok: true, spec });
  });

  test('a layer that shrinks the digits below 1×1 is named, on screen and by path', () => {
    const spec = cnnSpec((m) => {
      const pool = poolLayer(2);
      m.layers.push(pool, pool, pool);
    });
    expect(errors(spec)).toEqual([
      "Pool 7: is too much: layer 7 (max pool 2×2) gets 1×1 images and would make them smaller than 1×1: remove it, or use a smaller window, a smaller stride or 'same' padding before it (model.layers[6])",
    ]);
  });

  test('each bad field is named: an even kernel with same padding, a layer kind, a head, a dense width', () => {
    const spec = cnnSpec((m) => {
      (m.layers[0] as ConvLayerSpec).kernel = 4;
      (m.layers[1] as { kind: string }).kind = 'upsample';
      (m as { head: string }).head = 'attention';
      m.dense[0].units = 0;
    });
    expect(errors(spec)).toEqual([
      "Conv 1 · Kernel: must be odd with 'same' padding, which pads (kernel − 1) / 2 on every side (got 4); or choose 'valid' padding (model.layers[0].kernel)",
      'Layer 2 · Kind: must be one of conv, pool, residual (got "upsample") (model.layers[1].kind)',
      'Head: must be one of flatten, globalAverage (got "attention") (model.head)',
      'Dense 1 · Units: must be a whole number at least 1 and at most 256 (got 0) (model.dense[0].units)',
    ]);
  });

  test('a CNN cannot train on points of the plane, and a link cannot smuggle fields through it', () => {
    const onPlane = cnnSpec((_, s) => (s.dataset.kind = 'circle'));
    expect(errors(onPlane)).toContain(
      'Model: a convolutional network (CNN) cannot train on Circle (classification); choose an MLP (model.kind)',
    );
    const extra = cnnSpec((m) => Object.assign(m.layers[0], { script: 'alert(1)' }));
    const opened = validateSpec(extra);
    expect(opened.ok && JSON.stringify(opened.spec)).not.toContain('script');
  });
});
