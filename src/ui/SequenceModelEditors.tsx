// The builders of the sequence models: the recurrent network (LSTM, GRU, vanilla RNN) and the transformer.
import {
  CELL_LABELS,
  NORMS,
  NORM_LABELS,
  NORM_PLACEMENTS,
  NORM_PLACEMENT_LABELS,
  POSITION_ENCODINGS,
  POSITION_LABELS,
  TRANSFORMER_ACTIVATIONS,
  TRANSFORMER_ACTIVATION_LABELS,
  LIMITS,
  lstmOf,
  modelName,
  RECURRENT_CELLS,
  transformerOf,
  type LstmSpec,
  type TransformerSpec,
} from '../experiment';
import { CheckField, NumberField, SelectField } from './fields';

import { CELL_HINTS, choice, type Errors, type Update } from './modelChoices';

export function LstmEditor({
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

export function TransformerEditor({
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
