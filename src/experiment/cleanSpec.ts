// A validated spec rebuilt field by field, so links, stored runs and imported files carry nothing but what the
// experiment knows.
import { SPEC_VERSION, type ExperimentSpec, type ModelSpec } from './types';
import type { CnnLayerSpec } from './cnn';

/**
 * A validated spec rebuilt from its known fields only, so nothing unknown (of any size or depth)
 * rides along into links, stored runs or the worker.
 */
export function cleanSpec(s: ExperimentSpec): ExperimentSpec {
  const d = s.dataset;
  const o = s.training.optimizer;
  const sch = s.training.schedule;
  const t = s.training;
  return {
    version: SPEC_VERSION,
    seed: s.seed,
    dataset: {
      kind: d.kind,
      samples: d.samples,
      noise: d.noise,
      validationSplit: d.validationSplit,
      testSplit: d.testSplit,
      features: [...d.features],
      contextLength: d.contextLength,
      digits: d.digits,
      table: { target: d.table.target, task: d.table.task },
      drawn: { added: d.drawn.added.map(([x1, x2, c]) => [x1, x2, c]), removed: [...d.drawn.removed] },
      augment: { shift: d.augment.shift, rotation: d.augment.rotation, flip: d.augment.flip },
      ownImages: { side: d.ownImages.side, colour: d.ownImages.colour },
      shiftHeldOut: d.shiftHeldOut,
      tokenizer: { kind: d.tokenizer.kind, vocabSize: d.tokenizer.vocabSize },
    },
    model: cleanModel(s.model),
    training: {
      optimizer: {
        kind: o.kind,
        learningRate: o.learningRate,
        momentum: o.momentum,
        beta1: o.beta1,
        beta2: o.beta2,
        rho: o.rho,
        rmspropMomentum: o.rmspropMomentum,
        centered: o.centered,
        amsgrad: o.amsgrad,
        epsilon: o.epsilon,
        weightDecay: o.weightDecay,
        decayMatricesOnly: o.decayMatricesOnly,
      },
      schedule: {
        kind: sch.kind,
        stepEpochs: sch.stepEpochs,
        gamma: sch.gamma,
        minLearningRate: sch.minLearningRate,
        warmupEpochs: sch.warmupEpochs,
      },
      batchSize: t.batchSize,
      epochs: t.epochs,
      l1: t.l1,
      l2: t.l2,
      clipNorm: t.clipNorm,
      earlyStopPatience: t.earlyStopPatience,
    },
    backend: s.backend,
  };
}

function cleanModel(m: ModelSpec): ModelSpec {
  switch (m.kind) {
    case 'mlp':
      return {
        kind: 'mlp',
        hidden: m.hidden.map((l) => ({ units: l.units, activation: l.activation, dropout: l.dropout })),
        init: m.init,
        initStd: m.initStd,
        classificationLoss: m.classificationLoss,
        residual: m.residual,
        norm: m.norm,
      };
    case 'lstm':
      return {
        kind: 'lstm',
        cell: m.cell,
        embedding: m.embedding,
        layers: m.layers.map((l) => ({ units: l.units, dropout: l.dropout })),
      };
    case 'cnn':
      return {
        kind: 'cnn',
        layers: m.layers.map((l): CnnLayerSpec => {
          switch (l.kind) {
            case 'conv':
              return {
                kind: 'conv',
                filters: l.filters,
                kernel: l.kernel,
                stride: l.stride,
                padding: l.padding,
                activation: l.activation,
                batchNorm: l.batchNorm,
                dropout: l.dropout,
              };
            case 'pool':
              return { kind: 'pool', pool: l.pool, size: l.size, stride: l.stride };
            case 'residual':
              return { kind: 'residual', filters: l.filters, stride: l.stride };
          }
        }),
        head: m.head,
        dense: m.dense.map((d) => ({ units: d.units, activation: d.activation, dropout: d.dropout })),
      };
    case 'transformer':
      return {
        kind: 'transformer',
        layers: m.layers,
        dModel: m.dModel,
        heads: m.heads,
        dropout: m.dropout,
        position: m.position,
        norm: m.norm,
        normPlacement: m.normPlacement,
        mlpActivation: m.mlpActivation,
        tiedEmbeddings: m.tiedEmbeddings,
        attentionDropout: m.attentionDropout,
      };
  }
}
