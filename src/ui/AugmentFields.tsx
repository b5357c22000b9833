// Image augmentation in the Data panel: how far images may shift and turn, whether they may be mirrored, and a
// preview of the first training images as training will change them (made by the worker with training's own code);
// and how far held-out images are moved, to test a model on shifted inputs.
import { useState } from 'react';
import { DIGIT_DATASETS, LIMITS, augments, type ExperimentSpec } from '../experiment';
import { useRunStore } from '../state/runStore';
import { useSpecStore } from '../state/specStore';
import type { AugmentPreview } from '../engine/types';
import { CheckField, NumberField } from './fields';
import { imageColor, PixelCanvas } from './inside/PixelCanvas';

function PreviewGrid({ preview, ink }: { preview: AugmentPreview; ink: boolean }) {
  const pixels = preview.height * preview.width * preview.channels;
  const image = (values: Float32Array, n: number, label: string) => (
    <PixelCanvas
      key={label}
      height={preview.height}
      width={preview.width}
      scale={2}
      label={label}
      color={(r, c) =>
        imageColor(values, n * pixels + (r * preview.width + c) * preview.channels, preview.channels, ink)
      }
    />
  );
  return (
    <div className="augment-preview" data-testid="augment-preview">
      <div className="small muted">As stored</div>
      <div className="maps">
        {Array.from({ length: preview.count }, (_, n) => image(preview.original, n, `Training image ${n + 1}`))}
      </div>
      <div className="small muted">As one batch sees them</div>
      <div className="maps">
        {Array.from({ length: preview.count }, (_, n) =>
          image(preview.augmented, n, `Training image ${n + 1}, augmented`),
        )}
      </div>
    </div>
  );
}

export function AugmentFields({ spec, errors }: { spec: ExperimentSpec; errors: Record<string, string> }) {
  const update = useSpecStore((s) => s.update);
  const previewAugment = useRunStore((s) => s.previewAugment);
  const [preview, setPreview] = useState<AugmentPreview | null>(null);
  const [waiting, setWaiting] = useState(false);
  const [draw, setDraw] = useState(1);
  const a = spec.dataset.augment;
  const digits = DIGIT_DATASETS.includes(spec.dataset.kind);
  const valid = !Object.keys(errors).some((f) => f.startsWith('dataset.'));
  const show = async () => {
    setWaiting(true);
    setPreview(await previewAugment(structuredClone(spec), draw));
    setDraw((d) => d + 1); // each look draws other changes
    setWaiting(false);
  };
  return (
    <>
      <fieldset className="augment" data-field="dataset.augment">
        <legend>Augmentation (training images only, seeded)</legend>
        <div className="row">
          <NumberField
            label="Shift (pixels)"
            path="dataset.augment.shift"
            value={a.shift}
            error={errors['dataset.augment.shift']}
            hint={`up to this many, across and down (${LIMITS.augmentShift.min}–${LIMITS.augmentShift.max})`}
            onChange={(v) => update((d) => void (d.dataset.augment.shift = v))}
          />
          <NumberField
            label="Rotation (°)"
            path="dataset.augment.rotation"
            value={a.rotation}
            error={errors['dataset.augment.rotation']}
            hint={`either way (${LIMITS.augmentRotation.min}–${LIMITS.augmentRotation.max})`}
            onChange={(v) => update((d) => void (d.dataset.augment.rotation = v))}
          />
          <CheckField
            label="Flip left–right"
            path="dataset.augment.flip"
            hint={digits ? 'off for digits: a mirrored 2 is not a 2' : 'half the images, mirrored'}
            checked={a.flip}
            disabled={digits}
            onChange={(v) => update((d) => void (d.dataset.augment.flip = v))}
          />
        </div>
        {errors['dataset.augment.flip'] && (
          <div className="field-error" role="alert">
            Flip: {errors['dataset.augment.flip']}
          </div>
        )}
        <button type="button" disabled={!valid || !augments(a) || waiting} onClick={() => void show()}>
          {waiting ? 'Preparing the preview…' : preview ? 'Show other changes' : 'Preview what the network sees'}
        </button>
        {preview && augments(a) && <PreviewGrid preview={preview} ink={spec.dataset.kind !== 'userImages'} />}
      </fieldset>
      {/* The other way round: held-out images moved, to see how a model trained on centred ones copes. */}
      <NumberField
        label="Shift held-out images (pixels)"
        path="dataset.shiftHeldOut"
        value={spec.dataset.shiftHeldOut}
        error={errors['dataset.shiftHeldOut']}
        hint="validation and test images moved up to this far (seeded), never training ones: does it cope?"
        onChange={(v) => update((d) => void (d.dataset.shiftHeldOut = v))}
      />
    </>
  );
}
