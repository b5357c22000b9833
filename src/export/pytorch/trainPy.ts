// train.py, the exported PyTorch program: one readable file per experiment, holding only the model
// the spec uses. Each part follows the engine's definition (named in its comments) rather than a
// stock PyTorch module where the two differ, so the losses match the playground's run. The parts
// are real Python files in py/ (linted and compiled by the tests); this only chooses and joins them.
import type { ModelSpec, OptimizerKind, RecurrentCell } from '../../experiment/types';
import { SEQUENCE_VAL_LIMIT, TRAIN_EVAL_LIMIT } from '../../engine/cost';
import header from './py/header.py?raw';
import mlp from './py/mlp.py?raw';
import cnn from './py/cnn.py?raw';
import recurrent from './py/recurrent.py?raw';
import transformer from './py/transformer.py?raw';
import lstmLayer from './py/lstm_layer.py?raw';
import gruLayer from './py/gru_layer.py?raw';
import rnnLayer from './py/rnn_layer.py?raw';
import lion from './py/lion.py?raw';
import muon from './py/muon.py?raw';
import training from './py/training.py?raw';
import parallel from './py/parallel.py?raw';

/** The header with the engine's evaluation limits (header.py holds today's values, for reading it alone). */
function headerCode(): string {
  return header
    .replace(/^TRAIN_EVAL_LIMIT = \d+$/m, `TRAIN_EVAL_LIMIT = ${TRAIN_EVAL_LIMIT}`)
    .replace(/^SEQUENCE_VAL_LIMIT = \d+$/m, `SEQUENCE_VAL_LIMIT = ${SEQUENCE_VAL_LIMIT}`);
}

/** Each recurrent cell's layer (the program holds the one its model uses), named Layer there. */
const RECURRENT_LAYERS: Record<RecurrentCell, string> = { lstm: lstmLayer, gru: gruLayer, rnn: rnnLayer };

/** The model's code: for a recurrent model, its cell's layer first. */
function modelCode(model: ModelSpec): string {
  if (model.kind === 'mlp') return mlp;
  if (model.kind === 'transformer') return transformer;
  if (model.kind === 'cnn') return cnn;
  const layer = RECURRENT_LAYERS[model.cell];
  const name = /class (\w+)\(/.exec(layer)![1];
  return `${layer.trimEnd()}\n\n\nLayer = ${name}\nCELL = "${model.cell}"\n\n\n${recurrent.trimStart()}`;
}

/** Optimizers PyTorch lacks, written out only in the programs that use them (keeping the file short). */
const OPTIMIZERS: Partial<Record<OptimizerKind, string>> = { lion, muon };

/** The program for one model and optimizer. */
export function trainPy(model: ModelSpec, optimizer: OptimizerKind): string {
  return headerCode() + modelCode(model) + (OPTIMIZERS[optimizer] ?? '') + training;
}

/** parallel.py, which train.py imports: tensor and pipeline parallelism (the same for every model). */
export function parallelPy(): string {
  return parallel;
}
