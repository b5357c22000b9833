// A look inside an image model checked against the framework: probabilities are the model's, the saliency is the
// logit's gradient (finite differences), feature maps have the builder's shapes, one convolution value worked out
// by hand (the step view) is the framework's, and a unit's receptive field is where its gradient reaches the input.
import { beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { activateBackend } from '../src/engine/backend';
import { cnnRowModel } from '../src/engine/cnnModel';
import { buildMlp } from '../src/engine/mlp';
import { MLP_OPTION_DEFAULTS } from '../src/experiment';
import { lookAtImage } from '../src/engine/imageLook';
import { convStep } from '../src/engine/convStep';
import { cnnShapes, receptiveField, type CnnSpec, type ImageShape, convLayer, poolLayer } from '../src/experiment/cnn';

const IMAGE: ImageShape = { height: 12, width: 12, channels: 2 };

/** Smooth activations, so finite differences hold; a stride, both paddings, both pools and a residual block. */
const spec = (): CnnSpec => ({
  kind: 'cnn',
  layers: [
    convLayer(3, 3, { activation: 'tanh' }),
    poolLayer(2, 2, 'avg'),
    convLayer(4, 3, { stride: 2, padding: 'valid', activation: 'elu', batchNorm: true }),
    { kind: 'residual', filters: 4, stride: 1 },
  ],
  head: 'flatten',
  dense: [{ units: 6, activation: 'tanh', dropout: 0 }],
});

const image = () => Float32Array.from({ length: 12 * 12 * 2 }, (_, i) => (Math.sin(i * 0.37) + 1) / 2);

beforeAll(async () => {
  await activateBackend('cpu');
});

describe.each(['cpu', 'wasm'] as const)('a look inside a CNN on %s', (backend) => {
  test('probabilities, saliency (finite differences), the maps’ shapes, and no tensor left behind', async () => {
    await activateBackend(backend);
    const model = cnnRowModel(spec(), IMAGE, 5, 3);
    const input = image();
    const before = tf.memory().numTensors;
    const look = await lookAtImage(model, IMAGE, input, { label: 2, index: 7 }, 4);
    expect(tf.memory().numTensors).toBe(before);
    const logits = tf.tidy(() => Array.from(model.predict(tf.tensor2d(input, [1, input.length])).dataSync()));
    const softmax = logits.map((z) => Math.exp(z) / logits.reduce((s, v) => s + Math.exp(v), 0));
    softmax.forEach((p, i) => expect(look.probabilities[i]).toBeCloseTo(p, 6));
    expect([look.label, look.index, look.saliencyClass]).toEqual([2, 7, 4]);
    // Saliency of pixel p: |∂ logit₄ / ∂x| summed over its two channels, against central differences.
    const logit4 = (x: Float32Array) => tf.tidy(() => model.predict(tf.tensor2d(x, [1, x.length])).dataSync()[4]);
    for (const pixel of [0, 30, 77]) {
      const numeric = [0, 1].reduce((sum, channel) => {
        const [up, down] = [Float32Array.from(input), Float32Array.from(input)];
        up[pixel * 2 + channel] += 1e-2;
        down[pixel * 2 + channel] -= 1e-2;
        return sum + Math.abs((logit4(up) - logit4(down)) / 2e-2);
      }, 0);
      expect(look.saliency[pixel]).toBeCloseTo(numeric, 2);
    }
    const shapes = cnnShapes(spec().layers, IMAGE);
    expect(look.maps.map((m) => [m.name, m.height, m.width, m.channels])).toEqual(
      spec().layers.map((l, i) => [
        `${{ conv: 'Conv', pool: 'Pool', residual: 'Residual' }[l.kind]} ${i + 1}`,
        ...(shapes.ok ? [shapes.shapes[i].height, shapes.shapes[i].width, shapes.shapes[i].channels] : []),
      ]),
    );
    // The first map is tanh of the first convolution's sum.
    look.maps[0].values.forEach((v, i) => expect(v).toBeCloseTo(Math.tanh(look.firstConv!.z.values[i]), 5));
    expect(look.filters.map((f) => [f.name, f.out, f.in, f.kernel])).toEqual([
      ['Conv 1', 3, 2, 3],
      ['Conv 3', 4, 3, 3],
      ['Residual 4', 4, 4, 3],
    ]);
    model.dispose();
  });

  test('one convolution value by hand (the step view) is the framework’s, padding included', async () => {
    await activateBackend(backend);
    const model = cnnRowModel(spec(), IMAGE, 5, 3);
    const input = image();
    const look = await lookAtImage(model, IMAGE, input, { label: null, index: null });
    const conv = look.firstConv!;
    const z = conv.z;
    for (const [filter, row, col] of [
      [0, 0, 0], // the corner: half the window is padding
      [2, 5, 7],
      [1, 11, 3],
    ]) {
      const step = convStep({ ...IMAGE, values: input }, conv, filter, row, col);
      expect(step.sum).toBeCloseTo(z.values[(row * z.width + col) * z.channels + filter], 5);
      expect(step.windows).toHaveLength(2);
    }
    expect(convStep({ ...IMAGE, values: input }, conv, 0, 0, 0).windows[0].inputs.slice(0, 4)).toEqual([0, 0, 0, 0]);
    model.dispose();
  });
});

test.each([
  [2, 1, 1],
  [3, 0, 0],
  [1, 3, 4],
])(
  'the receptive field of layer %i’s unit (%i, %i) is where its gradient reaches the input',
  async (layer, row, col) => {
    await activateBackend('cpu');
    // Linear activations, average pooling and no norm: every path carries gradient, so the support is the whole field.
    const layers: CnnSpec['layers'] = [
      convLayer(2, 3, { activation: 'linear' }),
      poolLayer(2, 2, 'avg'),
      convLayer(2, 3, { stride: 2, padding: 'valid', activation: 'linear' }),
      convLayer(2, 2, { padding: 'valid', activation: 'linear' }),
    ];
    const model = cnnRowModel({ kind: 'cnn', layers, head: 'flatten', dense: [] }, IMAGE, 2, 9);
    const cnn = model.convolutional!;
    const grad = tf.tidy(() => {
      const x = tf.tensor4d(image(), [1, 12, 12, 2]);
      const unit = (v: tf.Tensor) =>
        cnn
          .look(v as tf.Tensor4D)
          .maps[layer].map.slice([0, row, col, 0], [1, 1, 1, 1])
          .sum();
      return Array.from(tf.grad(unit)(x).abs().sum(3).dataSync());
    });
    const rows = grad.map((g, i) => (g > 0 ? Math.floor(i / 12) : NaN)).filter((r) => !Number.isNaN(r));
    const cols = grad.map((g, i) => (g > 0 ? i % 12 : NaN)).filter((c) => !Number.isNaN(c));
    expect(receptiveField(layers, layer, row, col, IMAGE)).toEqual({
      top: Math.min(...rows),
      left: Math.min(...cols),
      bottom: Math.max(...rows),
      right: Math.max(...cols),
    });
    model.dispose();
  },
);

test.each(['cpu', 'wasm'] as const)(
  'an MLP on images (%s): its saliency is the gradient of its logit too',
  async (backend) => {
    await activateBackend(backend);
    const mlp = buildMlp(
      { ...MLP_OPTION_DEFAULTS, kind: 'mlp', hidden: [{ units: 6, activation: 'tanh', dropout: 0 }] },
      12 * 12 * 2,
      5,
      4,
    );
    const input = image();
    const before = tf.memory().numTensors;
    const look = await lookAtImage(mlp, IMAGE, input, { label: null, index: null }, 1);
    expect(tf.memory().numTensors).toBe(before);
    expect([look.maps, look.filters, look.firstConv]).toEqual([[], [], null]);
    const logit1 = (x: Float32Array) => tf.tidy(() => mlp.predict(tf.tensor2d(x, [1, x.length])).dataSync()[1]);
    const pixel = 40;
    const numeric = [0, 1].reduce((sum, channel) => {
      const [up, down] = [Float32Array.from(input), Float32Array.from(input)];
      up[pixel * 2 + channel] += 1e-2;
      down[pixel * 2 + channel] -= 1e-2;
      return sum + Math.abs((logit1(up) - logit1(down)) / 2e-2);
    }, 0);
    expect(look.saliency[pixel]).toBeCloseTo(numeric, 3);
    mlp.dispose();
  },
);
