// The CNN builder: convolution, pooling and residual layers with the shape each hands on and what it costs, the
// head, and the dense layers before the classifier. A layer that would shrink the image below 1×1 says so where it is.
import { ACTIVATIONS, LIMITS, cnnOf, type Activation, type ExperimentSpec } from '../experiment';
import {
  CNN_HEADS,
  CONV_PADDINGS,
  POOL_KINDS,
  cnnShapes,
  convLayer,
  poolLayer,
  type CnnHead,
  type CnnLayerSpec,
  type CnnSpec,
  type ConvLayerSpec,
  type ImageShape,
} from '../experiment/cnn';
import type { ModelCost } from '../engine/cost';
import { CheckField, formatCount, NumberField, SelectField } from './fields';
import { LayerRow, moveItem } from './LayerRow';
import { DenseFields } from './DenseFields';
import { ACTIVATION_LABELS, type Errors, type Update } from './modelChoices';

const HEAD_LABELS: Record<CnnHead, string> = {
  flatten: 'Flatten (every value)',
  globalAverage: 'Global average pooling (each channel’s mean)',
};

const LAYER_TITLES: Record<CnnLayerSpec['kind'], string> = { conv: 'Conv', pool: 'Pool', residual: 'Residual' };

/** What the builder adds: LeNet's kind of convolution and pooling, and ResNet's basic block. */
const NEW_LAYER: Record<CnnLayerSpec['kind'], () => CnnLayerSpec> = {
  conv: () => convLayer(8, 3),
  pool: () => poolLayer(2),
  residual: () => ({ kind: 'residual', filters: 16, stride: 1 }),
};

const shapeText = (s: ImageShape) => `${s.height}×${s.width}×${s.channels}`;

/** A layer's parameters and forward FLOPs per image. */
function costNote(cost: ModelCost | null, index: number): string | undefined {
  const c = cost?.layers[index];
  return c && `${formatCount(c.params)} params · ${formatCount(c.forwardFlops)} FLOPs per image`;
}

export function CnnEditor({
  model,
  image,
  errors,
  update,
  cost,
}: {
  model: CnnSpec;
  image: ImageShape;
  errors: Errors;
  update: Update;
  cost: ModelCost | null;
}) {
  const walked = cnnShapes(model.layers, image);
  const shapes = walked.ok ? walked.shapes : [];
  const edit = (change: (m: CnnSpec) => void) => update((d: ExperimentSpec) => change(cnnOf(d)));
  const layerField = <K extends string>(i: number, field: K) => ({
    path: `model.layers[${i}].${field}`,
    error: errors[`model.layers[${i}].${field}`],
  });
  const setLayer = (i: number, change: Partial<CnnLayerSpec>) =>
    edit((m) => {
      m.layers[i] = { ...m.layers[i], ...change } as CnnLayerSpec;
    });
  const full = model.layers.length >= LIMITS.cnnLayers.max;
  const denseFull = model.dense.length >= LIMITS.cnnDense.max;
  const headIndex = model.layers.length + (model.head === 'globalAverage' ? 1 : 0);
  return (
    <>
      <ol className="layers">
        {model.layers.map((layer, i) => {
          const title = `${LAYER_TITLES[layer.kind]} ${i + 1}`;
          const problem = errors[`model.layers[${i}]`];
          return (
            <LayerRow
              key={i}
              title={title}
              detail={shapes[i] ? `→ ${shapeText(shapes[i])}` : ''}
              note={costNote(cost, i)}
              index={i}
              count={model.layers.length}
              testId={`cnn-layer-${i}`}
              onMove={(to) => edit((m) => moveItem(m.layers, i, to))}
              onRemove={() => edit((m) => void m.layers.splice(i, 1))}
            >
              {layer.kind === 'conv' && <ConvFields layer={layer} index={i} field={layerField} set={setLayer} />}
              {layer.kind === 'pool' && (
                <div className="row">
                  <SelectField
                    label="Pooling"
                    {...layerField(i, 'pool')}
                    value={layer.pool}
                    options={POOL_KINDS.map((k) => ({ value: k, label: k === 'max' ? 'Max' : 'Average' }))}
                    onChange={(v) => setLayer(i, { pool: v })}
                  />
                  <NumberField
                    label="Window"
                    {...layerField(i, 'size')}
                    value={layer.size}
                    onChange={(v) => setLayer(i, { size: v })}
                  />
                  <NumberField
                    label="Stride"
                    {...layerField(i, 'stride')}
                    value={layer.stride}
                    onChange={(v) => setLayer(i, { stride: v })}
                  />
                </div>
              )}
              {layer.kind === 'residual' && (
                <div className="row">
                  <NumberField
                    label="Filters"
                    {...layerField(i, 'filters')}
                    value={layer.filters}
                    onChange={(v) => setLayer(i, { filters: v })}
                  />
                  <NumberField
                    label="Stride"
                    {...layerField(i, 'stride')}
                    value={layer.stride}
                    hint="two 3×3 convolutions with BatchNorm, plus the input"
                    onChange={(v) => setLayer(i, { stride: v })}
                  />
                </div>
              )}
              {problem && (
                <div className="field-error" role="alert">
                  {title}: {problem}
                </div>
              )}
            </LayerRow>
          );
        })}
      </ol>
      <div className="row add-layers">
        {(['conv', 'pool', 'residual'] as const).map((kind) => (
          <button
            key={kind}
            type="button"
            className="add-layer"
            disabled={full}
            title={full ? `At most ${LIMITS.cnnLayers.max} layers` : undefined}
            onClick={() => edit((m) => void m.layers.push(NEW_LAYER[kind]()))}
          >
            + {kind === 'conv' ? 'Conv' : kind === 'pool' ? 'Pool' : 'Residual'}
          </button>
        ))}
      </div>
      <SelectField
        label="Head"
        path="model.head"
        value={model.head}
        error={errors['model.head']}
        hint={
          walked.ok
            ? `${shapeText(shapes.at(-1) ?? image)} → ${cost?.layers[headIndex]?.inputs ?? '…'} values for the dense layers`
            : undefined
        }
        options={CNN_HEADS.map((h) => ({ value: h, label: HEAD_LABELS[h] }))}
        onChange={(v) => edit((m) => void (m.head = v))}
      />
      <ol className="layers">
        {model.dense.map((layer, j) => (
          <LayerRow
            key={j}
            title={`Dense ${j + 1}`}
            detail={cost?.layers[headIndex + j] ? `${formatCount(cost.layers[headIndex + j].params)} params` : ''}
            index={j}
            count={model.dense.length}
            testId={`cnn-dense-${j}`}
            onMove={(to) => edit((m) => moveItem(m.dense, j, to))}
            onRemove={() => edit((m) => void m.dense.splice(j, 1))}
          >
            <DenseFields
              path={`model.dense[${j}]`}
              layer={layer}
              errors={errors}
              onChange={(change) => edit((m) => void Object.assign(m.dense[j], change))}
            />
          </LayerRow>
        ))}
      </ol>
      <button
        type="button"
        className="add-layer"
        disabled={denseFull}
        title={denseFull ? `At most ${LIMITS.cnnDense.max} dense layers` : undefined}
        onClick={() => edit((m) => void m.dense.push({ units: 64, activation: 'relu', dropout: 0 }))}
      >
        + Dense layer
      </button>
    </>
  );
}

function ConvFields({
  layer,
  index: i,
  field,
  set,
}: {
  layer: ConvLayerSpec;
  index: number;
  field: (i: number, name: string) => { path: string; error: string | undefined };
  set: (i: number, change: Partial<ConvLayerSpec>) => void;
}) {
  return (
    <>
      <div className="row">
        <NumberField
          label="Filters"
          {...field(i, 'filters')}
          value={layer.filters}
          onChange={(v) => set(i, { filters: v })}
        />
        <NumberField
          label="Kernel"
          {...field(i, 'kernel')}
          value={layer.kernel}
          onChange={(v) => set(i, { kernel: v })}
        />
        <NumberField
          label="Stride"
          {...field(i, 'stride')}
          value={layer.stride}
          onChange={(v) => set(i, { stride: v })}
        />
      </div>
      <div className="row">
        <SelectField
          label="Padding"
          {...field(i, 'padding')}
          value={layer.padding}
          options={CONV_PADDINGS.map((p) => ({ value: p, label: p === 'same' ? 'Same' : 'Valid' }))}
          onChange={(v) => set(i, { padding: v })}
        />
        <SelectField
          label="Activation"
          {...field(i, 'activation')}
          value={layer.activation}
          options={ACTIVATIONS.map((a: Activation) => ({ value: a, label: ACTIVATION_LABELS[a] }))}
          onChange={(v) => set(i, { activation: v })}
        />
        <NumberField
          label="Dropout"
          {...field(i, 'dropout')}
          value={layer.dropout}
          onChange={(v) => set(i, { dropout: v })}
        />
      </div>
      <div className="row">
        <CheckField
          label="BatchNorm"
          path={field(i, 'batchNorm').path}
          checked={layer.batchNorm}
          onChange={(v) => set(i, { batchNorm: v })}
        />
      </div>
    </>
  );
}
