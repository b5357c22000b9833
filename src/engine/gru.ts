// The GRU layer, built like the LSTM (lstm.ts): every timestep's input projection is one matmul
// up front; each step adds one recurrent matmul (with its own bias) and the gates. Gate order and
// equations follow PyTorch's nn.GRU:
//   [r, z, n]ₓ = x_t·Wx + bx;   [r, z, n]ₕ = h_{t−1}·Wh + bh
//   r = σ(rₓ + rₕ);  z = σ(zₓ + zₕ);  n = tanh(nₓ + r·nₕ);  h_t = (1 − z)·n + z·h_{t−1}
// The recurrent bias is kept apart from the input's because r multiplies nₕ with its bias inside.
import * as tf from '@tensorflow/tfjs';
import { linear } from './linear';

export interface GruWeights {
  /** [inputs, 3·units]: columns are the r, z, n blocks (PyTorch's weight_ih transposed). */
  wx: tf.Tensor2D;
  /** [units, 3·units] (weight_hh transposed). */
  wh: tf.Tensor2D;
  /** [3·units]: PyTorch's bias_ih. */
  bx: tf.Tensor1D;
  /** [3·units]: PyTorch's bias_hh. */
  bh: tf.Tensor1D;
}

/** Run the layer over x [batch, time, inputs]; every timestep's h: [batch, time, units]. */
export function gruLayer(x: tf.Tensor3D, w: GruWeights, inputIsData = false): tf.Tensor3D {
  const [batch, time, inputs] = x.shape;
  const units = w.wh.shape[0];
  const projected = linear(x.reshape([batch * time, inputs]), w.wx, w.bx, { inputNeedsGrad: !inputIsData }).reshape([
    batch,
    time,
    3 * units,
  ]);
  const steps = tf.unstack(projected, 1) as tf.Tensor2D[];
  let h: tf.Tensor2D = tf.zeros([batch, units]);
  const outputs: tf.Tensor2D[] = [];
  for (let t = 0; t < time; t++) {
    const [xrz, xn] = tf.split(steps[t], [2 * units, units], 1) as tf.Tensor2D[];
    const [hrz, hn] = tf.split(linear(h, w.wh, w.bh), [2 * units, units], 1) as tf.Tensor2D[];
    const [r, z] = tf.split(xrz.add(hrz).sigmoid(), 2, 1) as tf.Tensor2D[];
    const n = xn.add(r.mul(hn)).tanh();
    h = n.add(z.mul(h.sub(n))); // (1 − z)·n + z·h
    outputs.push(h);
  }
  return tf.stack(outputs, 1) as tf.Tensor3D;
}
