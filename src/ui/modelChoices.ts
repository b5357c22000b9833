// The model builder's menus: labels and hints of each choice, and one SelectField's props.
import { type Activation, type ExperimentSpec, type InitKind, type RecurrentCell } from '../experiment';

/** The activations as the select names them (PyTorch's: leaky slope 0.01, ELU's α = 1; SiLU is swish). */
export const ACTIVATION_LABELS: Record<Activation, string> = {
  relu: 'relu',
  tanh: 'tanh',
  sigmoid: 'sigmoid',
  linear: 'linear',
  gelu: 'gelu',
  leakyRelu: 'leaky relu',
  elu: 'elu',
  silu: 'silu',
};

/** What each cell is, in a line under the Cell menu. */
export const CELL_HINTS: Record<RecurrentCell, string> = {
  lstm: 'input, forget and output gates around a memory cell (4 blocks of weights)',
  gru: 'reset and update gates, no separate memory (3 blocks)',
  rnn: 'h = tanh(x·Wx + h·Wh + b): no gates, so gradients fade over long spans',
};

export type Errors = Record<string, string>;
export type Update = (edit: (d: ExperimentSpec) => void) => void;

/** A SelectField's props for one named choice of the model: its path, value, error, labelled options and edit. */
export function choice<S, K extends keyof S & string, V extends S[K] & string>(
  model: S,
  field: K,
  choices: readonly V[],
  labels: Record<V, string>,
  errors: Errors,
  edit: (change: (m: S) => void) => void,
) {
  return {
    path: `model.${field}`,
    value: model[field] as V,
    error: errors[`model.${field}`],
    options: choices.map((k) => ({ value: k, label: labels[k] })),
    onChange: (v: V) =>
      edit((m) => {
        m[field] = v;
      }),
  };
}

/** What each initialisation does, in a line under its menu. */
export const INIT_HINTS: Record<InitKind, string> = {
  auto: 'He-uniform before relu-like activations, Glorot-uniform elsewhere',
  glorotUniform: 'U(±√(6 / (fan-in + fan-out))): keeps tanh and sigmoid layers’ variance',
  glorotNormal: 'N(0, 2 / (fan-in + fan-out))',
  he: 'U(±√(6 / fan-in)): keeps the variance through relu',
  gaussian: 'N(0, σ²) for every weight: too small and signals fade, too large and tanh saturates',
  zeros: 'every weight 0: all units of a layer stay identical, and hidden layers never learn',
};
