// A convolutional network's parameters and FLOPs per layer, per example, as its step runs them: each convolution
// forward (2·h'·w'·k²·in·out), its filter gradient (as big) and its input gradient (as big, but not for the first
// layer, whose input is data); pooling, BatchNorm, activations and the head as elementwise work (counted twice
// backward, as the other models' costs count it).
import { cnnShapes, headWidth, type CnnLayerSpec, type CnnSpec, type ImageShape } from '../experiment/cnn';
import { ACTIVATION_FLOPS, layer as cost, total, type LayerCost, type MatMulFlops, type ModelCost } from './cost';

/** BatchNorm's FLOPs per value: the mean, the variance, normalising, gain and bias. */
const BATCH_NORM_FLOPS = 8;
/** Softmax cross-entropy per class. */
const LOSS_FLOPS = 5;

const pixels = (s: ImageShape) => s.height * s.width;

/** One convolution's products: forward, and backward with the input's gradient only where `inputGrad`. */
function convProducts(input: ImageShape, output: ImageShape, kernel: number, inputGrad: boolean): MatMulFlops {
  const product = 2 * pixels(output) * kernel * kernel * input.channels * output.channels;
  return { forward: product, backward: product * (inputGrad ? 2 : 1) };
}

const add = (a: MatMulFlops, b: MatMulFlops): MatMulFlops => ({
  forward: a.forward + b.forward,
  backward: a.backward + b.backward,
});

function layerCost(l: CnnLayerSpec, index: number, input: ImageShape, output: ImageShape, first: boolean): LayerCost {
  const name = `${l.kind} ${index + 1}`;
  const [inValues, outValues] = [pixels(input) * input.channels, pixels(output) * output.channels];
  switch (l.kind) {
    case 'conv': {
      const weights = l.kernel * l.kernel * input.channels * l.filters;
      const perValue = (l.batchNorm ? BATCH_NORM_FLOPS : 1) + ACTIVATION_FLOPS[l.activation];
      return cost(
        name,
        inValues,
        outValues,
        weights + (l.batchNorm ? 2 : 1) * l.filters,
        convProducts(input, output, l.kernel, !first),
        perValue * outValues,
        [[l.kernel * l.kernel * input.channels, l.filters]],
      );
    }
    case 'pool':
      return cost(name, inValues, outValues, 0, { forward: 0, backward: 0 }, outValues * l.size * l.size, []);
    case 'residual': {
      const f = l.filters;
      const middle = { ...output, channels: f };
      const projected = l.stride !== 1 || input.channels !== f;
      let products = add(convProducts(input, middle, 3, !first), convProducts(middle, output, 3, true));
      if (projected) products = add(products, convProducts(input, output, 1, !first));
      const norms = projected ? 3 : 2;
      const params = 9 * input.channels * f + 9 * f * f + (projected ? input.channels * f : 0) + norms * 2 * f;
      // BatchNorms, the ReLU between the convolutions, the sum and the last ReLU.
      const elementwise = (norms * BATCH_NORM_FLOPS + 3) * outValues;
      const matrices: [number, number][] = [
        [9 * input.channels, f],
        [9 * f, f],
        ...(projected ? ([[input.channels, f]] as [number, number][]) : []),
      ];
      return cost(name, inValues, outValues, params, products, elementwise, matrices);
    }
  }
}

/** Per-layer parameters and FLOPs of a CNN on `input` images with `classes` outputs; throws if its shapes do not work. */
export function cnnCost(spec: CnnSpec, input: ImageShape, classes: number): ModelCost {
  const walked = cnnShapes(spec.layers, input);
  if (!walked.ok) throw new Error(`The network's ${walked.message}.`);
  const layers: LayerCost[] = [];
  let shape = input;
  let learned = false; // whether any layer before has weights (so its input needs a gradient)
  for (const [i, l] of spec.layers.entries()) {
    const out = walked.shapes[i];
    layers.push(layerCost(l, i, shape, out, !learned));
    learned ||= l.kind !== 'pool';
    shape = out;
  }
  const last = shape;
  let width = headWidth(spec.head, last);
  if (spec.head === 'globalAverage')
    layers.push(
      cost(
        'global average',
        pixels(last) * last.channels,
        width,
        0,
        { forward: 0, backward: 0 },
        pixels(last) * last.channels,
        [],
      ),
    );
  const dense = [
    ...spec.dense.map((d) => ({ ...d, name: `dense` })),
    { units: classes, activation: 'linear' as const, dropout: 0, name: 'output' },
  ];
  for (const [i, d] of dense.entries()) {
    const product = 2 * width * d.units;
    const output = d.name === 'output';
    layers.push(
      cost(
        output ? 'output' : `dense ${i + 1}`,
        width,
        d.units,
        width * d.units + d.units,
        { forward: product, backward: product * (learned || i > 0 ? 2 : 1) },
        d.units * (1 + ACTIVATION_FLOPS[d.activation] + (output ? LOSS_FLOPS : 0)),
        [[width, d.units]],
      ),
    );
    learned = true;
    width = d.units;
  }
  return total(layers);
}
