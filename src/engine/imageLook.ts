// A look inside an image model for one image: its class probabilities, the saliency of its pixels (the gradient of
// a class's logit with respect to them), and, for a CNN, every layer's feature maps and filters.
import * as tf from '@tensorflow/tfjs';
import type { ImageShape } from '../experiment/cnn';
import { convPadding } from '../experiment/cnn';
import type { RowModel } from './rowModel';
import type { FeatureMap, ImageLook } from './types';

interface Looked {
  logits: tf.Tensor2D;
  probabilities: tf.Tensor1D;
  saliency: tf.Tensor1D;
  saliencyClass: tf.Tensor1D;
  maps: { name: string; map: tf.Tensor4D }[];
  firstZ: tf.Tensor4D | null;
}

const read = async (t: tf.Tensor) => (await t.data()) as Float32Array;

async function featureMap(name: string, map: tf.Tensor4D): Promise<FeatureMap> {
  const [, height, width, channels] = map.shape;
  return { name, height, width, channels, values: await read(map) };
}

/**
 * The look at `input` (height·width·channels values in 0…1) through `model`; the saliency is for `chosenClass`,
 * or the class the model predicts.
 */
export async function lookAtImage(
  model: RowModel,
  image: ImageShape,
  input: Float32Array,
  source: { label: number | null; index: number | null },
  chosenClass?: number,
): Promise<ImageLook> {
  const cnn = model.convolutional;
  const asImage = (x: tf.Tensor2D) => x.reshape([1, image.height, image.width, image.channels]) as tf.Tensor4D;
  const x = tf.tensor2d(input, [1, input.length]);
  // One synchronous block (training cannot step in between): the look, and the saliency of the chosen class or
  // the predicted one (a one-hot mask on the logits, so the class need not be read first). tidy keeps every tensor
  // in what it returns (nulls and names included) and frees the rest.
  const kept = tf.tidy(() => {
    const looked = cnn ? cnn.look(asImage(x)) : { logits: model.predict(x), maps: [], firstZ: null };
    const classes = looked.logits.shape[1];
    const chosen =
      chosenClass !== undefined && Number.isInteger(chosenClass) && chosenClass >= 0 && chosenClass < classes
        ? tf.tensor1d([chosenClass], 'int32')
        : (looked.logits.argMax(1) as tf.Tensor1D);
    const mask = tf.oneHot(chosen, classes);
    const logit = (v: tf.Tensor) => {
      const rows = v as tf.Tensor2D;
      return model.outputsWithInputGradient(rows).mul(mask).sum();
    };
    const saliency = tf
      .grad(logit)(x)
      .abs()
      .reshape([image.height * image.width, image.channels])
      .sum(1);
    return {
      ...looked,
      probabilities: tf.softmax(looked.logits).reshape([-1]),
      saliency,
      saliencyClass: chosen,
    } as unknown as tf.TensorContainer;
  }) as unknown as Looked;
  // Training may go on while the reads are in flight, replacing the variables' data: read copies taken now.
  const first = cnn?.firstConv;
  const copies: { weight: tf.Tensor | null; bias: tf.Tensor | null; filters: { name: string; weights: tf.Tensor }[] } =
    {
      weight: first ? first.weight.clone() : null,
      bias: first?.bias ? first.bias.clone() : null,
      filters: (cnn?.filters ?? []).map((f) => ({ name: f.name, weights: f.weights.clone() })),
    };
  try {
    const probabilities = await read(kept.probabilities);
    const saliencyClass = (await kept.saliencyClass.data())[0];
    return {
      input,
      ...source,
      probabilities,
      saliency: await read(kept.saliency),
      saliencyClass,
      maps: await Promise.all(kept.maps.map((m) => featureMap(m.name, m.map))),
      firstConv:
        first && copies.weight && kept.firstZ
          ? {
              kernel: first.spec.kernel,
              stride: first.spec.stride,
              pad: convPadding(first.spec.kernel, first.spec.padding),
              weights: await read(copies.weight),
              bias: copies.bias ? await read(copies.bias) : null,
              z: await featureMap('Conv 1 sum', kept.firstZ),
            }
          : null,
      filters: cnn
        ? await Promise.all(
            copies.filters.map(async (f) => {
              const [out, inputs, kernel] = f.weights.shape;
              return { name: f.name, out, in: inputs, kernel, weights: await read(f.weights) };
            }),
          )
        : [],
    };
  } finally {
    tf.dispose([
      x,
      kept.logits,
      kept.probabilities,
      kept.saliency,
      kept.saliencyClass,
      ...kept.maps.map((m) => m.map),
      ...(kept.firstZ ? [kept.firstZ] : []),
    ]);
    tf.dispose([copies.weight, copies.bias, ...copies.filters.map((f) => f.weights)].filter((t) => t !== null));
  }
}
