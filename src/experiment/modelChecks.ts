// The model part of an experiment checked field by field: layers, widths, heads, options per kind.
import {
  ACTIVATIONS,
  CLASSIFICATION_LOSSES,
  INIT_KINDS,
  MLP_NORMS,
  MODEL_KINDS,
  NORM_PLACEMENTS,
  NORMS,
  POSITION_ENCODINGS,
  RECURRENT_CELLS,
  TRANSFORMER_ACTIVATIONS,
} from './types';
import { CNN_HEADS, CNN_LAYER_KINDS, CONV_PADDINGS, POOL_KINDS } from './cnn';

import { LIMITS } from './limits';
import { checkChoice, checkNumber, isDenseArray, isObject, requireObject, type Errors } from './fieldChecks';

/** Every field of the model for its kind, each problem pushed onto `errors` with its path. */
export function checkModel(errors: Errors, model: Record<string, unknown>): void {
  checkChoice(errors, 'model.kind', model.kind, MODEL_KINDS);
  const unitsAndDropout = (field: string, l: Record<string, unknown>) => {
    checkNumber(errors, `${field}.units`, l.units, { ...LIMITS.units, integer: true });
    checkNumber(errors, `${field}.dropout`, l.dropout, LIMITS.dropout);
  };
  if (model.kind === 'mlp') {
    const { max } = LIMITS.hiddenLayers;
    checkLayers(
      errors,
      'model.hidden',
      model.hidden,
      { min: 0, max },
      `must be a list of at most ${max} layers`,
      (field, l) => {
        unitsAndDropout(field, l);
        checkChoice(errors, `${field}.activation`, l.activation, ACTIVATIONS);
      },
    );
    checkChoice(errors, 'model.init', model.init, INIT_KINDS);
    checkNumber(errors, 'model.initStd', model.initStd, LIMITS.initStd);
    checkChoice(errors, 'model.classificationLoss', model.classificationLoss, CLASSIFICATION_LOSSES);
    checkChoice(errors, 'model.norm', model.norm, MLP_NORMS);
    if (typeof model.residual !== 'boolean') errors.push({ field: 'model.residual', message: 'must be true or false' });
    else if (
      model.residual &&
      Array.isArray(model.hidden) &&
      (model.hidden as unknown[]).every((l, i, all) => {
        const before = all[i - 1];
        return i === 0 || !isObject(l) || !isObject(before) || l.units !== before.units;
      })
    )
      errors.push({
        field: 'model.residual',
        message: 'needs two hidden layers in a row of the same width (a residual adds a layer’s input to its output)',
      });
  } else if (model.kind === 'lstm') {
    checkChoice(errors, 'model.cell', model.cell, RECURRENT_CELLS);
    checkNumber(errors, 'model.embedding', model.embedding, { ...LIMITS.embedding, integer: true });
    const { min, max } = LIMITS.lstmLayers;
    checkLayers(
      errors,
      'model.layers',
      model.layers,
      LIMITS.lstmLayers,
      `must be a list of ${min} to ${max} recurrent layers`,
      unitsAndDropout,
    );
  } else if (model.kind === 'cnn') {
    checkCnn(errors, model);
  } else if (model.kind === 'transformer') {
    checkNumber(errors, 'model.layers', model.layers, { ...LIMITS.transformerLayers, integer: true });
    checkNumber(errors, 'model.dModel', model.dModel, { ...LIMITS.dModel, integer: true });
    checkNumber(errors, 'model.heads', model.heads, { ...LIMITS.heads, integer: true });
    checkNumber(errors, 'model.dropout', model.dropout, LIMITS.dropout);
    checkChoice(errors, 'model.position', model.position, POSITION_ENCODINGS);
    checkChoice(errors, 'model.norm', model.norm, NORMS);
    checkChoice(errors, 'model.normPlacement', model.normPlacement, NORM_PLACEMENTS);
    checkChoice(errors, 'model.mlpActivation', model.mlpActivation, TRANSFORMER_ACTIVATIONS);
    if (typeof model.tiedEmbeddings !== 'boolean')
      errors.push({ field: 'model.tiedEmbeddings', message: 'must be true or false' });
    checkNumber(errors, 'model.attentionDropout', model.attentionDropout, LIMITS.dropout);
    if (
      !errors.some((e) => e.field === 'model.dModel' || e.field === 'model.heads') &&
      (model.dModel as number) % (model.heads as number) !== 0
    ) {
      errors.push({
        field: 'model.heads',
        message: `must divide dModel (${model.dModel as number}) evenly, so every head gets the same width; try ${divisorsNear(model.dModel as number, model.heads as number)}`,
      });
    } else if (
      model.position === 'rope' &&
      !errors.some((e) => e.field === 'model.dModel' || e.field === 'model.heads') &&
      ((model.dModel as number) / (model.heads as number)) % 2 !== 0
    ) {
      errors.push({
        field: 'model.heads',
        message: `must leave each head an even width for RoPE, which rotates pairs of dimensions (dModel ${model.dModel as number} / ${model.heads as number} heads = ${(model.dModel as number) / (model.heads as number)})`,
      });
    }
  }
}

/** A CNN's layers, head and dense layers (its shapes on the dataset's images are checked with the dataset). */
function checkCnn(errors: Errors, model: Record<string, unknown>): void {
  const { min, max } = LIMITS.cnnLayers;
  const whole = (field: string, value: unknown, range: { min: number; max: number }) =>
    checkNumber(errors, field, value, { ...range, integer: true });
  checkLayers(
    errors,
    'model.layers',
    model.layers,
    LIMITS.cnnLayers,
    `must be a list of ${min} to ${max} convolution, pooling or residual layers`,
    (field, l) => {
      checkChoice(errors, `${field}.kind`, l.kind, CNN_LAYER_KINDS);
      if (l.kind === 'conv') {
        whole(`${field}.filters`, l.filters, LIMITS.filters);
        whole(`${field}.kernel`, l.kernel, LIMITS.kernel);
        whole(`${field}.stride`, l.stride, LIMITS.convStride);
        checkChoice(errors, `${field}.padding`, l.padding, CONV_PADDINGS);
        checkChoice(errors, `${field}.activation`, l.activation, ACTIVATIONS);
        if (typeof l.batchNorm !== 'boolean')
          errors.push({ field: `${field}.batchNorm`, message: 'must be true or false' });
        checkNumber(errors, `${field}.dropout`, l.dropout, LIMITS.dropout);
        if (l.padding === 'same' && typeof l.kernel === 'number' && l.kernel % 2 === 0)
          errors.push({
            field: `${field}.kernel`,
            message: `must be odd with 'same' padding, which pads (kernel − 1) / 2 on every side (got ${l.kernel}); or choose 'valid' padding`,
          });
      } else if (l.kind === 'pool') {
        checkChoice(errors, `${field}.pool`, l.pool, POOL_KINDS);
        whole(`${field}.size`, l.size, LIMITS.poolSize);
        whole(`${field}.stride`, l.stride, LIMITS.poolSize);
      } else if (l.kind === 'residual') {
        whole(`${field}.filters`, l.filters, LIMITS.filters);
        whole(`${field}.stride`, l.stride, LIMITS.residualStride);
      }
    },
  );
  checkChoice(errors, 'model.head', model.head, CNN_HEADS);
  checkLayers(
    errors,
    'model.dense',
    model.dense,
    { min: 0, max: LIMITS.cnnDense.max },
    `must be a list of at most ${LIMITS.cnnDense.max} dense layers`,
    (field, l) => {
      whole(`${field}.units`, l.units, LIMITS.units);
      checkNumber(errors, `${field}.dropout`, l.dropout, LIMITS.dropout);
      checkChoice(errors, `${field}.activation`, l.activation, ACTIVATIONS);
    },
  );
}

/** A list of layers: its length first, then each layer that is an object, by `check`. */
function checkLayers(
  errors: Errors,
  field: string,
  list: unknown,
  length: { min: number; max: number },
  message: string,
  check: (field: string, layer: Record<string, unknown>) => void,
): void {
  if (!isDenseArray(list, length.max) || list.length < length.min) {
    errors.push({ field, message });
    return;
  }
  list.forEach((layer, i) => {
    const l = requireObject(errors, `${field}[${i}]`, layer);
    if (l) check(`${field}[${i}]`, l);
  });
}

/** Head counts that divide d, nearest to the one asked for (for the error message). */
function divisorsNear(d: number, heads: number): string {
  const all = Array.from({ length: LIMITS.heads.max }, (_, i) => i + 1).filter((h) => d % h === 0);
  return all
    .sort((a, b) => Math.abs(a - heads) - Math.abs(b - heads))
    .slice(0, 2)
    .sort((a, b) => a - b)
    .join(' or ');
}
