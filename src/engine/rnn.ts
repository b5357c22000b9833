// The vanilla (Elman) RNN layer, PyTorch's nn.RNN with tanh:
//   h_t = tanh(x_t·Wx + h_{t−1}·Wh + b)
// with one bias (PyTorch's bias_ih + bias_hh). The input projection for every timestep is one
// matmul up front, as in the LSTM and GRU.
import * as tf from '@tensorflow/tfjs';
import { linear } from './linear';

export interface RnnWeights {
  /** [inputs, units] (PyTorch's weight_ih transposed). */
  wx: tf.Tensor2D;
  /** [units, units]. */
  wh: tf.Tensor2D;
  /** [units]. */
  b: tf.Tensor1D;
}

/** Run the layer over x [batch, time, inputs]; every timestep's h: [batch, time, units]. */
export function rnnLayer(x: tf.Tensor3D, w: RnnWeights, inputIsData = false): tf.Tensor3D {
  const [batch, time, inputs] = x.shape;
  const units = w.wh.shape[0];
  const projected = linear(x.reshape([batch * time, inputs]), w.wx, w.b, { inputNeedsGrad: !inputIsData }).reshape([
    batch,
    time,
    units,
  ]);
  const steps = tf.unstack(projected, 1) as tf.Tensor2D[];
  let h: tf.Tensor2D = tf.zeros([batch, units]);
  const outputs: tf.Tensor2D[] = [];
  for (let t = 0; t < time; t++) {
    h = steps[t].add(linear(h, w.wh, null)).tanh() as tf.Tensor2D;
    outputs.push(h);
  }
  return tf.stack(outputs, 1) as tf.Tensor3D;
}
