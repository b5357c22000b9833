// ConvNetJS and brain.js (both pure JavaScript, CPU) training the same MLP on the same data,
// for the ratio "our engine vs them". brain.js 1.x updates after every example (no batch size).
import brain from 'brain.js';
import convnetjs from 'convnetjs';
import { buildDataset, type DatasetFiles } from '../src/data/dataset';
import { mlpOf, type ExperimentSpec } from '../src/experiment';
import { BOUNDARY_RESOLUTION, epochPlan, evaluatedExamples } from '../src/engine/epochPlan';

/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call,
   @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return -- neither library ships types */

/**
 * How many forward passes our epoch makes besides training (training subset, validation, and the
 * decision boundary's grid on the plane), so a library can be timed doing the same.
 */
function evaluationsPerEpoch(spec: ExperimentSpec, ds: ReturnType<typeof buildDataset>): number {
  const cells = ds.plane ? BOUNDARY_RESOLUTION ** 2 : 0;
  return evaluatedExamples(epochPlan(spec, { train: ds.train.n, validation: ds.validation.n }, cells));
}

/** Training examples per second, over epochs that train only, or that also evaluate as ours do. */
export interface LibrarySpeed {
  trainingOnly: number;
  withEvaluation: number;
}

function timeEpochs(epochs: number, runEpoch: () => void): number {
  runEpoch(); // warm-up, like our first epoch
  const start = performance.now();
  for (let e = 1; e < epochs; e++) runEpoch();
  return (performance.now() - start) / 1000;
}

/** ConvNetJS's activation name for ours (it has relu, sigmoid and tanh). */
const convnetActivation = (a: string) => (a === 'relu' ? 'relu' : a === 'sigmoid' ? 'sigmoid' : 'tanh');

/** The spec's network as ConvNetJS layers: an MLP's dense layers, or a CNN's convolutions and poolings (images channels last, as its Vols). */
function convnetLayers(spec: ExperimentSpec, ds: ReturnType<typeof buildDataset>): object[] {
  const out = { type: 'softmax', num_classes: Math.max(2, ds.outputDim) };
  const m = spec.model;
  if (m.kind !== 'cnn')
    return [
      { type: 'input', out_sx: 1, out_sy: 1, out_depth: ds.inputDim },
      ...mlpOf(spec).hidden.map((l) => ({
        type: 'fc',
        num_neurons: l.units,
        activation: convnetActivation(l.activation),
      })),
      out,
    ];
  const image = ds.image!;
  return [
    { type: 'input', out_sx: image.width, out_sy: image.height, out_depth: image.channels },
    ...m.layers.map((l) => {
      if (l.kind === 'conv')
        return {
          type: 'conv',
          sx: l.kernel,
          filters: l.filters,
          stride: l.stride,
          pad: l.padding === 'same' ? (l.kernel - 1) / 2 : 0,
          activation: convnetActivation(l.activation),
        };
      if (l.kind === 'pool' && l.pool === 'max') return { type: 'pool', sx: l.size, stride: l.stride };
      throw new Error('ConvNetJS has max pooling and plain convolutions only');
    }),
    ...m.dense.map((l) => ({ type: 'fc', num_neurons: l.units, activation: convnetActivation(l.activation) })),
    out,
  ];
}

/** Examples per second of ConvNetJS on the spec's MLP or CNN (softmax over the classes), Adam, same batch size. */
export function convnetExamplesPerSec(spec: ExperimentSpec, epochs: number, files: DatasetFiles = {}): LibrarySpeed {
  const ds = buildDataset(spec.dataset, spec.seed, files);
  const net = new convnetjs.Net();
  net.makeLayers(convnetLayers(spec, ds));
  const trainer = new convnetjs.Trainer(net, {
    method: 'adam',
    learning_rate: spec.training.optimizer.learningRate,
    batch_size: spec.training.batchSize,
  });
  const vols = Array.from({ length: ds.train.n }, (_, i) => {
    const values = ds.train.x.subarray(i * ds.inputDim, (i + 1) * ds.inputDim);
    if (!ds.image) return new convnetjs.Vol(Array.from(values));
    const vol = new convnetjs.Vol(ds.image.width, ds.image.height, ds.image.channels, 0);
    vol.w.set(values); // its layout is ours: (row·width + column)·channels + channel
    return vol;
  });
  const train = () => {
    for (let i = 0; i < ds.train.n; i++) trainer.train(vols[i], ds.train.y[i]);
  };
  const evaluations = evaluationsPerEpoch(spec, ds);
  const evaluate = () => {
    for (let i = 0; i < evaluations; i++) net.forward(vols[i % vols.length]);
  };
  const perSecond = (seconds: number) => ((epochs - 1) * ds.train.n) / seconds;
  return {
    trainingOnly: perSecond(timeEpochs(epochs, train)),
    withEvaluation: perSecond(
      timeEpochs(epochs, () => {
        train();
        evaluate();
      }),
    ),
  };
}

/**
 * Examples per second of brain.js on the spec's MLP, one iteration = one pass over the data.
 * brain.js 1.x offers sigmoid, relu, leaky-relu and tanh, with sigmoid outputs (one per class).
 */
export function brainExamplesPerSec(spec: ExperimentSpec, epochs: number, files: DatasetFiles = {}): LibrarySpeed {
  const ds = buildDataset(spec.dataset, spec.seed, files);
  const hidden = mlpOf(spec).hidden;
  const activation =
    hidden[0]?.activation === 'relu' ? 'relu' : hidden[0]?.activation === 'sigmoid' ? 'sigmoid' : 'tanh';
  const net = new brain.NeuralNetwork({ hiddenLayers: hidden.map((l) => l.units), activation, learningRate: 0.1 });
  const target = (y: number) =>
    ds.outputDim > 1 ? Array.from({ length: ds.outputDim }, (_, k) => (k === y ? 1 : 0)) : [y];
  const data = Array.from({ length: ds.train.n }, (_, i) => ({
    input: Array.from(ds.train.x.subarray(i * ds.inputDim, (i + 1) * ds.inputDim)),
    output: target(ds.train.y[i]),
  }));
  net.train(data, { iterations: 1 }); // warm-up and set-up
  const start = performance.now();
  net.train(data, { iterations: epochs - 1, errorThresh: 1e-9 }); // never stop early
  const trainingOnly = ((epochs - 1) * ds.train.n) / ((performance.now() - start) / 1000);
  const evaluations = evaluationsPerEpoch(spec, ds);
  const seconds = timeEpochs(epochs, () => {
    net.train(data, { iterations: 1, errorThresh: 1e-9 });
    for (let i = 0; i < evaluations; i++) net.run(data[i % data.length].input);
  });
  return { trainingOnly, withEvaluation: ((epochs - 1) * ds.train.n) / seconds };
}
