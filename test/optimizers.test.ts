import { beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import {
  clipArraysByGlobalNorm,
  clipByGlobalNorm,
  createOptimizer,
  fusedFormulas,
  ruleFor,
} from '../src/engine/optimizers';
import {
  fusedUpdateAvailable,
  interpretedUpdate,
  jsUpdate,
  type HyperValues,
} from '../src/engine/kernels/optimizerUpdate';
import { Rng } from '../src/data/rng';
import { activateBackend } from '../src/engine/backend';
import { learningRateAt } from '../src/engine/schedule';
import {
  OPTIMIZER_FIELDS,
  OPTIMIZER_FLAGS,
  OPTIONAL_OPTIMIZER_SETTINGS,
  defaultSpec,
  exponentialGamma,
  type OptimizerKind,
  type OptimizerSpec,
} from '../src/experiment';
import { optimizerSwitchFlops } from '../src/engine/cost';
import { optimizerSlots } from '../src/engine/memoryEstimate';
import golden from './fixtures/optimizers.json';
import { fusedAndReference, OPTIMIZER_VARIANTS, variantLabel } from './helpers/fusedUpdate';

beforeAll(async () => {
  await activateBackend('cpu');
});

/** Minimise L(w) = ½·Σw² (so dL/dw = w) from w = [1, −2] and return w after each step. */
function trajectory(opt: Partial<OptimizerSpec>, steps: number): number[][] {
  const w = tf.tidy(() => tf.variable(tf.tensor1d([1, -2])));
  const optimizer = createOptimizer({ ...defaultSpec().training.optimizer, ...opt }, [w]);
  const out: number[][] = [];
  for (let i = 0; i < steps; i++) {
    tf.tidy(() => {
      const { grads } = tf.variableGrads(() => w.square().sum().mul(0.5) as tf.Scalar, [w]);
      optimizer.step(grads, opt.learningRate ?? 0.01);
    });
    out.push(Array.from(w.dataSync()));
  }
  optimizer.dispose();
  w.dispose();
  return out;
}

function expectClose(actual: number[][], expected: number[][]) {
  actual.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(expected[i][j], 5)));
}

describe('optimizers match hand-computed updates', () => {
  test('SGD: w ← w − lr·g', () => {
    // g = w, so each step multiplies w by (1 − 0.1).
    expectClose(trajectory({ kind: 'sgd', learningRate: 0.1, momentum: 0 }, 3), [
      [0.9, -1.8],
      [0.81, -1.62],
      [0.729, -1.458],
    ]);
  });

  test('SGD with momentum: b ← μb + g; w ← w − lr·b', () => {
    // b1 = [1,−2], w1 = [0.9,−1.8]; b2 = 0.9·b1 + w1 = [1.8,−3.6], w2 = [0.72,−1.44];
    // b3 = 0.9·b2 + w2 = [2.34,−4.68], w3 = [0.486,−0.972].
    expectClose(trajectory({ kind: 'momentum', learningRate: 0.1, momentum: 0.9 }, 3), [
      [0.9, -1.8],
      [0.72, -1.44],
      [0.486, -0.972],
    ]);
  });

  test('Adam with bias correction', () => {
    // Step 1 moves each weight by lr·sign(g) exactly; steps 2 and 3 worked through by hand
    // from m, v and the corrections 1−β₁ᵗ, 1−β₂ᵗ.
    expectClose(trajectory({ kind: 'adam', learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }, 3), [
      [0.9, -1.9],
      [0.800412, -1.800166],
      [0.701586, -1.700623],
    ]);
  });

  test('optimizer state is freed on dispose', () => {
    const before = tf.memory().numTensors;
    trajectory({ kind: 'adam' }, 2);
    trajectory({ kind: 'momentum', momentum: 0.5 }, 2);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('optimizers match PyTorch (fixture from scripts/golden/optimizers.py)', () => {
  const label = (c: (typeof golden.cases)[number]) =>
    `${c.kind} ${JSON.stringify(c.hyper)}${c.clipNorm ? ` clipped at ${c.clipNorm}` : ''}`;
  const paths = ['fused kernel', 'tf ops', 'in place'] as const;
  test.each(golden.cases.flatMap((c) => paths.map((path) => [label(c), path, c] as const)))('%s (%s)', (_, path, c) => {
    const hyper = c.hyper as unknown as Record<string, number>;
    const spec: OptimizerSpec = {
      ...defaultSpec().training.optimizer,
      kind: c.kind as OptimizerSpec['kind'],
      learningRate: hyper.lr,
      weightDecay: hyper.weightDecay ?? 0,
      ...Object.fromEntries(Object.entries(hyper).filter(([k]) => k !== 'lr')),
    };
    const X = tf.tensor2d(golden.X);
    const Y = tf.tensor2d(golden.Y);
    const W = tf.tidy(() => tf.variable(tf.tensor2d(golden.W0)));
    const b = tf.tidy(() => tf.variable(tf.tensor1d(golden.b0)));
    const optimizer = createOptimizer(spec, [W, b], { fused: path === 'fused kernel' });
    for (const expected of c.steps) {
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => X.matMul(W).add(b).tanh().sub(Y).square().mean() as tf.Scalar, [W, b]);
        if (path !== 'in place') optimizer.step(c.clipNorm ? clipByGlobalNorm(grads, c.clipNorm) : grads, hyper.lr);
        else {
          // The host step's path: gradients as arrays, the update written into the weights' memory.
          // Muon's matrix work has no in-place form: it says so, and the step takes the tf-op path.
          const arrays = [W, b].map((v) => grads[v.name].dataSync() as Float32Array);
          const done = optimizer.stepInPlace(
            c.clipNorm ? clipArraysByGlobalNorm(arrays, c.clipNorm) : arrays,
            hyper.lr,
          );
          expect(done).toBe(c.kind !== 'muon');
          if (!done) optimizer.step(c.clipNorm ? clipByGlobalNorm(grads, c.clipNorm) : grads, hyper.lr);
        }
      });
      Array.from(W.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(expected.W[i], 5));
      Array.from(b.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(expected.b[i], 5));
    }
    optimizer.dispose();
    tf.dispose([X, Y, W, b]);
  });

  test.each(golden.schedules.map((s) => [s.schedule.kind, s] as const))(
    '%s schedule matches PyTorch’s scheduler',
    (_, s) => {
      const lrs = s.lrs.map((__, step) =>
        learningRateAt(s.schedule as Parameters<typeof learningRateAt>[0], golden.baseLr, step, {
          stepsPerEpoch: 1,
          epochs: s.lrs.length,
        }),
      );
      lrs.forEach((lr, i) => expect(lr).toBeCloseTo(s.lrs[i], 10));
    },
  );

  test('linear warm-up ramps up to the schedule over the warm-up epochs', () => {
    const schedule = { kind: 'constant' as const, stepEpochs: 1, gamma: 1, minLearningRate: 0, warmupEpochs: 2 };
    const clock = { stepsPerEpoch: 5, epochs: 10 };
    expect([0, 4, 9, 10, 30].map((step) => learningRateAt(schedule, 0.1, step, clock))).toEqual(
      [0.01, 0.05, 0.1, 0.1, 0.1].map((v) => expect.closeTo(v, 12)),
    );
  });

  test('exponential decay starts from a γ that ends the run near 1% of the learning rate, with or without warm-up', () => {
    for (const [epochs, warmupEpochs] of [
      [50, 0],
      [50, 5],
      [10, 2],
      [1000, 0],
    ]) {
      const schedule = {
        kind: 'exponential' as const,
        stepEpochs: 1,
        gamma: exponentialGamma(epochs, warmupEpochs),
        minLearningRate: 0,
        warmupEpochs,
      };
      const clock = { stepsPerEpoch: 4, epochs };
      const end = learningRateAt(schedule, 0.1, epochs * 4 - 1, clock);
      expect(end).toBeGreaterThan(0.1 * 0.003);
      expect(end).toBeLessThan(0.1 * 0.05);
    }
  });
});

test('the in-place update leaves untouched a tensor that shared the memory of a weight, and works on wasm', async () => {
  for (const backend of ['wasm', 'cpu'] as const) {
    await activateBackend(backend);
    const w = tf.tidy(() => tf.variable(tf.tensor1d([1, 2, 3])));
    const copy = w.clone(); // shares w's memory
    const optimizer = createOptimizer({ ...defaultSpec().training.optimizer, kind: 'sgd', learningRate: 0.5 }, [w]);
    expect(optimizer.stepInPlace([Float32Array.from([2, 2, 2])], 0.5)).toBe(true);
    expect(Array.from(w.dataSync())).toEqual([0, 1, 2]);
    expect(Array.from(copy.dataSync())).toEqual([1, 2, 3]);
    expect(optimizer.steps).toBe(1);
    optimizer.dispose();
    tf.dispose([w, copy]);
  }
  await activateBackend('webgpu');
  const v = tf.tidy(() => tf.variable(tf.tensor1d([1])));
  const onGpu = createOptimizer(defaultSpec().training.optimizer, [v]);
  expect(onGpu.stepInPlace([Float32Array.from([1])], 0.1)).toBe(false);
  onGpu.dispose();
  v.dispose();
  await activateBackend('cpu');
});

test.each(['adam', 'adamw'] as const)(
  '%s written out as one pass equals its interpreted formulas bit for bit',
  (kind) => {
    const { key, rule } = ruleFor({ ...defaultSpec().training.optimizer, kind });
    const formulas = fusedFormulas(key, rule);
    const rng = new Rng(3);
    const random = (n: number) => Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
    // Two segments (two variables in one pass); m random, v non-negative as Adam keeps it.
    const start = [random(12), random(4)].map((w) => ({
      w,
      g: random(w.length),
      m: random(w.length),
      v: random(w.length).map(Math.abs),
    }));
    const hyper = {
      lr: 0.05,
      beta1: 0.9,
      beta2: 0.99,
      oneMinusBeta1: 0.1,
      oneMinusBeta2: 0.01,
      bc1: 0.19,
      bc2: 0.0199,
      eps: 0.3, // large enough that where it is added shows
      wd: kind === 'adam' ? 0.01 : 0,
      decay: kind === 'adamw' ? 0.9995 : 1,
    } as HyperValues;
    const run = (update: ReturnType<typeof jsUpdate>) => {
      const s = start.map((x) => ({ w: x.w.slice(), g: x.g, m: x.m.slice(), v: x.v.slice() }));
      const [W, M, V] = [s.map((x) => x.w), s.map((x) => x.m), s.map((x) => x.v)];
      for (let t = 0; t < 3; t++)
        update(
          W,
          s.map((x) => x.g),
          [M, V],
          W,
          [M, V],
          hyper,
        );
      return [...W, ...M, ...V];
    };
    const written = run(jsUpdate(formulas));
    expect(written).toEqual(run(interpretedUpdate(formulas)));
    expect(written[0]).not.toEqual(start[0].w);
  },
);

// On cpu the fused kernel; on wasm the formulas compiled to WebAssembly, in place.
describe('the fused optimizer kernel (cpu) and the compiled in-place update (wasm) equal the tf-op update', () => {
  const cases = (['cpu', 'wasm'] as const).flatMap((backend) =>
    OPTIMIZER_VARIANTS.flatMap((v) => [0, 0.01].map((wd) => [backend, variantLabel(v), wd, v] as const)),
  );

  test.each(cases)('%s: %s, weight decay %s', async (backend, _, weightDecay, variant) => {
    await activateBackend(backend);
    expect(fusedUpdateAvailable()).toBe(backend === 'cpu');
    const { fused, reference, start, leaked } = await fusedAndReference(variant, weightDecay);
    expect(leaked).toBe(0);
    expect(fused.length).toBe(reference.length);
    fused.forEach((values, i) => values.forEach((v, j) => expect(v).toBeCloseTo(reference[i][j], 5)));
    // The weights moved: the comparison is not between two untouched copies.
    expect(fused[0]).not.toEqual(start);
    await activateBackend('cpu');
  });
});

describe('a setting an optimizer does not read changes nothing (it is hidden, so it must be inert)', () => {
  /** A different value for each setting than the default. */
  const OTHER: Record<(typeof OPTIONAL_OPTIMIZER_SETTINGS)[number], number | boolean> = {
    momentum: 0.5,
    beta1: 0.7,
    beta2: 0.9,
    rho: 0.5,
    rmspropMomentum: 0.3,
    epsilon: 1e-3,
    centered: true,
    amsgrad: true,
  };

  /** Three steps on a matrix and a bias (Muon treats them apart) with fixed gradients; the weights after. */
  function weightsAfter(o: OptimizerSpec): number[][] {
    const m = tf.variable(
      tf.tensor2d([
        [0.5, -1, 0.25],
        [2, 0.1, -0.3],
      ]),
      true,
      'm',
    );
    const b = tf.variable(tf.tensor1d([0.2, -0.4, 1]), true, 'b');
    const optimizer = createOptimizer(o, [m, b], { fused: false });
    for (let step = 1; step <= 3; step++)
      tf.tidy(() => optimizer.step({ m: m.mul(0.9 / step).add(0.1), b: b.mul(-1.5 / step) }, 0.05));
    const out = [Array.from(m.dataSync()), Array.from(b.dataSync())];
    optimizer.dispose();
    m.dispose();
    b.dispose();
    return out;
  }

  const kinds = Object.keys(OPTIMIZER_FIELDS) as OptimizerKind[];
  const cases = kinds.flatMap((kind) =>
    OPTIONAL_OPTIMIZER_SETTINGS.filter(
      (k) => !(OPTIMIZER_FIELDS[kind] as string[]).includes(k) && !(OPTIMIZER_FLAGS[kind] as string[]).includes(k),
    ).map((setting) => [kind, setting] as const),
  );

  test.each(cases)('%s ignores %s: in training, and in its FLOP and memory figures', (kind, setting) => {
    // β₂ = 0.5 and shrinking gradients: AMSGrad's max differs from v within three steps.
    const base: OptimizerSpec = { ...defaultSpec().training.optimizer, kind, weightDecay: 0.01, beta2: 0.5 };
    const changed = { ...base, [setting]: OTHER[setting] };
    expect(weightsAfter(changed)).toEqual(weightsAfter(base));
    expect(optimizerSwitchFlops(changed)).toBe(optimizerSwitchFlops(base));
    expect(optimizerSlots(changed)).toBe(optimizerSlots(base));
  });

  test.each(kinds)('%s ignores "no decay on biases" when there is no weight decay', (kind) => {
    const base: OptimizerSpec = { ...defaultSpec().training.optimizer, kind, weightDecay: 0 };
    expect(weightsAfter({ ...base, decayMatricesOnly: true })).toEqual(weightsAfter(base));
  });

  test('and a setting it reads does change it (so the comparison above can fail)', () => {
    const adam: OptimizerSpec = { ...defaultSpec().training.optimizer, kind: 'adam', beta2: 0.5 };
    expect(weightsAfter({ ...adam, amsgrad: true })).not.toEqual(weightsAfter(adam));
  });
});
