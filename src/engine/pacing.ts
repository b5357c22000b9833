// Pacing the training loop: let queued messages in, and keep a GPU's queue of work short.
import type * as tf from '@tensorflow/tfjs';

/** Let queued messages (pause, stop…) run; setImmediate in Node, a MessageChannel in workers. */
export function yieldToEventLoop(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((r) => setImmediate(r));
  return new Promise((r) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      ch.port1.close();
      r();
    };
    ch.port2.postMessage(null);
  });
}

/**
 * On GPU backends the loop only queues work, so JavaScript can run a whole epoch ahead of the
 * device, and a pause would wait for all of it. Now and then we wait for the latest batch's loss
 * (4 bytes): often while the device lags (waits are long), rarely when it keeps up, so the
 * queue stays short without a read-back per batch on fast devices.
 */
export class GpuFence {
  private interval = 1;
  private sinceLast = 0;

  async maybeWait(latest: tf.Tensor): Promise<void> {
    if (++this.sinceLast < this.interval) return;
    this.sinceLast = 0;
    const start = performance.now();
    await latest.data();
    const waited = performance.now() - start;
    this.interval = waited > 30 ? Math.max(1, this.interval >> 1) : Math.min(64, this.interval * 2);
  }
}
