// The LSTM layer, built so one timestep costs few kernels: the input projection for every
// timestep is one matmul up front; each step then adds one recurrent matmul and the gates.
// Gate order and equations follow PyTorch's nn.LSTM:
//   [i, f, g, o] = x_t·Wx + h_{t−1}·Wh + b
//   c_t = σ(f)·c_{t−1} + σ(i)·tanh(g);   h_t = σ(o)·tanh(c_t)
import * as tf from '@tensorflow/tfjs';
import { linear } from './linear';

export interface LstmWeights {
  /** [inputs, 4·units]: columns are the i, f, g, o blocks. */
  wx: tf.Tensor2D;
  /** [units, 4·units]. */
  wh: tf.Tensor2D;
  /** [4·units] (PyTorch's b_ih + b_hh). */
  b: tf.Tensor1D;
}

/**
 * Run the layer over x [batch, time, inputs]; returns every timestep's h: [batch, time, units].
 * `inputIsData`: x is the data itself (a series' values), so its gradient is never computed.
 */
export function lstmLayer(x: tf.Tensor3D, w: LstmWeights, inputIsData = false): tf.Tensor3D {
  const [batch, time, inputs] = x.shape;
  const units = w.wh.shape[0];
  const projected = linear(x.reshape([batch * time, inputs]), w.wx, w.b, { inputNeedsGrad: !inputIsData }).reshape([
    batch,
    time,
    4 * units,
  ]);
  const steps = tf.unstack(projected, 1) as tf.Tensor2D[];
  let h: tf.Tensor2D = tf.zeros([batch, units]);
  let c: tf.Tensor2D = tf.zeros([batch, units]);
  const outputs: tf.Tensor2D[] = [];
  for (let t = 0; t < time; t++) {
    const z = steps[t].add(linear(h, w.wh, null));
    const [i, f, g, o] = tf.split(z, 4, 1) as tf.Tensor2D[];
    c = f.sigmoid().mul(c).add(i.sigmoid().mul(g.tanh()));
    h = o.sigmoid().mul(c.tanh());
    outputs.push(h);
  }
  return tf.stack(outputs, 1) as tf.Tensor3D;
}
