// dz = dy · act′(z), taken from the layer's output y (relu: y > 0; sigmoid: y·(1 − y); tanh:
// 1 − y²), as one shader on webgpu, where tf ops take two (relu: step, multiply) or four: a layer's
// backward pass there is this, two matmuls (dW, db) and a third where x needs its gradient.
// Elsewhere the same in tf ops.
import * as tf from '@tensorflow/tfjs';
import { webgpu_util, type WebGPUBackend, type WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

export type DifferentiableActivation = 'relu' | 'sigmoid' | 'tanh';

const KERNEL = 'PlaygroundActivationGrad';

/** dy · act′ where y = act(z). */
export function activationGrad(dy: tf.Tensor2D, y: tf.Tensor2D, activation: DifferentiableActivation): tf.Tensor2D {
  if (tf.getKernel(KERNEL, tf.getBackend()))
    return tf.engine().runKernel(KERNEL, { dy, y }, { activation }) as tf.Tensor2D;
  if (activation === 'relu') return dy.mul(y.step());
  return dy.mul(activation === 'sigmoid' ? y.mul(tf.scalar(1).sub(y)) : tf.scalar(1).sub(y.square()));
}

const DERIVATIVE: Record<DifferentiableActivation, string> = {
  relu: 'select(0.0, g, v > 0.0)',
  sigmoid: 'g * v * (1.0 - v)',
  tanh: 'g * (1.0 - v * v)',
};

class ActivationGradProgram implements WebGPUProgram {
  variableNames = ['dy', 'y'];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [64, 1, 1];
  size = true;

  constructor(
    private activation: DifferentiableActivation,
    shape: number[],
  ) {
    this.outputShape = shape;
    this.shaderKey = `playground_activation_grad_${activation}`;
    this.dispatchLayout = webgpu_util.flatDispatchLayout(shape);
    this.dispatch = webgpu_util.computeDispatch(this.dispatchLayout, shape, this.workgroupSize);
  }

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let g = dy[index];
          let v = y[index];
          setOutputAtIndex(index, ${DERIVATIVE[this.activation]});
        }
      }`;
  }
}

function webgpuKernel({
  inputs,
  backend,
  attrs,
}: {
  inputs: { dy: tf.TensorInfo; y: tf.TensorInfo };
  backend: tf.KernelBackend;
  attrs: { activation: DifferentiableActivation };
}): tf.TensorInfo {
  const program = new ActivationGradProgram(attrs.activation, inputs.dy.shape);
  return (backend as unknown as WebGPUBackend).runWebGPUProgram(program, [inputs.dy, inputs.y], 'float32');
}

tf.registerKernel({ kernelName: KERNEL, backendName: 'webgpu', kernelFunc: webgpuKernel as unknown as tf.KernelFunc });
