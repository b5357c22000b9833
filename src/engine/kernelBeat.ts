// A worker busy with one long stretch of tf ops (a big evaluation, the first step compiling its
// GPU pipelines, "auto" timing a backend) cannot answer the page's pings until it yields. Every
// kernel call is a sign of progress: this has each kernel of a backend report it, so the page
// can tell a worker that works from one that hangs (see worker/client.ts).
import * as tf from '@tensorflow/tfjs';

const reporting = new WeakSet<tf.KernelFunc>();

/**
 * Have every kernel registered for `backendName` call `progress` before it runs (once per
 * kernel: calling this again wraps only kernels registered since). Returns how many were wrapped.
 */
export function reportKernelProgress(backendName: string, progress: () => void): number {
  let wrapped = 0;
  for (const config of tf.getKernelsForBackend(backendName)) {
    if (reporting.has(config.kernelFunc)) continue;
    const inner = config.kernelFunc;
    const kernelFunc: tf.KernelFunc = (args) => {
      progress();
      return inner(args);
    };
    reporting.add(kernelFunc);
    tf.unregisterKernel(config.kernelName, backendName);
    tf.registerKernel({ ...config, kernelFunc });
    wrapped++;
  }
  return wrapped;
}
