// A token embedding by our own kernels on cpu and wasm (rows copied forward, their gradients added into the table
// backward) against the one-hot product it replaces and tf.gather: the same values and gradients, no product run,
// nothing leaked; where tfjs' internals are not as expected, the one-hot product again.
import { afterEach, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { activateBackend } from '../src/engine/backend';
import { embedTokens, oneHotEmbedding } from '../src/engine/kernels/embedTokens';
import { simulateInternalsMismatch } from '../src/engine/kernels/tfjsInternals';
import { Rng } from '../src/data/rng';

afterEach(() => simulateInternalsMismatch(null));

const VOCAB = 50;
const WIDTH = 7;
/** 40 tokens with repeats (a token used twice has both rows' gradients summed), and a weight per output value. */
function problem() {
  const rng = new Rng(3);
  const table = tf.tensor2d(
    Array.from({ length: VOCAB * WIDTH }, () => rng.normal()),
    [VOCAB, WIDTH],
  );
  const ids = tf.tensor1d(
    Array.from({ length: 40 }, (_, i) => (i % 5 === 0 ? 7 : Math.floor(rng.uniform(0, VOCAB)))),
    'int32',
  );
  const weights = tf.tensor2d(
    Array.from({ length: 40 * WIDTH }, () => rng.normal()),
    [40, WIDTH],
  );
  return { table, ids, weights };
}

const valueAndGrad = (embed: (t: tf.Tensor2D, ids: tf.Tensor1D) => tf.Tensor2D) => {
  const { table, ids, weights } = problem();
  const value = tf.tidy(() => embed(table, ids));
  const grad = tf.tidy(() =>
    tf.grad((t: tf.Tensor) =>
      embed(t as tf.Tensor2D, ids)
        .mul(weights)
        .sum(),
    )(table),
  );
  const out = { value: Array.from(value.dataSync()), grad: Array.from(grad.dataSync()) };
  tf.dispose([table, ids, weights, value, grad]);
  return out;
};

/** The kernels that embedTokens' forward and backward run. */
async function kernelsOfAStep(): Promise<string[]> {
  const { table, ids, weights } = problem();
  const profile = await tf.profile(() =>
    tf.grad((t: tf.Tensor) =>
      embedTokens(t as tf.Tensor2D, ids)
        .mul(weights)
        .sum(),
    )(table),
  );
  tf.dispose([profile.result as tf.Tensor, table, ids, weights]);
  return profile.kernels.map((k) => k.name);
}

const gap = (a: number[], b: number[]) => Math.max(...a.map((x, i) => Math.abs(x - b[i])));

describe.each(['cpu', 'wasm'] as const)('on %s', (backend) => {
  test('our kernels give the one-hot product’s values and gradients (and tf.gather’s), with no product run', async () => {
    await activateBackend(backend);
    const before = tf.memory().numTensors;
    const ours = valueAndGrad(embedTokens);
    const reference = valueAndGrad(oneHotEmbedding);
    expect(ours.value).toEqual(reference.value); // rows copied exactly
    expect(gap(ours.grad, reference.grad)).toBeLessThan(1e-5);
    expect(ours.grad.slice(7 * WIDTH, 8 * WIDTH).some((g) => g !== 0)).toBe(true); // token 7's row, used 8 times
    if (backend === 'cpu') expect(gap(ours.grad, valueAndGrad((t, ids) => tf.gather(t, ids)).grad)).toBeLessThan(1e-5);
    expect(tf.memory().numTensors).toBe(before);
    const kernels = await kernelsOfAStep();
    expect(kernels).toContain('PlaygroundScatterAddRows');
    expect(kernels.filter((k) => /MatMul|OneHot/.test(k))).toEqual([]);
  });

  test('where tfjs’ internals are not as expected, the one-hot product runs instead, with the same figures', async () => {
    await activateBackend(backend);
    simulateInternalsMismatch('simulated mismatch');
    expect(await kernelsOfAStep()).toContain('OneHot');
    expect(gap(valueAndGrad(embedTokens).grad, valueAndGrad(oneHotEmbedding).grad)).toBe(0);
  });
});
