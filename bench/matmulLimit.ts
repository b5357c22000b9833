// What a backend's matmul reaches on its own: an n×n by n×n product (2n³ FLOPs) timed back to back,
// the ceiling for a training step's matmuls on that backend. Workloads are reported as a fraction of it.
import * as tf from '@tensorflow/tfjs';
import { median } from './median';

type Product = (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;

/**
 * GFLOP/s of n×n×n products on the active backend (tf.matMul, or `product`): median of
 * `samples`, each about 0.3 s long.
 */
export async function matmulGflops(
  n: number,
  samples = 5,
  product: Product = (a, b) => tf.matMul(a, b),
): Promise<number> {
  const a = tf.randomUniform([n, n], -1, 1, 'float32', 1) as tf.Tensor2D;
  const b = tf.randomUniform([n, n], -1, 1, 'float32', 2) as tf.Tensor2D;
  // Runs `count` products and waits for the last (a GPU queue runs them in order).
  const timed = async (count: number) => {
    const start = performance.now();
    const products = Array.from({ length: count }, () => product(a, b));
    const corner = products[count - 1].slice([0, 0], [1, 1]);
    await corner.data();
    const ms = performance.now() - start;
    tf.dispose([...products, corner]);
    return ms;
  };
  await timed(1); // compiles the shader, packs nothing twice
  const count = Math.max(1, Math.ceil(300 / (await timed(1))));
  const gflops: number[] = [];
  for (let s = 0; s < samples; s++) gflops.push((2 * n ** 3 * count) / ((await timed(count)) / 1000) / 1e9);
  tf.dispose([a, b]);
  return median(gflops);
}

/** The GPU Node's WebGPU runs on, as its adapter names it (vendor, architecture, device). */
export async function webgpuAdapterName(): Promise<string> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  const adapter = await gpu?.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) return 'no adapter';
  const { vendor, architecture, device, description } = adapter.info;
  return [vendor, architecture, device, description].filter(Boolean).join(' / ');
}
