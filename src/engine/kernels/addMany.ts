// The sum of many tensors of one shape. tfjs-webgpu's AddN binds every input to one shader at
// once: past the device's storage buffers per stage less one (7 where the limit is 8, as on
// SwiftShader and many GPUs) its pipeline is invalid and it returns whatever its output buffer
// held, without an exception. So the tensors are added seven at a time.
import * as tf from '@tensorflow/tfjs';

const AT_ONCE = 7;

export function addMany<T extends tf.Tensor>(tensors: T[]): T {
  return tf.tidy(() => {
    let parts: tf.Tensor[] = tensors;
    while (parts.length > AT_ONCE) {
      const next: tf.Tensor[] = [];
      for (let i = 0; i < parts.length; i += AT_ONCE) {
        const group = parts.slice(i, i + AT_ONCE);
        next.push(group.length === 1 ? group[0] : tf.addN(group));
      }
      parts = next;
    }
    return tf.addN(parts) as T;
  });
}
