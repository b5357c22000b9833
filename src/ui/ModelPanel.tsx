import { memo } from 'react';
import { useSpecStore } from '../state/specStore';
import {
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
  imageShapeOf,
  isImage,
  isClassification,
  isPlane,
  isSeries,
  mlpOf,
  modelName,
  modelsFor,
  sequenceLength,
  type MlpSpec,
} from '../experiment';
import { type ModelCost } from '../engine/cost';
import type { TablePlan } from '../data/table';
import { useTablePlan } from './useTablePlan';
import type { ModelCosts } from './useModelCost';
import { CheckField, formatCount, NumberField, Panel, SelectField } from './fields';
import { choice, INIT_HINTS, type Errors, type Update } from './modelChoices';
import { LstmEditor, TransformerEditor } from './SequenceModelEditors';
import { CostTable, MemoryLine } from './ModelCost';
import { LayerRow, moveItem } from './LayerRow';
import { CnnEditor } from './CnnEditor';
import { DenseFields } from './DenseFields';

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
          <LayerRow
            key={i}
            title={`Dense ${i + 1}`}
            detail={cost ? `${formatCount(cost.layers[i].params)} params` : ''}
            index={i}
            count={hidden.length}
            testId={`layer-${i}`}
            onMove={(to) => update((d) => moveItem(mlpOf(d).hidden, i, to))}
            onRemove={() =>
              update((d) => {
                mlpOf(d).hidden.splice(i, 1);
              })
            }
          >
            <DenseFields
              path={`model.hidden[${i}]`}
              layer={layer}
              errors={errors}
              onChange={(change) => update((d) => void Object.assign(mlpOf(d).hidden[i], change))}
            />
          </LayerRow>
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
  const image = imageShapeOf(spec.dataset);
  const classes = shape?.kind === 'tabular' && image ? `${shape.outputDim} units` : 'one unit per class';
  const inputText =
    model.kind === 'cnn'
      ? image
        ? `${image.height}×${image.width} images, ${image.channels === 1 ? 'grey' : `${image.channels} channels`}`
        : 'images'
      : model.kind === 'mlp'
        ? plane
          ? `${spec.dataset.features.length} feature${spec.dataset.features.length === 1 ? '' : 's'}`
          : isSeries(kind)
            ? `${spec.dataset.contextLength} past values`
            : kind === 'userTable'
              ? tablePlan?.ok
                ? `${tablePlan.value.inputNames.length} columns of your table (after one-hot)`
                : 'your table’s columns'
              : image
                ? `${(image.height * image.width * image.channels).toLocaleString('en-US')} pixel values`
                : '784 pixels'
        : shape?.kind === 'sequence'
          ? shape.vocab
            ? `${shape.length} tokens from ${shape.vocab} symbols`
            : `${shape.length} values, one per step`
          : 'tokens';
  const mlpLoss = model.kind === 'mlp' && model.classificationLoss === 'mse' ? 'squared error' : 'cross-entropy';
  const outputText =
    model.kind === 'cnn'
      ? `${classes}, softmax + cross-entropy`
      : model.kind === 'mlp'
        ? kind === 'userTable'
          ? tableOutputText(tablePlan?.ok ? tablePlan.value : null, mlpLoss)
          : isImage(kind)
            ? `${classes}, softmax + ${mlpLoss}`
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
      {model.kind === 'cnn' && image && (
        <CnnEditor model={model} image={image} errors={errors} update={update} cost={cost} />
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
        <CostTable
          cost={cost}
          plan={costs.plan}
          unit={model.kind === 'mlp' ? 'example' : model.kind === 'cnn' ? 'image' : 'sequence'}
        />
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
