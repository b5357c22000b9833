import { memo } from 'react';
import { useSpecStore } from '../state/specStore';
import {
  ACTIVATIONS,
  CELL_LABELS,
  NORMS,
  NORM_LABELS,
  NORM_PLACEMENTS,
  NORM_PLACEMENT_LABELS,
  POSITION_ENCODINGS,
  POSITION_LABELS,
  TRANSFORMER_ACTIVATIONS,
  TRANSFORMER_ACTIVATION_LABELS,
  CLASSIFICATION_LOSSES,
  CLASSIFICATION_LOSS_LABELS,
  INIT_KINDS,
  INIT_LABELS,
  MLP_NORMS,
  MLP_NORM_LABELS,
  LIMITS,
  MODEL_LABELS,
  MODEL_TITLES,
  defaultHiddenLayer,
  switchModel,
  isClassification,
  isPlane,
  isSeries,
  lstmOf,
  mlpOf,
  modelName,
  modelsFor,
  RECURRENT_CELLS,
  transformerOf,
  sequenceLength,
  type Activation,
  type ExperimentSpec,
  type InitKind,
  type LstmSpec,
  type MlpSpec,
  type RecurrentCell,
  type TransformerSpec,
} from '../experiment';
import { layerEpochFlops, type ModelCost } from '../engine/cost';
import { evaluatedExamples, type EpochPlan } from '../engine/epochPlan';
import { formatMemory, MEMORY_BUDGET } from '../engine/memoryEstimate';
import type { TablePlan } from '../data/table';
import { useTablePlan } from './useTablePlan';
import type { ModelCosts } from './useModelCost';
import { CheckField, formatCount, NumberField, Panel, SelectField } from './fields';

/** The activations as the select names them (PyTorch's: leaky slope 0.01, ELU's α = 1; SiLU is swish). */
const ACTIVATION_LABELS: Record<Activation, string> = {
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
const CELL_HINTS: Record<RecurrentCell, string> = {
  lstm: 'input, forget and output gates around a memory cell (4 blocks of weights)',
  gru: 'reset and update gates, no separate memory (3 blocks)',
  rnn: 'h = tanh(x·Wx + h·Wh + b): no gates, so gradients fade over long spans',
};

type Errors = Record<string, string>;
type Update = (edit: (d: ExperimentSpec) => void) => void;

/** A SelectField's props for one named choice of the model: its path, value, error, labelled options and edit. */
function choice<S, K extends keyof S & string, V extends S[K] & string>(
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

function moveLayer(d: ExperimentSpec, from: number, to: number): void {
  const hidden = mlpOf(d).hidden;
  const [layer] = hidden.splice(from, 1);
  hidden.splice(to, 0, layer);
}

function MlpEditor({
  model,
  errors,
  update,
  cost,
  classification,
}: {
  model: MlpSpec;
  errors: Errors;
  update: Update;
  cost: ModelCost | null;
  /** Whether the data has classes (a loss to choose); regression is always the squared error. */
  classification: boolean;
}) {
  const hidden = model.hidden;
  const full = hidden.length >= LIMITS.hiddenLayers.max;
  const edit = (change: (m: MlpSpec) => void) => update((d) => change(mlpOf(d)));
  return (
    <>
      <ol className="layers">
        {hidden.map((layer, i) => (
          <li key={i} className="layer" data-testid={`layer-${i}`}>
            <div className="layer-head">
              <strong>Dense {i + 1}</strong>
              <span className="params">{cost ? `${formatCount(cost.layers[i].params)} params` : ''}</span>
              <span className="layer-buttons">
                <button
                  type="button"
                  aria-label={`Move layer ${i + 1} up`}
                  disabled={i === 0}
                  onClick={() => update((d) => moveLayer(d, i, i - 1))}
                >
                  ↑
                </button>
                <button
                  type="button"
                  aria-label={`Move layer ${i + 1} down`}
                  disabled={i === hidden.length - 1}
                  onClick={() => update((d) => moveLayer(d, i, i + 1))}
                >
                  ↓
                </button>
                <button
                  type="button"
                  aria-label={`Remove layer ${i + 1}`}
                  onClick={() =>
                    update((d) => {
                      mlpOf(d).hidden.splice(i, 1);
                    })
                  }
                >
                  ✕
                </button>
              </span>
            </div>
            <div className="row">
              <NumberField
                label="Units"
                path={`model.hidden[${i}].units`}
                value={layer.units}
                error={errors[`model.hidden[${i}].units`]}
                onChange={(v) =>
                  update((d) => {
                    mlpOf(d).hidden[i].units = v;
                  })
                }
              />
              <SelectField
                label="Activation"
                path={`model.hidden[${i}].activation`}
                value={layer.activation}
                error={errors[`model.hidden[${i}].activation`]}
                options={ACTIVATIONS.map((a) => ({ value: a, label: ACTIVATION_LABELS[a] }))}
                onChange={(v) =>
                  update((d) => {
                    mlpOf(d).hidden[i].activation = v;
                  })
                }
              />
              <NumberField
                label="Dropout"
                path={`model.hidden[${i}].dropout`}
                value={layer.dropout}
                error={errors[`model.hidden[${i}].dropout`]}
                onChange={(v) =>
                  update((d) => {
                    mlpOf(d).hidden[i].dropout = v;
                  })
                }
              />
            </div>
          </li>
        ))}
      </ol>
      <button
        type="button"
        className="add-layer"
        disabled={full}
        title={full ? `At most ${LIMITS.hiddenLayers.max} hidden layers` : undefined}
        onClick={() =>
          update((d) => {
            mlpOf(d).hidden.push(defaultHiddenLayer());
          })
        }
      >
        + Add hidden layer
      </button>
      <div className="row">
        <SelectField
          label="Initialisation"
          hint={INIT_HINTS[model.init]}
          {...choice(model, 'init', INIT_KINDS, INIT_LABELS, errors, edit)}
        />
        {model.init === 'gaussian' && (
          <NumberField
            label="Initial σ"
            path="model.initStd"
            value={model.initStd}
            error={errors['model.initStd']}
            hint={`${LIMITS.initStd.min}–${LIMITS.initStd.max}`}
            onChange={(v) =>
              update((d) => {
                mlpOf(d).initStd = v;
              })
            }
          />
        )}
      </div>
      <div className="row">
        <SelectField
          label="Normalisation"
          hint={
            model.norm === 'batchNorm'
              ? 'after each hidden layer’s x·W + b, before its activation: over the batch in training, over running statistics in evaluation'
              : 'after each hidden layer’s x·W + b, before its activation'
          }
          {...choice(model, 'norm', MLP_NORMS, MLP_NORM_LABELS, errors, edit)}
        />
        <CheckField
          label="Residual connections"
          path="model.residual"
          hint="a hidden layer as wide as the one before adds its input to its output"
          checked={model.residual}
          onChange={(v) =>
            update((d) => {
              mlpOf(d).residual = v;
            })
          }
        />
      </div>
      {errors['model.residual'] && (
        <div className="field-error" role="alert">
          Residual connections: {errors['model.residual']}
        </div>
      )}
      {classification && (
        <SelectField
          label="Loss"
          {...choice(model, 'classificationLoss', CLASSIFICATION_LOSSES, CLASSIFICATION_LOSS_LABELS, errors, edit)}
        />
      )}
    </>
  );
}

/** What each initialisation does, in a line under its menu. */
const INIT_HINTS: Record<InitKind, string> = {
  auto: 'He-uniform before relu-like activations, Glorot-uniform elsewhere',
  glorotUniform: 'U(±√(6 / (fan-in + fan-out))): keeps tanh and sigmoid layers’ variance',
  glorotNormal: 'N(0, 2 / (fan-in + fan-out))',
  he: 'U(±√(6 / fan-in)): keeps the variance through relu',
  gaussian: 'N(0, σ²) for every weight: too small and signals fade, too large and tanh saturates',
  zeros: 'every weight 0: all units of a layer stay identical, and hidden layers never learn',
};

function LstmEditor({
  model,
  errors,
  update,
  tokens,
}: {
  model: LstmSpec;
  errors: Errors;
  update: Update;
  tokens: boolean;
}) {
  const full = model.layers.length >= LIMITS.lstmLayers.max;
  const name = modelName(model);
  return (
    <>
      <SelectField
        label="Cell"
        hint={CELL_HINTS[model.cell]}
        {...choice(model, 'cell', RECURRENT_CELLS, CELL_LABELS, errors, (change) => update((d) => change(lstmOf(d))))}
      />
      {tokens && (
        <NumberField
          label="Embedding width"
          path="model.embedding"
          value={model.embedding}
          error={errors['model.embedding']}
          hint={`${LIMITS.embedding.min}–${LIMITS.embedding.max} per token`}
          onChange={(v) =>
            update((d) => {
              lstmOf(d).embedding = v;
            })
          }
        />
      )}
      {errors['model.layers'] && (
        <div className="field-error" role="alert">
          {name} layers: {errors['model.layers']}
        </div>
      )}
      <ol className="layers">
        {model.layers.map((layer, i) => (
          <li key={i} className="layer" data-testid={`layer-${i}`}>
            <div className="layer-head">
              <strong>
                {name} {i + 1}
              </strong>
              <span className="layer-buttons">
                <button
                  type="button"
                  aria-label={`Remove ${name} layer ${i + 1}`}
                  disabled={model.layers.length <= LIMITS.lstmLayers.min}
                  onClick={() =>
                    update((d) => {
                      lstmOf(d).layers.splice(i, 1);
                    })
                  }
                >
                  ✕
                </button>
              </span>
            </div>
            <div className="row">
              <NumberField
                label="Units"
                path={`model.layers[${i}].units`}
                value={layer.units}
                error={errors[`model.layers[${i}].units`]}
                onChange={(v) =>
                  update((d) => {
                    lstmOf(d).layers[i].units = v;
                  })
                }
              />
              <NumberField
                label="Dropout"
                path={`model.layers[${i}].dropout`}
                value={layer.dropout}
                error={errors[`model.layers[${i}].dropout`]}
                onChange={(v) =>
                  update((d) => {
                    lstmOf(d).layers[i].dropout = v;
                  })
                }
              />
            </div>
          </li>
        ))}
      </ol>
      <button
        type="button"
        className="add-layer"
        disabled={full}
        title={full ? `At most ${LIMITS.lstmLayers.max} ${name} layers` : undefined}
        onClick={() =>
          update((d) => {
            const l = lstmOf(d).layers;
            l.push({ ...l[l.length - 1] });
          })
        }
      >
        + Add {name} layer
      </button>
    </>
  );
}

/** The block the options make, in words. */
function transformerSummary(m: TransformerSpec): string {
  const norm = NORM_LABELS[m.norm];
  const mlp =
    m.mlpActivation === 'swiglu' ? 'SwiGLU MLP (⌈8d/3⌉)' : `${TRANSFORMER_ACTIVATION_LABELS[m.mlpActivation]} MLP (4×)`;
  const block =
    m.normPlacement === 'pre'
      ? `${norm} → causal self-attention → residual; ${norm} → ${mlp} → residual`
      : `causal self-attention → residual → ${norm}; ${mlp} → residual → ${norm}`;
  const positions = {
    learned: 'learned position embeddings added to the tokens',
    sinusoidal: 'fixed sinusoidal positions added to the tokens',
    rope: 'positions as rotations of queries and keys (RoPE)',
    alibi: 'no position vectors, but attention scores lowered in proportion to distance, at a slope per head (ALiBi)',
    none: 'no positions (only the causal mask orders the tokens)',
  }[m.position];
  return `Each block: ${block}. Token embeddings with ${positions} in; ${m.normPlacement === 'pre' ? `a final ${norm} and ` : ''}${m.tiedEmbeddings ? 'the token embedding, transposed, as the head' : 'a linear head'} out.`;
}

function TransformerEditor({
  model,
  errors,
  update,
  context,
}: {
  model: TransformerSpec;
  errors: Errors;
  update: Update;
  context: number;
}) {
  const edit = (change: (m: TransformerSpec) => void) => update((d) => change(transformerOf(d)));
  return (
    <>
      <div className="row">
        <NumberField
          label="Blocks"
          path="model.layers"
          value={model.layers}
          error={errors['model.layers']}
          hint={`${LIMITS.transformerLayers.min}–${LIMITS.transformerLayers.max}`}
          onChange={(v) =>
            update((d) => {
              transformerOf(d).layers = v;
            })
          }
        />
        <NumberField
          label="dModel"
          path="model.dModel"
          value={model.dModel}
          error={errors['model.dModel']}
          hint={`${LIMITS.dModel.min}–${LIMITS.dModel.max}`}
          onChange={(v) =>
            update((d) => {
              transformerOf(d).dModel = v;
            })
          }
        />
      </div>
      <div className="row">
        <NumberField
          label="Heads"
          path="model.heads"
          value={model.heads}
          error={errors['model.heads']}
          hint={
            Number.isFinite(model.dModel / model.heads) && model.dModel % model.heads === 0
              ? `${model.dModel / model.heads} dims per head`
              : 'must divide dModel'
          }
          onChange={(v) =>
            update((d) => {
              transformerOf(d).heads = v;
            })
          }
        />
        <NumberField
          label="Dropout"
          path="model.dropout"
          value={model.dropout}
          error={errors['model.dropout']}
          onChange={(v) =>
            update((d) => {
              transformerOf(d).dropout = v;
            })
          }
        />
      </div>
      <div className="row">
        <SelectField
          label="Position encoding"
          {...choice(model, 'position', POSITION_ENCODINGS, POSITION_LABELS, errors, edit)}
        />
        <SelectField
          label="MLP activation"
          {...choice(model, 'mlpActivation', TRANSFORMER_ACTIVATIONS, TRANSFORMER_ACTIVATION_LABELS, errors, edit)}
        />
      </div>
      <div className="row">
        <SelectField label="Normalisation" {...choice(model, 'norm', NORMS, NORM_LABELS, errors, edit)} />
        <SelectField
          label="Norm placement"
          {...choice(model, 'normPlacement', NORM_PLACEMENTS, NORM_PLACEMENT_LABELS, errors, edit)}
        />
      </div>
      <div className="row">
        <NumberField
          label="Attention dropout"
          path="model.attentionDropout"
          value={model.attentionDropout}
          error={errors['model.attentionDropout']}
          hint="on the attention weights"
          onChange={(v) =>
            update((d) => {
              transformerOf(d).attentionDropout = v;
            })
          }
        />
        <CheckField
          label="Tied embeddings"
          path="model.tiedEmbeddings"
          hint="the head reuses the token embedding"
          checked={model.tiedEmbeddings}
          onChange={(v) =>
            update((d) => {
              transformerOf(d).tiedEmbeddings = v;
            })
          }
        />
      </div>
      <p className="muted small" data-testid="transformer-summary">
        {transformerSummary(model)} Context: {context} tokens (set by the data).
      </p>
    </>
  );
}

/** Parameters and FLOPs per layer: per example forward and backward, and per epoch as this experiment trains. */
function CostTable({ cost, plan, unit }: { cost: ModelCost; plan: EpochPlan; unit: string }) {
  const perEpoch = cost.layers.map((l) => layerEpochFlops(l, plan.trained, evaluatedExamples(plan)));
  const epochTotal = perEpoch.reduce((a, b) => a + b, 0);
  return (
    <>
      {/* Focusable, so a keyboard can scroll it where a long layer name still makes it too wide. */}
      <div className="cost-table-wrap" role="region" aria-label="Parameters and FLOPs per layer" tabIndex={0}>
        <table className="cost-table" data-testid="cost-table">
          <caption>
            FLOPs per {unit}: forward, backward (≈ 2× forward, 1× where the input is data); and per epoch
          </caption>
          <thead>
            <tr>
              <th scope="col">Layer</th>
              <th scope="col">Params</th>
              <th scope="col" title={`forward FLOPs per ${unit}`}>
                Fwd
              </th>
              <th scope="col" title="weight gradients, and input gradients where the input is not data">
                Bwd
              </th>
              <th scope="col">Epoch</th>
            </tr>
          </thead>
          <tbody>
            {cost.layers.map((l, i) => (
              <tr key={l.name}>
                <td>{l.name}</td>
                <td>{formatCount(l.params)}</td>
                <td>{formatCount(l.forwardFlops)}</td>
                <td>{formatCount(l.backwardFlops)}</td>
                <td>{formatCount(perEpoch[i])}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <td>Total</td>
              <td>{formatCount(cost.params)}</td>
              <td>{formatCount(cost.forwardFlops)}</td>
              <td>{formatCount(cost.backwardFlops)}</td>
              <td>{formatCount(epochTotal)}</td>
            </tr>
          </tfoot>
        </table>
      </div>
      <div className="totals" data-testid="param-total">
        Total <strong>{cost.params.toLocaleString('en-US')}</strong> parameters · {formatCount(cost.forwardFlops)} FLOPs
        forward per {unit} · {formatCount(epochTotal)} FLOPs per epoch ({plan.trained.toLocaleString('en-US')} trained,{' '}
        {evaluatedExamples(plan).toLocaleString('en-US')} evaluated)
      </div>
    </>
  );
}

/** The memory a run needs, part by part, against what its backend can be given. */
function MemoryLine({ costs, error }: { costs: ModelCosts; error?: string }) {
  const m = costs.memory!;
  return (
    <div className={`totals memory${error ? ' field-invalid' : ''}`} data-field="memory" data-testid="memory-estimate">
      Memory ≈ <strong>{formatMemory(m.total)}</strong> on {costs.backend} (at most{' '}
      {formatMemory(MEMORY_BUDGET[costs.backend])}): parameters {formatMemory(m.parameters)}, gradients{' '}
      {formatMemory(m.gradients)}, optimizer state {formatMemory(m.optimizer)}, one batch&apos;s activations{' '}
      {formatMemory(m.activations)}, data {formatMemory(m.data)}.
      {error && (
        <div className="field-error" role="alert">
          {error}
        </div>
      )}
    </div>
  );
}

function tableOutputText(plan: TablePlan | null, loss: string): string {
  if (!plan) return 'your target column';
  if (plan.task === 'multiclass') return `${plan.classes!.length} units, softmax + ${loss}`;
  return plan.task === 'binary'
    ? `1 unit, sigmoid + ${loss}`
    : '1 unit, linear + mean squared error (standardised target)';
}

export const ModelPanel = memo(function ModelPanel({ errors, costs }: { errors: Errors; costs: ModelCosts }) {
  const spec = useSpecStore((s) => s.spec);
  const update = useSpecStore((s) => s.update);
  const kind = spec.dataset.kind;
  const model = spec.model;
  const tablePlan = useTablePlan(spec);
  const { shape, cost } = costs;
  const plane = isPlane(kind);
  const inputText =
    model.kind === 'mlp'
      ? plane
        ? `${spec.dataset.features.length} feature${spec.dataset.features.length === 1 ? '' : 's'}`
        : isSeries(kind)
          ? `${spec.dataset.contextLength} past values`
          : kind === 'userTable'
            ? tablePlan?.ok
              ? `${tablePlan.value.inputNames.length} columns of your table (after one-hot)`
              : 'your table’s columns'
            : '784 pixels'
      : shape?.kind === 'sequence'
        ? shape.vocab
          ? `${shape.length} tokens from ${shape.vocab} symbols`
          : `${shape.length} values, one per step`
        : 'tokens';
  const mlpLoss = model.kind === 'mlp' && model.classificationLoss === 'mse' ? 'squared error' : 'cross-entropy';
  const outputText =
    model.kind === 'mlp'
      ? kind === 'userTable'
        ? tableOutputText(tablePlan?.ok ? tablePlan.value : null, mlpLoss)
        : kind === 'mnist'
          ? `10 units, softmax + ${mlpLoss}`
          : isClassification(kind)
            ? `1 unit, sigmoid + ${mlpLoss}`
            : '1 unit, linear + mean squared error'
      : isSeries(kind)
        ? 'the next value from the last step, mean squared error'
        : 'next-token logits at every position, softmax + cross-entropy';
  return (
    <Panel title={`Model · ${model.kind === 'lstm' ? `Recurrent · ${modelName(model)}` : MODEL_TITLES[model.kind]}`}>
      <SelectField
        label="Model"
        path="model.kind"
        value={model.kind}
        error={errors['model.kind']}
        options={modelsFor(kind).map((k) => ({ value: k, label: MODEL_TITLES[k] }))}
        onChange={(v) =>
          update((d) => {
            switchModel(d, v);
          })
        }
      />
      {!modelsFor(kind).includes(model.kind) && (
        <p className="muted small">{MODEL_LABELS[model.kind]} does not fit this data.</p>
      )}
      <div className="layer layer-io">
        <span>Input</span>
        <span>{inputText}</span>
      </div>
      {model.kind === 'mlp' && (
        <MlpEditor
          model={model}
          errors={errors}
          update={update}
          cost={cost}
          classification={
            kind === 'userTable'
              ? tablePlan?.ok === true && tablePlan.value.task !== 'regression'
              : isClassification(kind)
          }
        />
      )}
      {model.kind === 'lstm' && <LstmEditor model={model} errors={errors} update={update} tokens={!isSeries(kind)} />}
      {model.kind === 'transformer' && (
        <TransformerEditor model={model} errors={errors} update={update} context={sequenceLength(spec.dataset)} />
      )}
      <div className="layer layer-io">
        <span>Output</span>
        <span>{outputText}</span>
      </div>
      {cost && costs.plan ? (
        <CostTable cost={cost} plan={costs.plan} unit={model.kind === 'mlp' ? 'example' : 'sequence'} />
      ) : (
        <div className="totals" data-testid="param-total">
          {Object.keys(errors).length
            ? 'Fix the highlighted fields to see parameter counts and FLOPs.'
            : 'Parameter counts and FLOPs appear once your data is added.'}
        </div>
      )}
      {costs.memory && <MemoryLine costs={costs} error={errors.memory} />}
    </Panel>
  );
});
