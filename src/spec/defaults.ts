import { SPEC_VERSION, type DenseLayerSpec, type ExperimentSpec } from './types';

export function defaultHiddenLayer(): DenseLayerSpec {
  return { units: 8, activation: 'tanh', dropout: 0 };
}

export function defaultSpec(): ExperimentSpec {
  return {
    version: SPEC_VERSION,
    seed: 42,
    dataset: { kind: 'circle', samples: 500, noise: 0.3, validationSplit: 0.2, features: ['x1', 'x2'] },
    model: { kind: 'mlp', hidden: [defaultHiddenLayer(), defaultHiddenLayer()] },
    training: {
      optimizer: {
        kind: 'adam', learningRate: 0.01, momentum: 0.9, beta1: 0.9, beta2: 0.999, rho: 0.9, epsilon: 1e-8, weightDecay: 0,
      },
      schedule: { kind: 'constant', stepEpochs: 10, gamma: 0.5, minLearningRate: 0, warmupEpochs: 0 },
      batchSize: 16,
      epochs: 50,
      l1: 0,
      l2: 0,
      clipNorm: 0,
      earlyStopPatience: 0,
    },
    backend: 'auto',
  };
}
