// A token embedding: the table's rows for the tokens, and as its gradient each row's gradient added into its
// token's row. tf.gather does both (its gradient is UnsortedSegmentSum), but tfjs-wasm has no UnsortedSegmentSum
// and tfjs-cpu's is an element-by-element loop; so on cpu and wasm both ways are our own kernels on the backend's
// memory, tested against tf.gather and the one-hot product they replace. The one-hot product (tokens as one-hot
// rows times the table: a [tokens × vocab] matmul each way) stays as the fallback where tfjs' internals are not as
// expected.
import * as tf from '@tensorflow/tfjs';
import { linear } from '../linear';
import { gatherRows } from './gatherRows';
import { fastPathsOn, heapView, newOutput } from './tfjsInternals';

const SCATTER_ADD = 'PlaygroundScatterAddRows';

/** Rows `ids` of `table` [vocab, width] → [tokens, width], differentiable in the table (not in the ids). */
export function embedTokens(table: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  const backend = tf.getBackend();
  if (backend !== 'cpu' && backend !== 'wasm') return tf.gather(table, ids);
  return fastPathsOn() ? ownEmbedding(table, ids) : oneHotEmbedding(table, ids);
}

/** The reference the others are tested against (and the fallback): one-hot rows × the table. */
export function oneHotEmbedding(table: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  const oneHot = tf.oneHot(ids.toInt(), table.shape[0]).toFloat() as tf.Tensor2D;
  return linear(oneHot, table, null, { inputNeedsGrad: false });
}

/** Our rows copy forward; our scatter-add backward. */
function ownEmbedding(table: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  const rows = table.shape[0];
  const f = tf.customGrad((t, save) => {
    // Kept for the backward pass, which runs after the forward's scope has freed what it made.
    (save as tf.GradSaveFunc)([ids]);
    return {
      value: gatherRows(t as tf.Tensor2D, ids),
      gradFunc: (dy: tf.Tensor, [kept]: tf.Tensor[]) =>
        tf.engine().runKernel(SCATTER_ADD, { dy, ids: kept }, { rows }) as tf.Tensor2D,
    };
  });
  return f(table) as tf.Tensor2D;
}

/** [rows, width] zeros, then row ids[i] += dy[i] for every i. */
function scatterAddRows({
  inputs,
  backend,
  attrs,
}: {
  inputs: { dy: tf.TensorInfo; ids: tf.TensorInfo };
  backend: tf.KernelBackend;
  attrs: { rows: number };
}): tf.TensorInfo {
  const { dy, ids } = inputs;
  const width = dy.shape[1];
  const out = newOutput(backend, dy, [attrs.rows, width]);
  const sum = heapView(backend, out);
  const grad = heapView(backend, dy);
  const idx = heapView<Int32Array>(backend, ids);
  sum.fill(0); // wasm's new memory is not cleared
  for (let i = 0; i < idx.length; i++) {
    const to = idx[i] * width;
    const from = i * width;
    for (let j = 0; j < width; j++) sum[to + j] += grad[from + j];
  }
  return out;
}

for (const backendName of ['cpu', 'wasm']) {
  tf.registerKernel({ kernelName: SCATTER_ADD, backendName, kernelFunc: scatterAddRows as unknown as tf.KernelFunc });
}
