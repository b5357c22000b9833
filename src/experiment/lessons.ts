// Ready-made experiments for teaching: each a spec (or lab settings) with a few sentences on what
// to watch and what to try next, and the numbers it should show, stated so a test can check them
// (engine/lessonClaims.ts) and the app can say whether a run bore them out.
import { datasetDefaults, defaultSpec, MLP_OPTION_DEFAULTS, TRANSFORMER_OPTION_DEFAULTS } from './defaults';
import { defaultLabSettings, SURFACE_INFO, type LabSettings } from './lab';
import { convLayer, poolLayer } from './cnn';
import { mlpOf, OPTIMIZER_KINDS, type ExperimentSpec, type OptimizerKind } from './types';

/** What a lesson's run should show, checkable from its epochs (or, in the lab, its paths). */
export type LessonClaim =
  /** The last epoch's figure, within the spec's epochs. */
  | { kind: 'final'; metric: 'valAccuracy'; atLeast?: number; atMost?: number }
  /** The first layer's gradient norm in the last epoch, as a fraction of the output layer's. */
  | { kind: 'gradientRatio'; atMost: number }
  /** Every hidden layer's weights stay exactly zero, and the accuracy stays at most this. */
  | { kind: 'symmetric'; accuracyAtMost: number }
  /** The run stops with an explanation: the loss diverged or exploded. */
  | { kind: 'diverges' }
  /** The last epoch's validation loss is at least `factor` times its training loss. */
  | { kind: 'overfits'; factor: number }
  /** Early stopping ends the run before its last epoch. */
  | { kind: 'stopsEarly' }
  /** In the lab: `better`'s final loss is below `worse`'s divided by `factor`. */
  | { kind: 'lab'; better: OptimizerKind; worse: OptimizerKind; factor: number };

export interface Lesson {
  id: string;
  title: string;
  /** What to watch and what to try next: two or three sentences. */
  text: string;
  /** The numbers it should show, in words. */
  shows: string;
  claim: LessonClaim;
  target: { kind: 'experiment'; spec: ExperimentSpec } | { kind: 'lab'; settings: LabSettings };
}

function experiment(edit: (s: ExperimentSpec) => void): Lesson['target'] {
  const s = defaultSpec();
  edit(s);
  return { kind: 'experiment', spec: s };
}

function dense(units: number, activation: 'relu' | 'tanh' | 'sigmoid', layers: number) {
  return Array.from({ length: layers }, () => ({ units, activation, dropout: 0 }));
}

/** Few noisy moons and a wide network: room to memorise. */
function overfitting(s: ExperimentSpec): void {
  s.dataset = { ...s.dataset, kind: 'moons', samples: 40, noise: 1.2, validationSplit: 0.5 };
  s.model = { ...MLP_OPTION_DEFAULTS, kind: 'mlp', hidden: dense(64, 'relu', 2) };
  s.training.epochs = 300;
  s.training.batchSize = 8;
}

/** A CNN on MNIST digits: 3×3 convolutions of `filters`, each followed by 2×2 max pooling, then the classifier. */
function digitsCnn(s: ExperimentSpec, samples: number, filters: number[], dense: number[]): void {
  s.dataset = { ...s.dataset, kind: 'mnist', ...datasetDefaults('mnist'), samples };
  s.model = {
    kind: 'cnn',
    layers: filters.flatMap((f) => [convLayer(f, 3), poolLayer(2)]),
    head: 'flatten',
    dense: dense.map((units) => ({ units, activation: 'relu', dropout: 0 })),
  };
  s.training.batchSize = 32;
  s.training.optimizer.learningRate = 3e-3;
}

/** The lab race of two optimizers at the given learning rates. */
function race(
  surface: LabSettings['surface'],
  conditioning: number,
  steps: number,
  rates: Partial<Record<OptimizerKind, number>>,
) {
  const d = defaultLabSettings();
  const settings: LabSettings = {
    surface,
    conditioning,
    start: SURFACE_INFO[surface].start,
    steps,
    chosen: Object.fromEntries(OPTIMIZER_KINDS.map((k) => [k, k in rates])) as LabSettings['chosen'],
    rates: { ...d.rates, ...Object.fromEntries(Object.entries(rates).map(([k, r]) => [k, String(r)])) },
  };
  return { kind: 'lab' as const, settings };
}

export const LESSONS: Lesson[] = [
  {
    id: 'depth',
    title: 'Why depth matters: the spiral',
    text: 'Two interleaved spirals need a boundary that turns and turns again. Watch the decision boundary wrap around the arms as three tanh layers of 8 compose their bends. Then remove a layer, or two, and train again: one layer of 8 cannot follow the arms.',
    shows: 'validation accuracy of at least 90% within 150 epochs',
    claim: { kind: 'final', metric: 'valAccuracy', atLeast: 0.9 },
    target: experiment((s) => {
      s.dataset.kind = 'spiral';
      s.model = { ...MLP_OPTION_DEFAULTS, kind: 'mlp', hidden: dense(8, 'tanh', 3) };
      s.training.epochs = 150;
    }),
  },
  {
    id: 'vanishing',
    title: 'Vanishing gradients: six sigmoid layers',
    text: 'Each sigmoid multiplies the gradient flowing back by at most ¼, so six of them leave the first layer almost nothing to learn from. Open "Inside the network" and watch the per-layer gradient norms: they shrink layer by layer towards the input. Then switch every layer to relu, or turn on LayerNorm and residual connections (or BatchNorm alone), and train again.',
    shows: 'the first layer’s gradient under 1% of the output layer’s after 30 epochs, and little accuracy',
    claim: { kind: 'gradientRatio', atMost: 0.01 },
    target: experiment((s) => {
      s.model = { ...MLP_OPTION_DEFAULTS, kind: 'mlp', hidden: dense(8, 'sigmoid', 6) };
      s.training.epochs = 30;
      s.training.optimizer = { ...s.training.optimizer, kind: 'sgd', learningRate: 0.3 };
    }),
  },
  {
    id: 'zeros',
    title: 'Zero initialisation and symmetry',
    text: 'Every weight starts at 0, so every unit of a layer computes the same thing and receives the same gradient — here none at all, since the zero weights above block it. Watch the weights in the network graph stay at 0 while only the output bias moves. Then choose Glorot or He initialisation and train again.',
    shows: 'hidden weights that stay exactly 0, and validation accuracy under 70%',
    claim: { kind: 'symmetric', accuracyAtMost: 0.7 },
    target: experiment((s) => {
      mlpOf(s).init = 'zeros';
      s.training.epochs = 20;
    }),
  },
  {
    id: 'learning-rate',
    title: 'A learning rate too high',
    text: 'Plain SGD at a learning rate of 10 overshoots the minimum by more each step, and the loss runs away. The run stops and says what to try. Lower the rate ten times at a time and find where training becomes steady.',
    shows: 'the run stopping with an explanation (the loss diverged or exploded)',
    claim: { kind: 'diverges' },
    target: experiment((s) => {
      s.model = { ...MLP_OPTION_DEFAULTS, kind: 'mlp', hidden: dense(16, 'relu', 1) };
      s.training.epochs = 6;
      s.training.optimizer = { ...s.training.optimizer, kind: 'sgd', learningRate: 10 };
    }),
  },
  {
    id: 'overfitting',
    title: 'Overfitting: few noisy points',
    text: 'Twenty noisy points to train on and two layers of 64 units: the network memorises them. Watch the training loss keep falling while the validation loss turns up, and the boundary twist around single points. Then add dropout 0.3 to each layer, or L2 of 0.01, and compare the two runs.',
    shows: 'a final validation loss at least 3 times the training loss',
    claim: { kind: 'overfits', factor: 3 },
    target: experiment(overfitting),
  },
  {
    id: 'early-stopping',
    title: 'Early stopping',
    text: 'The same memorising network, now stopped when the validation loss has not improved for 20 epochs. Watch where the validation curve bottoms out and the run ends soon after. Then compare the stopped run with the full 300 epochs of the overfitting lesson.',
    shows: 'the run ending before its 300th epoch, with the epoch of the best validation loss',
    claim: { kind: 'stopsEarly' },
    target: experiment((s) => {
      overfitting(s);
      s.training.earlyStopPatience = 20;
    }),
  },
  {
    id: 'momentum-ravine',
    title: 'Momentum in a ravine',
    text: 'A bowl 100 times steeper across than along: SGD at the largest stable rate zig-zags across the ravine and crawls along its floor. Momentum damps the zig-zag and gathers speed along the floor. Try raising SGD’s rate past 0.02 and watch it fly off.',
    shows: 'after 200 steps, momentum’s loss at least 1,000 times below SGD’s',
    claim: { kind: 'lab', better: 'momentum', worse: 'sgd', factor: 1000 },
    target: race('bowl', 100, 200, { sgd: 0.019, momentum: 0.01 }),
  },
  {
    id: 'adam-rosenbrock',
    title: 'Adam against SGD on Rosenbrock',
    text: 'Rosenbrock’s valley is steep at the start and nearly flat along its curved floor. SGD’s step is the rate times the gradient, so on the flat floor it crawls; Adam divides by the gradient’s running size and keeps moving. Try raising SGD’s rate and see how far it goes before the steep start throws it off.',
    shows: 'after 1,000 steps, Adam’s loss at least 10,000 times below SGD’s',
    claim: { kind: 'lab', better: 'adam', worse: 'sgd', factor: 10_000 },
    target: race('rosenbrock', 1, 1000, { sgd: 0.001, adam: 0.1 }),
  },
  {
    id: 'attention-reverse',
    title: 'Attention learns to reverse',
    text: 'A small transformer reads a digit string and writes it backwards. Watch the attention heatmap as the answer positions learn where in the prompt to look. Then try sorting the digits instead, which needs more than looking up one position.',
    shows: 'validation token accuracy of at least 95% within 3 epochs',
    claim: { kind: 'final', metric: 'valAccuracy', atLeast: 0.95 },
    target: experiment((s) => {
      s.dataset = { ...s.dataset, kind: 'reverse', ...datasetDefaults('reverse'), samples: 3000 };
      s.model = { ...TRANSFORMER_OPTION_DEFAULTS, kind: 'transformer', layers: 2, dModel: 32, heads: 4, dropout: 0 };
      s.training.epochs = 3;
      s.training.batchSize = 32;
      s.training.optimizer.learningRate = 3e-3;
    }),
  },
  {
    id: 'cnn-vs-mlp',
    title: 'A CNN against an MLP of the same size on digits',
    text: 'This CNN has about 9,000 parameters, yet each 3×3 filter slides over the whole image, so a stroke it learns to see is found wherever it is. Watch its accuracy, and look inside at its filters and feature maps. Then switch the model to an MLP with one hidden layer of 12 units (about as many parameters) and train again: it must learn every stroke at every position on its own.',
    shows: 'validation accuracy of at least 92% within 4 epochs (the MLP of the same size: about 85%)',
    claim: { kind: 'final', metric: 'valAccuracy', atLeast: 0.92 },
    target: experiment((s) => {
      digitsCnn(s, 2000, [8, 16], []);
      s.training.epochs = 4;
    }),
  },
  {
    id: 'pooling-shifts',
    title: 'Shifted digits: what pooling buys, and what it does not',
    text: 'Every validation digit here is moved by up to 2 pixels (Shift held-out images) while the training digits stay centred, and this CNN with two 2×2 max-poolings, about 94% right on centred digits, gets only 70–75% of these right: pooling forgives a pixel here and there, not a shifted stroke. Remove both pooling layers and train again for about the same, or switch to an MLP with 12 hidden units for about 54%. Then set augmentation’s shift to 2 on the CNN: about 91%, because it has now seen shifted digits.',
    shows: 'validation accuracy on the shifted digits staying under 82%',
    claim: { kind: 'final', metric: 'valAccuracy', atMost: 0.82 },
    target: experiment((s) => {
      digitsCnn(s, 2000, [8, 16], []);
      s.dataset.shiftHeldOut = 2;
      s.training.epochs = 4;
    }),
  },
  {
    id: 'augmentation',
    title: 'Augmentation against memorising a few digits',
    text: 'With 240 training digits a CNN can learn them by heart: its training loss falls towards zero while the validation loss stops falling. Then set augmentation to shift 2 pixels and turn 15° and train again: every epoch sees each digit a little moved, which cannot simply be memorised, and the validation loss falls to about half (accuracy from about 85% to 93%).',
    shows: 'a final validation loss at least 3 times the training loss',
    claim: { kind: 'overfits', factor: 3 },
    target: experiment((s) => {
      digitsCnn(s, 300, [16, 32], [64]);
      s.training.epochs = 25;
    }),
  },
  {
    id: 'rnn-copy',
    title: 'The vanilla RNN against the LSTM on a long copy',
    text: 'Copying six digits means remembering the first one for eleven steps. A vanilla RNN’s gradient through that many tanh steps fades, so it learns little beyond the digits nearest the separator. Then set the cell to LSTM (or GRU) and train again: its gates carry the memory.',
    shows: 'validation token accuracy staying under 35% (the LSTM passes 80%)',
    claim: { kind: 'final', metric: 'valAccuracy', atMost: 0.35 },
    target: experiment((s) => {
      s.dataset = { ...s.dataset, kind: 'copy', ...datasetDefaults('copy'), samples: 3000, digits: 6 };
      s.model = { kind: 'lstm', cell: 'rnn', embedding: 16, layers: [{ units: 48, dropout: 0 }] };
      s.training.epochs = 8;
      s.training.batchSize = 32;
      s.training.optimizer.learningRate = 0.02;
    }),
  },
];
