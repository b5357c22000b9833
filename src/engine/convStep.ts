// One value of a convolution worked out by hand, as the step view shows it: each kernel weight times the input
// value under it (zero outside the image: padding), their sum, and the bias. No tfjs: the page computes it.
import type { FeatureMap } from './types';

export interface ConvStep {
  /** Per input channel, the k × k window's input values (0 where it hangs over the padding) and the weights. */
  windows: { channel: number; inputs: number[]; weights: number[] }[];
  bias: number;
  /** Σ inputs × weights + bias. */
  sum: number;
  /** The input rows and columns the window starts at (may be negative: padding). */
  top: number;
  left: number;
}

/**
 * Output value (row, col) of filter `filter`, from an image `input` (height × width × channels, channels last) and
 * the filters [out, in, k, k] with their bias, stride and padding.
 */
export function convStep(
  input: Pick<FeatureMap, 'height' | 'width' | 'channels' | 'values'>,
  conv: { kernel: number; stride: number; pad: number; weights: Float32Array; bias: Float32Array | null },
  filter: number,
  row: number,
  col: number,
): ConvStep {
  const { kernel: k, stride, pad } = conv;
  const top = row * stride - pad;
  const left = col * stride - pad;
  const windows = Array.from({ length: input.channels }, (_, channel) => {
    const inputs: number[] = [];
    const weights: number[] = [];
    for (let i = 0; i < k; i++)
      for (let j = 0; j < k; j++) {
        const [r, c] = [top + i, left + j];
        const inside = r >= 0 && r < input.height && c >= 0 && c < input.width;
        inputs.push(inside ? input.values[(r * input.width + c) * input.channels + channel] : 0);
        weights.push(conv.weights[((filter * input.channels + channel) * k + i) * k + j]);
      }
    return { channel, inputs, weights };
  });
  const bias = conv.bias ? conv.bias[filter] : 0;
  // Summed in float64: the framework's float32 sum agrees to about 1e-6 of the terms' size.
  const sum = windows.reduce((s, w) => s + w.inputs.reduce((t, v, i) => t + v * w.weights[i], 0), bias);
  return { windows, bias, sum, top, left };
}
