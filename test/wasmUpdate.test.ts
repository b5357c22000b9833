import { describe, expect, test } from 'vitest';
import { fusedFormulas, ruleFor } from '../src/engine/optimizers';
import { jsUpdate, type HyperValues } from '../src/engine/kernels/optimizerUpdate';
import { hyperArgs, updateModuleBytes } from '../src/engine/kernels/wasmUpdate';
import { Rng } from '../src/data/rng';
import { defaultSpec } from '../src/experiment';
import { OPTIMIZER_VARIANTS, variantLabel } from './helpers/fusedUpdate';

// The compiled update in each form the app may need: four lanes at a time (SIMD) or one (an
// engine without SIMD), over an unshared memory (tfjs-wasm's single-threaded build) or a shared
// one (its threaded build, on a cross-origin isolated page). Against the JavaScript update, which
// computes in double precision, so to float32's precision.
const forms = [true, false].flatMap((simd) => [false, true].map((sharedMemory) => ({ simd, sharedMemory })));
const cases = OPTIMIZER_VARIANTS.flatMap((v) => forms.map((form) => [variantLabel(v), form, v] as const));

const hyper: HyperValues = {
  lr: 0.05,
  momentum: 0.9,
  beta1: 0.9,
  beta2: 0.99,
  oneMinusBeta1: 0.1,
  oneMinusBeta2: 0.01,
  bc1: 0.19,
  bc2: 0.0199,
  rho: 0.9,
  oneMinusRho: 0.1,
  rmspropMomentum: 0.5,
  eps: 1e-3,
  wd: 0.01,
  decay: 0.999,
};

describe('optimizer formulas compiled to WebAssembly equal the JavaScript update', () => {
  test.each(cases)('%s, %o', (_, form, variant) => {
    const { key, rule } = ruleFor({ ...defaultSpec().training.optimizer, ...variant });
    const formulas = fusedFormulas(key, rule);
    const bytes = updateModuleBytes(formulas, form);
    expect(WebAssembly.validate(bytes)).toBe(true);
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 16, shared: form.sharedMemory });
    const update = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports.update as (
      ...args: number[]
    ) => void;

    // 11 elements (two groups of four and three more) per array, laid out with a gap between
    // arrays that must stay untouched: w, g, then each slot, at zero as an optimizer starts them.
    const n = 11;
    const stride = 16;
    const rng = new Rng(5);
    const arrays = 2 + formulas.slots.length;
    const heap = new Float32Array(memory.buffer, 0, arrays * stride).fill(-7);
    const at = (k: number) => heap.subarray(k * stride, k * stride + n);
    const start = Array.from({ length: arrays }, (_, k) =>
      Float32Array.from({ length: n }, () => (k >= 2 ? 0 : rng.uniform(-1, 1))),
    );
    start.forEach((values, k) => at(k).set(values));

    const expected = start.map((a) => a.slice());
    const [w, g, ...slots] = expected;
    for (let t = 0; t < 3; t++) {
      update(n, ...start.map((_, k) => 4 * k * stride), ...hyperArgs(hyper));
      jsUpdate(formulas)(
        [w],
        [g],
        slots.map((s) => [s]),
        [w],
        slots.map((s) => [s]),
        hyper,
      );
    }
    expected.forEach((values, k) =>
      values.forEach((v, i) => expect(Math.abs(at(k)[i] - v)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(v)))),
    );
    expect(Array.from(at(0))).not.toEqual(Array.from(start[0])); // the weights moved
    expect(Array.from(at(1))).toEqual(Array.from(start[1])); // the gradient is read, never written
    for (let k = 0; k < arrays; k++)
      expect(Array.from(heap.subarray(k * stride + n, (k + 1) * stride))).toEqual([-7, -7, -7, -7, -7]);
  });
});
