// jax-js (@jax-js/jax, its wasm device) training the same MLP as ours: same data, batch size, Adam
// and learning rate, with one jit'ed function for the whole step (forward, backward, Adam). jax-js
// has no optimizer package on the registry (@jax-js/optax is not published), so Adam is written
// here as PyTorch's formula. Arrays are reference-counted in jax-js: a function consumes its
// arguments, `.ref` keeps one for later.
import { blockUntilReady, defaultDevice, init, jit, nn, numpy as np, tree, valueAndGrad } from '@jax-js/jax';
import { buildDataset, type DatasetFiles } from '../src/data/dataset';
import { epochPlan, evaluatedExamples } from '../src/engine/epochPlan';
import { mlpOf, type ExperimentSpec } from '../src/experiment';
import type { LibrarySpeed } from './otherLibraries';

type Params = { w: np.Array[]; b: np.Array[] };

let ready: Promise<unknown> | null = null;

function forward(p: Params, x: np.Array, activations: ('relu' | 'tanh' | 'sigmoid' | 'linear')[]): np.Array {
  let h = x;
  p.w.forEach((w, i) => {
    const z = np.matmul(h, w).add(p.b[i]);
    const act = activations[i];
    h =
      i === p.w.length - 1 || act === 'linear'
        ? z
        : act === 'relu'
          ? nn.relu(z)
          : act === 'tanh'
            ? np.tanh(z)
            : nn.sigmoid(z);
  });
  return h;
}

/** Glorot-uniform weights and zero biases, as ours start. */
function initParams(sizes: number[], seed: number): Params {
  let s = seed >>> 0 || 1;
  const uniform = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  const w: np.Array[] = [];
  const b: np.Array[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    const limit = Math.sqrt(6 / (sizes[i] + sizes[i + 1]));
    const values = Float32Array.from({ length: sizes[i] * sizes[i + 1] }, () => uniform() * limit);
    w.push(np.array(values).reshape([sizes[i], sizes[i + 1]]));
    b.push(np.zeros([sizes[i + 1]]));
  }
  return { w, b };
}

/**
 * Examples per second of jax-js on the spec's MLP (softmax cross-entropy over the classes), timed
 * training alone and doing the same forward passes per epoch as ours.
 */
export async function jaxExamplesPerSec(
  spec: ExperimentSpec,
  epochs: number,
  files: DatasetFiles = {},
): Promise<LibrarySpeed> {
  ready ??= init('wasm').then(() => defaultDevice('wasm'));
  await ready;
  const ds = buildDataset(spec.dataset, spec.seed, files);
  const hidden = mlpOf(spec).hidden;
  const activations = [...hidden.map((l) => l.activation as 'relu' | 'tanh' | 'sigmoid' | 'linear'), 'linear' as const];
  const classes = Math.max(2, ds.outputDim);
  const batch = spec.training.batchSize;
  const { learningRate: lr } = spec.training.optimizer;
  const [beta1, beta2, eps] = [0.9, 0.999, 1e-8];

  const loss = (p: Params, x: np.Array, y: np.Array) =>
    nn
      .logSoftmax(forward(p, x, activations))
      .mul(y)
      .sum()
      .mul(-1 / batch);
  // One compiled step: gradients, then Adam with bias corrections passed in (they change each step).
  const step = jit((p: Params, m: Params, v: Params, x: np.Array, y: np.Array, c1: np.Array, c2: np.Array) => {
    const [value, g] = valueAndGrad(loss)(tree.ref(p), x, y);
    const m2 = tree.map((mi: np.Array, gi: np.Array) => mi.mul(beta1).add(gi.mul(1 - beta1)), m, tree.ref(g));
    const v2 = tree.map((vi: np.Array, gi: np.Array) => vi.mul(beta2).add(gi.ref.mul(gi).mul(1 - beta2)), v, g);
    const p2 = tree.map(
      (pi: np.Array, mi: np.Array, vi: np.Array) =>
        pi.sub(
          mi
            .mul(c1.ref)
            .mul(lr)
            .div(np.sqrt(vi.mul(c2.ref)).add(eps)),
        ),
      p,
      tree.ref(m2),
      tree.ref(v2),
    );
    c1.dispose();
    c2.dispose();
    return { p: p2, m: m2, v: v2, value };
  });
  const predict = jit((p: Params, x: np.Array) => forward(p, x, activations));

  let p = initParams([ds.inputDim, ...hidden.map((l) => l.units), classes], spec.seed);
  const zeros = (q: Params): Params => ({ w: q.w.map((a) => np.zeros(a.shape)), b: q.b.map((a) => np.zeros(a.shape)) });
  let m = zeros(p);
  let v = zeros(p);
  const xs = ds.train.x;
  const oneHot = new Float32Array(ds.train.n * classes);
  for (let i = 0; i < ds.train.n; i++) oneHot[i * classes + ds.train.y[i]] = 1;
  const steps = Math.floor(ds.train.n / batch);
  let t = 0;
  const train = async () => {
    for (let s = 0; s < steps; s++) {
      t++;
      const x = np
        .array(xs.subarray(s * batch * ds.inputDim, (s + 1) * batch * ds.inputDim))
        .reshape([batch, ds.inputDim]);
      const y = np.array(oneHot.subarray(s * batch * classes, (s + 1) * batch * classes)).reshape([batch, classes]);
      const out = step(p, m, v, x, y, np.array(1 / (1 - beta1 ** t)), np.array(1 / (1 - beta2 ** t)));
      ({ p, m, v } = out);
      out.value.dispose();
    }
    await blockUntilReady([p, m, v]); // jax-js is lazy: an epoch ends when its updates are computed
  };
  // Forward passes in batches of the evaluated count, as our epochs evaluate.
  const evaluations = evaluatedExamples(epochPlan(spec, { train: ds.train.n, validation: ds.validation.n }, 0));
  const evaluate = () => {
    for (let done = 0; done < evaluations; done += ds.train.n) {
      const rows = Math.min(ds.train.n, evaluations - done);
      const x = np.array(xs.subarray(0, rows * ds.inputDim)).reshape([rows, ds.inputDim]);
      predict(tree.ref(p), x).dataSync();
    }
  };
  const time = async (runEpoch: () => Promise<void>) => {
    const start = performance.now();
    for (let e = 1; e < epochs; e++) await runEpoch();
    return ((epochs - 1) * steps * batch) / ((performance.now() - start) / 1000);
  };
  // Warm-up: jax-js compiles each jit'ed function on its first calls (measured: a single warm-up
  // epoch left the next timed epochs slower than later ones).
  for (let e = 0; e < 2; e++) {
    await train();
    evaluate();
  }
  const result = {
    trainingOnly: await time(train),
    withEvaluation: await time(async () => {
      await train();
      evaluate();
    }),
  };
  tree.dispose([p, m, v]);
  step.dispose();
  predict.dispose();
  return result;
}
