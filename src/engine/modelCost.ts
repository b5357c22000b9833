// Any model's cost from its spec and the shape of its problem: the MLP's, the recurrent network's, the
// transformer's (cost.ts) or the CNN's (cnnCost.ts).
import type { ModelSpec } from '../experiment/types';
import type { ProblemShape } from '../data/shapes';
import { mlpCost, recurrentCost, transformerCost, type ModelCost } from './cost';
import { cnnCost } from './cnnCost';

export type { ModelCost } from './cost';

/** A model's cost from its spec and what it depends on besides: input and output widths, or sequence shape. */
export function modelCost(model: ModelSpec, shape: ProblemShape): ModelCost {
  if (model.kind === 'mlp') {
    if (shape.kind !== 'tabular') throw new Error('an MLP needs tabular inputs');
    return mlpCost(model, shape.inputDim, shape.outputDim);
  }
  if (model.kind === 'cnn') {
    if (shape.kind !== 'tabular' || !shape.image) throw new Error('a CNN needs images');
    return cnnCost(model, shape.image, shape.outputDim);
  }
  if (shape.kind !== 'sequence') throw new Error(`${model.kind} needs sequences`);
  if (model.kind === 'lstm') return recurrentCost(model, shape.vocab, shape.length);
  if (!shape.vocab) throw new Error('a transformer needs tokens');
  return transformerCost(model, shape.vocab, shape.length);
}
