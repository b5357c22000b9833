// x·W + b and an optional activation, the matmul every model here is built from, with its
// backward written out beside its forward (micrograd style):
//   z = x·W + b, y = act(z)  →  dz = dy·act′(z),  dW = xᵀ·dz,  db = Σ_rows dz,  dx = dz·Wᵀ.
// Written out (not left to tfjs' autodiff) for two reasons: each product picks how it runs, and
// dx is skipped outright when x is data, which needs no gradient. On wasm (one thread) every
// product is our compiled one (kernels/wasmMatMul.ts: x·W + b and relu in one pass, xᵀ·dz with no
// transpose); where it cannot run, tfjs-wasm's, which multiplies by a transposed operand 6–8×
// slower than it transposes first, so the transpose is made first. On webgpu each matmul uses the
// shader measured fastest for its shapes (kernels/matMulTuning.ts).
import * as tf from '@tensorflow/tfjs';
import { activate } from './activations';
import { activationGrad, type DifferentiableActivation } from './kernels/activationGrad';
import { withTunedMatMul } from './kernels/matMulTuning';
import { compiledMatMul, compiledMatMulAvailable } from './kernels/wasmMatMulKernel';

/**
 * Activations linear() applies itself, with their derivative taken from y in one kernel
 * (kernels/activationGrad.ts); relu and sigmoid also inside the matmul's kernel (tanh after it).
 */
export type FusedActivation = 'linear' | DifferentiableActivation;

/**
 * a·bᵀ or aᵀ·b. On wasm the compiled product takes aᵀ as it is and b transposed first; where it
 * does not run, both transposes are made first (see the top of this file).
 */
function matMulT(a: tf.Tensor2D, b: tf.Tensor2D, transposeA: boolean, transposeB: boolean): tf.Tensor2D {
  if (tf.getBackend() !== 'wasm')
    return withTunedMatMul(a, b, transposeA, transposeB, () => tf.matMul(a, b, transposeA, transposeB));
  const plainB = transposeB ? (b.transpose() as tf.Tensor2D) : b;
  if (compiledMatMulAvailable()) return compiledMatMul(a, plainB, { transposeA });
  return tf.matMul(transposeA ? a.transpose() : a, plainB);
}

export interface LinearOptions {
  activation?: FusedActivation;
  /** False when x is data (inputs, one-hot tokens): its gradient is then never computed. */
  inputNeedsGrad?: boolean;
  /** The layer runs once per step (an MLP's, not an LSTM's recurrent one): see wideForwardOnWasm. */
  oncePerStep?: boolean;
}

/**
 * Where the compiled product does not run (tfjs-wasm's threaded build): tfjs-wasm's matmul packs
 * its second operand for each new tensor (kernels/inPlaceWrites.ts), and an MLP's weights are new
 * after every optimizer step, so its forward x·W repacked W every step: at 784 → 1024 with 64
 * rows, 10 ms where the product itself takes 4.6. Computed as (Wᵀ·xᵀ)ᵀ, the
 * small xᵀ is the packed operand: 5.3 ms (side by side, wasm, 2-core EPYC). Used where the layer
 * has more outputs than x has rows and W is not reused within the step. xᵀ is given, as the
 * backward pass needs it too (dW = xᵀ·dz).
 */
function wideForwardOnWasm(
  xT: tf.Tensor2D,
  kernel: tf.Tensor2D,
  bias: tf.Tensor1D | null,
  activation: FusedActivation,
): tf.Tensor2D {
  const z = matMulT(kernel, xT, true, false).transpose() as tf.Tensor2D;
  const withBias: tf.Tensor2D = bias ? z.add(bias) : z;
  return activate(withBias, activation);
}

/** x·W + b and relu in one compiled pass on wasm (sigmoid or tanh after it). */
function compiledForward(
  x: tf.Tensor2D,
  kernel: tf.Tensor2D,
  bias: tf.Tensor1D | null,
  activation: FusedActivation,
): tf.Tensor2D {
  const z = compiledMatMul(x, kernel, { bias, relu: activation === 'relu' });
  return activation === 'relu' ? z : activate(z, activation);
}

/** act(x·W + b) for 2-D x; `bias` may be null. */
export function linear(
  x: tf.Tensor2D,
  kernel: tf.Tensor2D,
  bias: tf.Tensor1D | null,
  options: LinearOptions = {},
): tf.Tensor2D {
  const activation = options.activation ?? 'linear';
  const needsInput = options.inputNeedsGrad ?? true;
  const compiled = compiledMatMulAvailable();
  const wide = !compiled && options.oncePerStep && tf.getBackend() === 'wasm' && kernel.shape[1] > x.shape[0];
  const forward = (xT: tf.Tensor2D | null) =>
    compiled
      ? compiledForward(x, kernel, bias, activation)
      : xT
        ? wideForwardOnWasm(xT, kernel, bias, activation)
        : withTunedMatMul(x, kernel, false, false, () =>
            activation === 'tanh'
              ? activate(tf.fused.matMul({ a: x, b: kernel, bias: bias ?? undefined }) as tf.Tensor2D, 'tanh')
              : (tf.fused.matMul({ a: x, b: kernel, bias: bias ?? undefined, activation }) as tf.Tensor2D),
          );
  const backward = (
    dy: tf.Tensor2D,
    y: tf.Tensor2D,
    x: tf.Tensor2D,
    kernel: tf.Tensor2D,
    xT?: tf.Tensor2D,
  ): tf.Tensor[] => {
    const dz = activation === 'linear' ? dy : activationGrad(dy, y, activation);
    const grads: tf.Tensor[] = [xT ? tf.matMul(xT, dz) : matMulT(x, dz, true, false)];
    // Σ over rows as 1ᵀ·dz: a matmul beats tfjs' column sum (a transpose, then a reduction) on
    // every backend measured: 0.11 vs 0.28 ms on wasm, 2.9 vs 17.5 ms on SwiftShader's webgpu.
    if (bias) grads.push(matMulT(tf.ones([1, dz.shape[0]]), dz, false, false).reshape([-1]));
    if (needsInput) grads.unshift(matMulT(dz, kernel, false, true));
    return grads;
  };
  const trainable = [...(needsInput ? [x] : []), kernel, ...(bias ? [bias] : [])];
  // customGrad hands the tensors back, then `save`; we close over them instead, but x (and xᵀ)
  // must be saved (kept alive until the backward pass); the weights are variables and live on,
  // except a kernel computed in the step (a tied head's transposed embedding), saved too.
  const saveKernel = !(kernel instanceof tf.Variable);
  const op = tf.customGrad((...args: unknown[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const xT = wide ? (x.transpose() as tf.Tensor2D) : null;
    const y = forward(xT);
    save([y, x, ...(saveKernel ? [kernel] : []), ...(xT ? [xT] : [])]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [savedY, savedX, ...rest] = saved as tf.Tensor2D[];
        const savedKernel = saveKernel ? rest.shift()! : kernel;
        return backward(dy as tf.Tensor2D, savedY, savedX, savedKernel, rest[0]);
      },
    };
  });
  return op(...trainable);
}
