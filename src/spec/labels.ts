import type { DatasetKind, ModelKind, OptimizerKind, ScheduleKind } from './types';

export const DATASET_LABELS: Record<DatasetKind, string> = {
  circle: 'Circle (classification)', xor: 'XOR (classification)', gaussians: 'Two Gaussians (classification)',
  spiral: 'Spiral (classification)', moons: 'Moons (classification)',
  plane: 'Plane (regression)', sine: 'Sine surface (regression)',
  mnist: 'MNIST digits (10 classes)',
  names: 'Names (next character)', sotu: 'State of the Union text (next character)', userText: 'Your own text (next character)',
  reverse: 'Reverse digits (toy task)', sort: 'Sort digits (toy task)', copy: 'Copy digits (toy task)',
  addition: 'Addition "12+34=046" (toy task)',
  sines: 'Sine mixture (forecast)', mackeyGlass: 'Mackey–Glass (forecast)',
  userTable: 'Your own table (CSV)',
};

export const MODEL_LABELS: Record<ModelKind, string> = {
  mlp: 'an MLP', lstm: 'an LSTM', transformer: 'a transformer',
};

export const OPTIMIZER_LABELS: Record<OptimizerKind, string> = {
  sgd: 'SGD', momentum: 'SGD + momentum', nesterov: 'Nesterov', rmsprop: 'RMSProp',
  adagrad: 'Adagrad', adam: 'Adam', adamw: 'AdamW',
};

/** Which hyper-parameters each optimizer reads, in the order they are shown. */
export const OPTIMIZER_FIELDS: Record<OptimizerKind, ('momentum' | 'beta1' | 'beta2' | 'rho' | 'epsilon')[]> = {
  sgd: [], momentum: ['momentum'], nesterov: ['momentum'], rmsprop: ['rho', 'epsilon'],
  adagrad: ['epsilon'], adam: ['beta1', 'beta2', 'epsilon'], adamw: ['beta1', 'beta2', 'epsilon'],
};

export const SCHEDULE_LABELS: Record<ScheduleKind, string> = {
  constant: 'Constant', step: 'Step decay', exponential: 'Exponential decay', cosine: 'Cosine annealing',
};
