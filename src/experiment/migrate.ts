import { datasetDefaults, MLP_OPTION_DEFAULTS, TRANSFORMER_OPTION_DEFAULTS } from './defaults';
import { DATASET_KINDS, DEFAULT_OWN_IMAGES, DEFAULT_TOKENIZER, NO_AUGMENT, type DatasetKind } from './types';

/**
 * Fill in fields added to version 1 after it first shipped (dataset.features for every kind,
 * dataset.contextLength, dataset.digits, dataset.table, dataset.drawn, dataset.augment, dataset.ownImages, dataset.shiftHeldOut, dataset.tokenizer, the optimizer's switches,
 * the recurrent model's cell, the MLP's initialisation and loss, the transformer's options), so older shared links and kept runs still open, meaning what they
 * meant before. Anything else is left for validation to judge.
 */
export function migrateSpec(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null) return raw;
  const spec = raw as { version?: unknown; dataset?: Record<string, unknown>; training?: unknown; model?: unknown };
  if (spec.version !== 1 || typeof spec.dataset !== 'object' || spec.dataset === null) return raw;
  const kind = (DATASET_KINDS as readonly unknown[]).includes(spec.dataset.kind)
    ? (spec.dataset.kind as DatasetKind)
    : 'circle';
  const fill = datasetDefaults(kind);
  const training = spec.training as Record<string, unknown> | undefined;
  const optimizer = typeof training?.optimizer === 'object' && training.optimizer !== null ? training.optimizer : null;
  const model = typeof spec.model === 'object' && spec.model !== null ? (spec.model as Record<string, unknown>) : null;
  return {
    ...spec,
    // Recurrent models were all LSTMs before the cell could be chosen; MLPs had these options' defaults.
    ...(model?.kind === 'lstm' ? { model: { cell: 'lstm', ...model } } : {}),
    ...(model?.kind === 'mlp' ? { model: { ...MLP_OPTION_DEFAULTS, ...model } } : {}),
    ...(model?.kind === 'transformer' ? { model: { ...TRANSFORMER_OPTION_DEFAULTS, ...model } } : {}),
    // The optimizer switches added later are off in older specs, as they were before they existed.
    ...(optimizer
      ? {
          training: {
            ...training,
            optimizer: { rmspropMomentum: 0, centered: false, amsgrad: false, decayMatricesOnly: false, ...optimizer },
          },
        }
      : {}),
    dataset: {
      testSplit: 0,
      features: ['x1', 'x2'],
      contextLength: fill.contextLength,
      digits: fill.digits,
      table: { target: '', task: 'auto' },
      drawn: { added: [], removed: [] },
      augment: { ...NO_AUGMENT },
      ownImages: { ...DEFAULT_OWN_IMAGES },
      shiftHeldOut: 0,
      tokenizer: { ...DEFAULT_TOKENIZER },
      ...spec.dataset,
    },
  };
}
