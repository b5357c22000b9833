// jax-js (@jax-js/jax, its wasm device) training the same MLP or CNN as ours: same data, batch size, Adam
// and learning rate, with one jit'ed function for the whole step (forward, backward, Adam). jax-js
// has no optimizer package on the registry (@jax-js/optax is not published), so Adam is written
// here as PyTorch's formula. Arrays are reference-counted in jax-js: a function consumes its
// arguments, `.ref` keeps one for later.
import { blockUntilReady, defaultDevice, init, jit, lax, nn, numpy as np, tree, valueAndGrad } from '@jax-js/jax';
import { cnnShapes, type CnnSpec } from '../src/experiment/cnn';
import { buildDataset, type DatasetFiles } from '../src/data/dataset';
import { epochPlan, evaluatedExamples } from '../src/engine/epochPlan';
import { mlpOf, type ExperimentSpec } from '../src/experiment';
import type { LibrarySpeed } from './otherLibraries';

type Params = { w: np.Array[]; b: np.Array[] };
/** A CNN's parameters: its convolutions' kernels [out, in, k, k] and biases, then its dense layers'. */
type CnnParams = { conv: Params; dense: Params };
/** What timeTraining trains: any tree of arrays (jax-js' tree functions walk it). */
type Trainable = Params | CnnParams;

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

/** A seeded uniform generator on (−1, 1). */
function uniformFrom(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}

/** Glorot-uniform weights and zero biases, as ours start. */
function initParams(sizes: number[], seed: number): Params {
  const uniform = uniformFrom(seed);
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

/** The spec's CNN in jax-js: convolutions (same or valid padding, ReLU) and max pooling on NCHW images, then dense layers. */
function cnnForward(m: CnnSpec) {
  return (p: CnnParams, x: np.Array): np.Array => {
    let h = x;
    let c = 0;
    for (const l of m.layers) {
      if (l.kind === 'conv') {
        const z = lax.conv(h, p.conv.w[c], [l.stride, l.stride], l.padding === 'same' ? 'SAME' : 'VALID');
        h = nn.relu(z.add(p.conv.b[c].reshape([1, -1, 1, 1])));
        c++;
      } else if (l.kind === 'pool')
        h = lax.reduceWindow(h, (w: np.Array) => w.max(), [l.size, l.size], [l.stride, l.stride]);
      else throw new Error(`jax-js: no ${l.kind} layer here`);
    }
    h = h.reshape([h.shape[0], -1]);
    p.dense.w.forEach((w, i) => {
      const z = np.matmul(h, w).add(p.dense.b[i]);
      h = i === p.dense.w.length - 1 ? z : nn.relu(z);
    });
    return h;
  };
}

/** He-uniform kernels and zero biases for the spec's convolutions, Glorot for its dense layers. */
function initCnn(m: CnnSpec, channels: number, flat: number, classes: number, seed: number): CnnParams {
  const uniform = uniformFrom(seed);
  const conv: Params = { w: [], b: [] };
  let inputs = channels;
  for (const l of m.layers) {
    if (l.kind !== 'conv') continue;
    const fanIn = inputs * l.kernel * l.kernel;
    const limit = Math.sqrt(6 / fanIn);
    const values = Float32Array.from({ length: l.filters * fanIn }, () => uniform() * limit);
    conv.w.push(np.array(values).reshape([l.filters, inputs, l.kernel, l.kernel]));
    conv.b.push(np.zeros([l.filters]));
    inputs = l.filters;
  }
  return { conv, dense: initParams([flat, ...m.dense.map((d) => d.units), classes], seed + 1) };
}

/**
 * Examples per second of jax-js on the spec's MLP or CNN (softmax cross-entropy over the classes), timed
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
  const classes = Math.max(2, ds.outputDim);
  if (spec.model.kind === 'cnn') {
    const image = ds.image!;
    const m = spec.model;
    const forward = cnnForward(m);
    const walked = cnnShapes(m.layers, image);
    if (!walked.ok) throw new Error(walked.message);
    const last = walked.shapes.at(-1)!;
    const flat = last.height * last.width * last.channels;
    // Rows hold images channels last; jax-js convolves [N, C, H, W].
    const asImages = (x: np.Array, rows: number) =>
      np.transpose(x.reshape([rows, image.height, image.width, image.channels]), [0, 3, 1, 2]);
    return timeTraining(spec, ds, classes, epochs, initCnn(m, image.channels, flat, classes, spec.seed), (p, x, rows) =>
      forward(p as CnnParams, asImages(x, rows)),
    );
  }
  const hidden = mlpOf(spec).hidden;
  const activations = [...hidden.map((l) => l.activation as 'relu' | 'tanh' | 'sigmoid' | 'linear'), 'linear' as const];
  return timeTraining(
    spec,
    ds,
    classes,
    epochs,
    initParams([ds.inputDim, ...hidden.map((l) => l.units), classes], spec.seed),
    (p, x) => forward(p as Params, x, activations),
  );
}

/** Train `params` with `model` (rows in, logits out) as ours trains: warm-up epochs, then timed ones. */
async function timeTraining(
  spec: ExperimentSpec,
  ds: ReturnType<typeof buildDataset>,
  classes: number,
  epochs: number,
  params: Trainable,
  model: (p: Trainable, x: np.Array, rows: number) => np.Array,
): Promise<LibrarySpeed> {
  const batch = spec.training.batchSize;
  const { learningRate: lr } = spec.training.optimizer;
  const [beta1, beta2, eps] = [0.9, 0.999, 1e-8];

  const loss = (p: Trainable, x: np.Array, y: np.Array) =>
    nn
      .logSoftmax(model(p, x, batch))
      .mul(y)
      .sum()
      .mul(-1 / batch);
  // One compiled step: gradients, then Adam with bias corrections passed in (they change each step).
  const step = jit((p: Trainable, m: Trainable, v: Trainable, x: np.Array, y: np.Array, c1: np.Array, c2: np.Array) => {
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
  const predictRows = (rows: number) => jit((p: Trainable, x: np.Array) => model(p, x, rows));
  const predictions = new Map<number, ReturnType<typeof predictRows>>();

  let p = params;
  const zerosOf = (q: Params): Params => ({
    w: q.w.map((a) => np.zeros(a.shape)),
    b: q.b.map((a) => np.zeros(a.shape)),
  });
  const zeros = (q: Trainable): Trainable =>
    'conv' in q ? { conv: zerosOf(q.conv), dense: zerosOf(q.dense) } : zerosOf(q);
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
      if (!predictions.has(rows)) predictions.set(rows, predictRows(rows));
      predictions.get(rows)!(tree.ref(p), x).dataSync();
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
  for (const predict of predictions.values()) predict.dispose();
  return result;
}
