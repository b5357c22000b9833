// The README that travels with an exported program: what it is and how to run it.
import { OPTIMIZER_LABELS, augments, modelName, type ExperimentSpec } from '../../experiment';
import { TRAIN_EVAL_LIMIT } from '../../engine/cost';
import type { DataInfo } from './exportFiles';

const hasDropout = (spec: ExperimentSpec) => {
  const m = spec.model;
  if (m.kind === 'mlp') return m.hidden.some((l) => l.dropout > 0);
  if (m.kind === 'lstm') return m.layers.some((l) => l.dropout > 0);
  if (m.kind === 'cnn') return [...m.layers, ...m.dense].some((l) => 'dropout' in l && l.dropout > 0);
  return m.dropout > 0;
};

const BATCH_NORM_PROCESSES = `
With this model's BatchNorm that holds on GPUs, where its layers become \`SyncBatchNorm\` (statistics over the whole global
batch); on the CPU each process normalises over its own share of the batch (PyTorch 1.13's SyncBatchNorm needs CUDA), so the
losses differ a little from one process's.`;

const BATCH_NORM_DIFFERENCES = `
- A layer before BatchNorm has no bias (BatchNorm's own takes its place); weight files hold BatchNorm's running
  mean and variance but not its batch count (\`num_batches_tracked\`, unused with momentum 0.1).`;

const CNN_DIFFERENCES = `
- Images arrive as the app keeps them, one row of pixels per image with the channels last; the model views them as
  \`(B, C, H, W)\` for \`nn.Conv2d\` (whose kernels \`[out, in, kh, kw]\` are the app's own) and flattens the last
  feature maps back channels last, so the first dense layer's weights are the app's.
- 'same' padding pads \`(kernel − 1) / 2\` on every side (odd kernels only), the same for every stride.
- Dropout after a convolution drops single values (\`F.dropout\`), as the app does, not whole channels.`;

const SAMPLE_OPTION = (info: DataInfo) => `
- \`--sample N\` writes N tokens sampled after training to \`sample.txt\` (and prints them as \`{"sample": …}\`), at
  \`--temperature T\` (default 0.8; 0 takes the likeliest), \`--top-k K\` and \`--top-p P\`, cut as the app cuts them.${info.merges ? ' The byte pairs are read with the merges the app learned (in `data.safetensors`), as the app reads them.' : ''}`;

/** How this model can be split across processes besides data parallelism (--parallel tensor | pipeline). */
function modelParallel(spec: ExperimentSpec): string {
  const m = spec.model;
  if (m.kind === 'cnn') return 'A CNN trains data-parallel only (`--parallel data`, the default).';
  const tensor =
    m.kind === 'lstm'
      ? ''
      : `- \`--parallel tensor\` (${m.kind === 'mlp' ? "the layers in pairs: the first's outputs split across processes, the second's inputs, one all-reduce per pair" : "each block's attention split by heads and its MLP by hidden units, Megatron-LM's way"}): every process holds a share of each matrix and
  sees whole batches. Their number must divide ${m.kind === 'mlp' ? 'the width of the first layer of each pair' : 'the heads and the MLP width'}. \`--tensor-size K\` splits the model over K processes and
  lets the groups share batches (data × tensor: WORLD_SIZE = groups × K). Muon needs whole matrices: not with this.
`;
  return `${tensor}- \`--parallel pipeline\` (GPipe): each process holds a run of consecutive ${m.kind === 'transformer' ? 'blocks' : 'layers'}${m.kind === 'lstm' ? ' (the head counts as one)' : ''}; each batch goes through in
  \`--micro-batches M\` pieces (default 4 per process), forward through every stage, then backward, the gradients adding up
  before the step. The processes wait for each other a share (stages − 1) / (M + stages − 1) of each step.

\`\`\`sh
${tensor ? 'torchrun --nproc_per_node=2 train.py --parallel tensor                  # the model split over 2\ntorchrun --nproc_per_node=4 train.py --parallel tensor --tensor-size 2  # 2 groups of 2 share batches\n' : ''}torchrun --nproc_per_node=4 train.py --parallel pipeline                # a stage per process
\`\`\`

Both reproduce one process's losses (the same sums, taken in pieces), and process 0 puts the whole model back together
before saving \`final.safetensors\`. \`--report-communication\` has each process print the parameters it holds and the bytes
it sent in the first step, the figures the app's **Scale out** view predicts.`;
}

export function exportReadme(spec: ExperimentSpec, info: DataInfo): string {
  const t = spec.training;
  const { train, validation, test } = info.examples;
  const m = spec.model;
  const batchNorm =
    (m.kind === 'mlp' && m.norm === 'batchNorm') ||
    (m.kind === 'cnn' && m.layers.some((l) => l.kind === 'residual' || (l.kind === 'conv' && l.batchNorm)));
  const randomness = [hasDropout(spec) && '**dropout**', augments(spec.dataset.augment) && '**data augmentation**']
    .filter(Boolean)
    .join(' and ');
  const dropout = randomness
    ? `This run uses ${randomness}: PyTorch draws other random numbers than the browser (other masks, other shifts and turns), so the curves agree in distribution, not number for number. Without them they agree to about 1e-4.`
    : 'Started from `init.safetensors` (the default), the losses it prints match the browser run of this spec epoch by epoch, to about 1e-4 relative on the CPU. Float32 sums in another order differ in the last bits; a run that amplifies such differences (a large learning rate, a big model) drifts apart after a few epochs, as it would from itself with initial weights changed by one part in a million.';
  return `# ${modelName(spec.model)} on ${spec.dataset.kind}, exported from the neural-network playground

A self-contained PyTorch program that trains this experiment (${OPTIMIZER_LABELS[t.optimizer.kind]}, learning rate ${t.optimizer.learningRate},
batch ${t.batchSize}, ${t.epochs} epochs, seed ${spec.seed}) outside the browser. It needs Python 3 and PyTorch, nothing else.

| File | What it is |
| --- | --- |
| \`train.py\` | the model (\`nn.Module\`s), optimizer, schedule, clipping, penalties and training loop |
| \`parallel.py\` | tensor and pipeline parallelism, which \`train.py\` uses under \`--parallel tensor\` or \`pipeline\` |
| \`spec.json\` | the experiment, as the playground's "Share link" and "Download weights" (its \`.spec.json\`) carry it; \`train.py\` reads its hyper-parameters |
| \`data.safetensors\` | the exact examples the browser built: ${train} for training, ${validation} for validation${test ? `, ${test} for test` : ''} (${info.task === 'language' || info.task === 'toy' ? 'token ids' : 'after feature engineering and standardisation'}) |
| \`init.safetensors\` | the exact initial weights of the browser run |

## Run it

\`\`\`sh
python3 train.py                      # on a GPU if PyTorch sees one, else on the CPU
python3 train.py --device cpu         # on the CPU
python3 train.py --device cuda        # on one GPU
torchrun --nproc_per_node=4 train.py  # data-parallel, 4 processes (gloo on the CPU, nccl on GPUs)
\`\`\`

Each epoch prints one JSON line, e.g. \`{"epoch": 1, "trainLoss": 0.52, "trainAccuracy": 0.81, "valLoss": 0.55, "valAccuracy": 0.79}\`
(accuracy where the task has one); the end saves \`final.safetensors\`.

- \`--epochs N\` trains to epoch N instead of the spec's ${t.epochs} (the schedule stretches to match).
- \`--resume FILE\` starts from saved weights: \`final.safetensors\`, or a run's **Download weights** in the app. The epochs, schedule
  and shuffle go on from the epoch the file was saved at; the optimizer starts afresh (weight files hold no optimizer state).
- \`final.safetensors\` loads back into the app (**Load weights…**) to sample, inspect or continue.${info.task === 'language' ? SAMPLE_OPTION(info) : ''}

${dropout}

Under \`torchrun\`, every process takes its share of each global batch of ${t.batchSize}, the gradients are averaged, and
process 0 prints and saves: with the same batch size, any number of processes gives the same losses (to float rounding).${batchNorm ? BATCH_NORM_PROCESSES : ''}
Each process holds all the data; start as many as there are GPUs (or CPU cores to spare).

## Splitting the model itself

Data parallelism keeps a whole copy of the model on every process. When the model is what does not fit:

${modelParallel(spec)}

## Where it follows the playground rather than stock PyTorch

- Weight matrices are stored \`[inputs, outputs]\` (\`x @ W + b\`), the transpose of \`nn.Linear\`'s, so the app's files load as they are.
- The LSTM and the vanilla RNN have one bias per layer where \`nn.LSTM\` and \`nn.RNN\` have two (their sum); the LSTM's forget-gate bias starts at 1.
- L1 and L2 penalties (\`l1·Σ|W| + l2·ΣW²\`) apply to weight matrices and convolution kernels only, not to biases or normalisation gains.${batchNorm ? BATCH_NORM_DIFFERENCES : ''}${m.kind === 'cnn' ? CNN_DIFFERENCES : ''}
- GELU is the tanh approximation; the attention mask adds −1e9 rather than −∞.
- Each epoch's training figures are measured on the first ${TRAIN_EVAL_LIMIT} training examples, as in the app.
- Batches come from the playground's seeded shuffle (mulberry32), and the last incomplete batch of each epoch is dropped.
`;
}
