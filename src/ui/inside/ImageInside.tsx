// Inside an image model, for one image (a validation image or one drawn here): what it predicts, which pixels
// sway it (saliency), and for a CNN its filters, every layer's feature maps (hover a unit: the input pixels it
// sees), and one convolution value worked out by hand. Asked for again after every epoch, so it redraws as it learns.
import { memo, useCallback, useEffect, useMemo, useState } from 'react';
import { IMAGE_CLASS_NAMES, imageShapeOf, modelName, exampleCounts } from '../../experiment';
import { receptiveField, type ImageShape, type PixelBox } from '../../experiment/cnn';
import { convStep } from '../../engine/convStep';
import type { FeatureMap, ImageLook, ImageSource } from '../../engine/types';
import { hasModel, useRunStore, type Run } from '../../state/runStore';
import { divergingColor } from '../colors';
import { Panel } from '../fields';
import { DrawDigit } from './DrawDigit';
import { imageColor, PixelCanvas, type Rgb } from './PixelCanvas';

/** At most this many channels of a layer are drawn (the rest are counted). */
const CHANNELS_SHOWN = 16;

const maxAbs = (values: ArrayLike<number>) => {
  let m = 1e-9;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
  return m;
};

/** Signed values: orange negative, blue positive, scaled by the largest magnitude. */
const signed = (scale: number) => (v: number) => divergingColor((v / scale + 1) / 2);

function Prediction({ look, classes }: { look: ImageLook; classes: string[] }) {
  const top = Array.from(look.probabilities, (p, i) => ({ p, i }))
    .sort((a, b) => b.p - a.p)
    .slice(0, 3);
  return (
    <div className="prediction" data-testid="image-prediction">
      <div className="small muted">
        {look.index !== null ? `Validation image ${look.index + 1}` : 'Your drawing'}
        {look.label !== null && ` · true class ${classes[look.label]}`}
      </div>
      <ol className="top-classes">
        {top.map(({ p, i }) => (
          <li key={i}>
            <span className="class-name">{classes[i]}</span>
            <span className="bar" style={{ width: `${Math.round(p * 100)}%` }} />
            <span className="pct">{(p * 100).toFixed(1)}%</span>
          </li>
        ))}
      </ol>
    </div>
  );
}

function FeatureMaps({
  map,
  onUnit,
  onPick,
}: {
  map: FeatureMap;
  onUnit: (at: { channel: number; row: number; col: number } | null) => void;
  onPick?: (at: { channel: number; row: number; col: number }) => void;
}) {
  const scale = Math.max(2, Math.floor(56 / map.height));
  const range = useMemo(() => maxAbs(map.values), [map]);
  const channels = Math.min(map.channels, CHANNELS_SHOWN);
  return (
    <div className="feature-layer">
      <h4 className="small">
        {map.name} · {map.height}×{map.width}×{map.channels}
        {map.channels > channels ? ` (first ${channels} shown)` : ''}
      </h4>
      <div className="maps">
        {Array.from({ length: channels }, (_, ch) => (
          <PixelCanvas
            key={ch}
            height={map.height}
            width={map.width}
            scale={scale}
            label={`${map.name}, channel ${ch + 1}`}
            color={(r, c) => signed(range)(map.values[(r * map.width + c) * map.channels + ch])}
            onPixel={(at) => onUnit(at && { channel: ch, ...at })}
            onPick={onPick && ((at) => onPick({ channel: ch, ...at }))}
          />
        ))}
      </div>
    </div>
  );
}

function Filters({ filters }: { filters: ImageLook['filters'] }) {
  return (
    <>
      {filters.map((f, n) => {
        const scale = signed(maxAbs(f.weights));
        const shown = Math.min(f.out, CHANNELS_SHOWN);
        // The first layer's filters each as one image (the mean over its input channels); deeper ones per input channel.
        const inputs = n === 0 ? 1 : Math.min(f.in, 8);
        const at = (o: number, i: number, r: number, c: number) =>
          f.weights[((o * f.in + i) * f.kernel + r) * f.kernel + c];
        return (
          <div key={f.name} className="feature-layer">
            <h4 className="small">
              {f.name}: {f.out} filters of {f.kernel}×{f.kernel}
              {n === 0 ? (f.in > 1 ? ` (mean over ${f.in} channels)` : '') : ` × ${f.in} input channels`}
              {f.out > shown || f.in > inputs ? ' (part shown)' : ''}
            </h4>
            <div className={n === 0 ? 'maps' : 'filter-grid'}>
              {Array.from({ length: shown }, (_, o) => (
                <span key={o} className="filter-row">
                  {Array.from({ length: inputs }, (_, i) => (
                    <PixelCanvas
                      key={i}
                      height={f.kernel}
                      width={f.kernel}
                      scale={n === 0 ? 8 : 3}
                      label={`${f.name}, filter ${o + 1}${n === 0 ? '' : `, input ${i + 1}`}`}
                      color={(r, c) =>
                        scale(
                          n === 0
                            ? Array.from({ length: f.in }, (_, k) => at(o, k, r, c)).reduce((a, b) => a + b, 0) / f.in
                            : at(o, i, r, c),
                        )
                      }
                    />
                  ))}
                </span>
              ))}
            </div>
          </div>
        );
      })}
    </>
  );
}

/** One output value of the first convolution as the sum of kernel × window products. */
function ConvStepView({
  look,
  image,
  unit,
}: {
  look: ImageLook;
  image: ImageShape;
  unit: { channel: number; row: number; col: number };
}) {
  const conv = look.firstConv!;
  const input = { ...image, values: look.input };
  const step = convStep(input, conv, unit.channel, unit.row, unit.col);
  const framework = conv.z.values[(unit.row * conv.z.width + unit.col) * conv.z.channels + unit.channel];
  const w = step.windows[0];
  const k = conv.kernel;
  return (
    <div className="conv-step" data-testid="conv-step">
      <p className="small">
        Filter {unit.channel + 1} at row {unit.row + 1}, column {unit.col + 1} of {conv.z.height}×{conv.z.width}: each
        weight times the pixel under it{step.windows.length > 1 ? ` (channel 1 of ${step.windows.length} shown)` : ''},
        summed, plus the bias.
      </p>
      <table className="step-table">
        <tbody>
          {Array.from({ length: k }, (_, r) => (
            <tr key={r}>
              {Array.from({ length: k }, (_, c) => (
                <td
                  key={c}
                  title={`weight ${w.weights[r * k + c].toFixed(4)} × pixel ${w.inputs[r * k + c].toFixed(3)}`}
                >
                  {(w.weights[r * k + c] * w.inputs[r * k + c]).toFixed(3)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="small" data-testid="conv-step-sum">
        Σ products {(step.sum - step.bias).toFixed(5)} + bias {step.bias.toFixed(5)} ={' '}
        <strong>{step.sum.toFixed(5)}</strong>; the framework computed {framework.toFixed(5)} (difference{' '}
        {Math.abs(step.sum - framework).toExponential(1)})
      </p>
    </div>
  );
}

/** Filter 1's largest value: where the step view starts (a corner of padding would show only zeros). */
function strongestUnit(z: FeatureMap): { channel: number; row: number; col: number } {
  let best = 0;
  for (let p = 1; p < z.height * z.width; p++) if (z.values[p * z.channels] > z.values[best * z.channels]) best = p;
  return { channel: 0, row: Math.floor(best / z.width), col: best % z.width };
}

/** What to look at: a validation image by number, or a drawing. */
function useLook(run: Run) {
  const lookAtImage = useRunStore((s) => s.lookAtImage);
  const [source, setSource] = useState<ImageSource>({ validation: 0 });
  const epochs = run.epochs.length;
  const available = hasModel(run);
  useEffect(() => {
    if (available) lookAtImage(run.id, source);
  }, [run.id, source, epochs, available, lookAtImage]);
  return { source, setSource, look: run.asked.image ?? null, error: run.asked.error, available };
}

export const ImageInside = memo(function ImageInside({ run }: { run: Run }) {
  const { source, setSource, look, error, available } = useLook(run);
  const [unit, setUnit] = useState<{ layer: number; channel: number; row: number; col: number } | null>(null);
  const [picked, setPicked] = useState<{ channel: number; row: number; col: number } | null>(null);
  const spec = run.spec;
  const image = imageShapeOf(spec.dataset)!;
  // Your own images' classes are their folders, which the run's views carry (the spec does not).
  const classes =
    run.views.classes?.labels ??
    IMAGE_CLASS_NAMES[spec.dataset.kind] ??
    Array.from({ length: look?.probabilities.length ?? 10 }, (_, i) => String(i));
  const confusion = run.views.classes?.confusion;
  const validation = confusion ? confusion.reduce((a, b) => a + b, 0) : exampleCounts(spec.dataset).validation;
  // Drawing makes a 28×28 grey digit, centred as MNIST's are: for models of such images only.
  const drawable = image.channels === 1 && image.height === 28 && image.width === 28;
  const cnn = spec.model.kind === 'cnn' ? spec.model : null;
  const field: PixelBox | null = useMemo(
    () => (cnn && unit ? receptiveField(cnn.layers, unit.layer, unit.row, unit.col, image) : null),
    [cnn, unit, image],
  );
  const onDigit = useCallback((pixels: Float32Array | null) => pixels && setSource({ pixels }), [setSource]);
  const index = 'validation' in source ? source.validation : null;
  const saliencyScale = look ? maxAbs(look.saliency) : 1;
  return (
    <Panel title={`Inside the network · ${modelName(spec.model)} on images`}>
      {!available ? (
        <p className="muted">Train (or keep a run’s model) to look inside it.</p>
      ) : (
        <>
          <div className="image-source row">
            <div>
              <span className="small">Validation image </span>
              <button
                type="button"
                aria-label="Previous validation image"
                disabled={index === null || index === 0}
                onClick={() => setSource({ validation: (index ?? 1) - 1 })}
              >
                ◀
              </button>{' '}
              <span data-testid="image-index">{index === null ? '—' : `${index + 1} of ${validation}`}</span>{' '}
              <button
                type="button"
                aria-label="Next validation image"
                disabled={index !== null && index >= validation - 1}
                onClick={() => setSource({ validation: index === null ? 0 : index + 1 })}
              >
                ▶
              </button>
            </div>
            {drawable && (
              <div>
                <span className="small">
                  or draw {spec.dataset.kind === 'mnist' || spec.dataset.kind === 'mnistFull' ? 'a digit' : 'something'}
                  :
                </span>
                <DrawDigit onDigit={onDigit} />
              </div>
            )}
          </div>
          {error && <p className="field-error">{error}</p>}
          {!look && !error && (
            <p className="muted small" role="status">
              Opening the model and passing the image through it…
            </p>
          )}
          {look && (
            <>
              <div className="row image-look">
                <figure>
                  <PixelCanvas
                    height={image.height}
                    width={image.width}
                    scale={4}
                    label="The input image"
                    color={(r, c) =>
                      imageColor(
                        look.input,
                        (r * image.width + c) * image.channels,
                        image.channels,
                        spec.dataset.kind !== 'userImages',
                      )
                    }
                    outline={field}
                  />
                  <figcaption className="small">
                    Input{field ? ': the outlined pixels are what the unit sees' : ''}
                  </figcaption>
                </figure>
                <figure>
                  <PixelCanvas
                    height={image.height}
                    width={image.width}
                    scale={4}
                    label={`Saliency for class ${classes[look.saliencyClass]}`}
                    color={(r, c): Rgb => {
                      const v = look.saliency[r * image.width + c] / saliencyScale;
                      return divergingColor(0.5 + v / 2);
                    }}
                  />
                  <figcaption className="small">
                    Saliency for {classes[look.saliencyClass]}: |∂ score / ∂ pixel|
                  </figcaption>
                </figure>
                <Prediction look={look} classes={classes} />
              </div>
              {cnn && (
                <>
                  <h3 className="subhead">Filters</h3>
                  <Filters filters={look.filters} />
                  <h3 className="subhead">Feature maps</h3>
                  <p className="small muted">
                    Hover a unit to outline the input pixels it sees (its receptive field); click one in the first layer
                    to work out its value by hand.
                  </p>
                  {look.maps.map((map, layer) => (
                    <FeatureMaps
                      key={map.name}
                      map={map}
                      onUnit={(at) => setUnit(at && { layer, ...at })}
                      onPick={layer === 0 && look.firstConv ? setPicked : undefined}
                    />
                  ))}
                  {look.firstConv && (
                    <ConvStepView look={look} image={image} unit={picked ?? strongestUnit(look.firstConv.z)} />
                  )}
                </>
              )}
            </>
          )}
        </>
      )}
    </Panel>
  );
});
