// A convolutional network's layers as an experiment names them, and the image shape each layer hands on: what the
// builder shows beside each layer and how it refuses a stack that would shrink an image below 1×1.
import type { Activation } from './types';

export const CONV_PADDINGS = ['same', 'valid'] as const;
export type ConvPadding = (typeof CONV_PADDINGS)[number];
export const POOL_KINDS = ['max', 'avg'] as const;
export type PoolKind = (typeof POOL_KINDS)[number];
export const CNN_LAYER_KINDS = ['conv', 'pool', 'residual'] as const;

/** A convolution: `filters` kernels of kernel × kernel, `stride` apart; 'same' pads (kernel − 1)/2 on every side. */
export interface ConvLayerSpec {
  kind: 'conv';
  filters: number;
  kernel: number;
  stride: number;
  padding: ConvPadding;
  activation: Activation;
  /** BatchNorm2d after the convolution (which then has no bias of its own), before the activation. */
  batchNorm: boolean;
  dropout: number;
}

/** Max or average over size × size windows `stride` apart, without padding. */
export interface PoolLayerSpec {
  kind: 'pool';
  pool: PoolKind;
  size: number;
  stride: number;
}

/** ResNet's basic block: two 3×3 convolutions with BatchNorm and a skip connection (projected where the size or channels change). */
export interface ResidualLayerSpec {
  kind: 'residual';
  filters: number;
  stride: number;
}

export type CnnLayerSpec = ConvLayerSpec | PoolLayerSpec | ResidualLayerSpec;

/** From the last feature maps to the dense layers: every value in order, or each channel's mean. */
export const CNN_HEADS = ['flatten', 'globalAverage'] as const;
export type CnnHead = (typeof CNN_HEADS)[number];

export interface CnnDenseSpec {
  units: number;
  activation: Activation;
  dropout: number;
}

export interface CnnSpec {
  kind: 'cnn';
  layers: CnnLayerSpec[];
  head: CnnHead;
  /** Dense layers between the head and the classifier. */
  dense: CnnDenseSpec[];
}

export interface ImageShape {
  height: number;
  width: number;
  channels: number;
}

/** A convolution with the builder's usual choices (stride 1, 'same' padding, relu, no BatchNorm, no dropout), and `options` over them. */
export function convLayer(
  filters: number,
  kernel: number,
  options: Partial<Omit<ConvLayerSpec, 'kind'>> = {},
): ConvLayerSpec {
  return {
    kind: 'conv',
    filters,
    kernel,
    stride: 1,
    padding: 'same',
    activation: 'relu',
    batchNorm: false,
    dropout: 0,
    ...options,
  };
}

/** Pooling over size × size windows, `stride` apart (by default the windows tile the image). */
export function poolLayer(size: number, stride = size, pool: PoolKind = 'max'): PoolLayerSpec {
  return { kind: 'pool', pool, size, stride };
}

/** LeNet's shape on 28×28 digits: two convolutions each with 2×2 max pooling, then one dense layer. */
export function lenet(): CnnSpec {
  return {
    kind: 'cnn',
    layers: [convLayer(6, 5), poolLayer(2), convLayer(16, 5), poolLayer(2)],
    head: 'flatten',
    dense: [{ units: 120, activation: 'relu', dropout: 0 }],
  };
}

/** Padding of a convolution on each side. */
export const convPadding = (kernel: number, padding: ConvPadding) =>
  padding === 'same' ? Math.floor((kernel - 1) / 2) : 0;

/** An output side, ⌊(side + 2·pad − window) / stride⌋ + 1 (PyTorch's Conv2d and pools); below 1, no output. */
export const outputSide = (side: number, window: number, stride: number, pad = 0) =>
  Math.floor((side + 2 * pad - window) / stride) + 1;

/** A layer in words, for messages and the builder: "conv 5×5, 6 filters", "max pool 2×2", "residual block, 32 filters". */
export function cnnLayerLabel(layer: CnnLayerSpec): string {
  switch (layer.kind) {
    case 'conv':
      return `conv ${layer.kernel}×${layer.kernel}, ${layer.filters} filters${layer.stride > 1 ? `, stride ${layer.stride}` : ''}`;
    case 'pool':
      return `${layer.pool} pool ${layer.size}×${layer.size}${layer.stride !== layer.size ? `, stride ${layer.stride}` : ''}`;
    case 'residual':
      return `residual block, ${layer.filters} filters${layer.stride > 1 ? `, stride ${layer.stride}` : ''}`;
  }
}

/** The shape one layer makes of `input` (a side of 0 or less: the layer has no output). */
export function cnnLayerOutput(layer: CnnLayerSpec, input: ImageShape): ImageShape {
  switch (layer.kind) {
    case 'conv': {
      const pad = convPadding(layer.kernel, layer.padding);
      return {
        height: outputSide(input.height, layer.kernel, layer.stride, pad),
        width: outputSide(input.width, layer.kernel, layer.stride, pad),
        channels: layer.filters,
      };
    }
    case 'pool':
      return {
        height: outputSide(input.height, layer.size, layer.stride),
        width: outputSide(input.width, layer.size, layer.stride),
        channels: input.channels,
      };
    case 'residual':
      return {
        height: outputSide(input.height, 3, layer.stride, 1),
        width: outputSide(input.width, 3, layer.stride, 1),
        channels: layer.filters,
      };
  }
}

/**
 * Each layer's output shape, in order; or, at the first layer that would shrink the image below 1×1 (or whose
 * window is larger than its padded input), which layer and why, in words.
 */
export function cnnShapes(
  layers: readonly CnnLayerSpec[],
  input: ImageShape,
): { ok: true; shapes: ImageShape[] } | { ok: false; index: number; message: string } {
  const shapes: ImageShape[] = [];
  let shape = input;
  for (const [index, layer] of layers.entries()) {
    const next = cnnLayerOutput(layer, shape);
    if (next.height < 1 || next.width < 1) {
      return {
        ok: false,
        index,
        message:
          `layer ${index + 1} (${cnnLayerLabel(layer)}) gets ${shape.height}×${shape.width} images and would make them ` +
          `smaller than 1×1: remove it, or use a smaller window, a smaller stride or 'same' padding before it`,
      };
    }
    shapes.push(next);
    shape = next;
  }
  return { ok: true, shapes };
}

/** How many values the head hands to the dense layers. */
export function headWidth(head: CnnHead, last: ImageShape): number {
  return head === 'flatten' ? last.height * last.width * last.channels : last.channels;
}

/** Rows and columns of the input, inclusive, that one unit of a layer's output sees (clipped to the image). */
export interface PixelBox {
  top: number;
  left: number;
  bottom: number;
  right: number;
}

/** A layer's window, stride and padding on each side, as the receptive field composes them. */
function geometry(l: CnnLayerSpec): { window: number; stride: number; pad: number }[] {
  switch (l.kind) {
    case 'conv':
      return [{ window: l.kernel, stride: l.stride, pad: convPadding(l.kernel, l.padding) }];
    case 'pool':
      return [{ window: l.size, stride: l.stride, pad: 0 }];
    case 'residual':
      // Two 3×3 convolutions, the first with the block's stride (the 1×1 skip sees less).
      return [
        { window: 3, stride: l.stride, pad: 1 },
        { window: 3, stride: 1, pad: 1 },
      ];
  }
}

/**
 * The input pixels one unit (row, col) of layer `layer`'s output depends on: walking back through the layers, a
 * range [a, b] of a layer's output comes from [a·stride − pad, b·stride − pad + window − 1] of its input.
 */
export function receptiveField(
  layers: readonly CnnLayerSpec[],
  layer: number,
  row: number,
  col: number,
  input: ImageShape,
): PixelBox {
  let [top, bottom, left, right] = [row, row, col, col];
  for (let i = layer; i >= 0; i--) {
    for (const g of geometry(layers[i]).reverse()) {
      top = top * g.stride - g.pad;
      left = left * g.stride - g.pad;
      bottom = bottom * g.stride - g.pad + g.window - 1;
      right = right * g.stride - g.pad + g.window - 1;
    }
  }
  return {
    top: Math.max(0, top),
    left: Math.max(0, left),
    bottom: Math.min(input.height - 1, bottom),
    right: Math.min(input.width - 1, right),
  };
}
