import { useState } from 'react';
import { hasModel, useRunStore, type Run } from '../../state/runStore';
import { useViewStore } from '../../state/viewStore';
import { DRAW_LIMITS, type DrawSettings } from '../../engine/sampling';
import { formatPerplexity } from '../format';
import { textUnit } from '../../experiment';
import { drawLabel, shownStream } from './sampledText';
import { DrawnText } from './DrawnText';

const TOP_K_CHOICES = [0, 1, 2, 3, 5, 10, 20, 50];

/** Temperature, top-k and top-p: how each epoch's sample and "Sample now" draw. */
function DrawControls({ token }: { token: string }) {
  const draw = useViewStore((s) => s.draw);
  const setView = useViewStore((s) => s.set);
  const change = (c: Partial<DrawSettings>) => setView({ draw: { ...draw, ...c } });
  return (
    <>
      <div className="row sampling">
        <label className="field">
          <span>Temperature {draw.temperature.toFixed(2)}</span>
          <input
            type="range"
            name="sampling.temperature"
            min={0}
            max={DRAW_LIMITS.maxTemperature}
            step={0.05}
            value={draw.temperature}
            onChange={(ev) => change({ temperature: Number(ev.target.value) })}
          />
        </label>
        <label className="field">
          <span>Top-k</span>
          <select name="sampling.topK" value={draw.topK} onChange={(ev) => change({ topK: Number(ev.target.value) })}>
            {TOP_K_CHOICES.map((k) => (
              <option key={k} value={k}>
                {k === 0 ? 'all' : k}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Top-p {draw.topP < 1 ? draw.topP.toFixed(2) : 'off'}</span>
          <input
            type="range"
            name="sampling.topP"
            min={0.05}
            max={1}
            step={0.05}
            value={draw.topP}
            onChange={(ev) => change({ topP: Number(ev.target.value) })}
          />
        </label>
      </div>
      <p className="small muted">
        Each epoch’s sample and Sample now draw this way. Temperature 0 always takes the likeliest {token}, higher is
        more surprising; top-k draws from the k likeliest only, top-p from the fewest likeliest that together reach p.
      </p>
    </>
  );
}

/** Text sampled from a language model after each epoch, how it is drawn, and sampling on demand, token by token. */
export function TextView({ run }: { run: Run }) {
  const draw = useViewStore((s) => s.draw);
  const sampleNow = useRunStore((s) => s.sampleNow);
  const [prompt, setPrompt] = useState('');
  const names = run.spec.dataset.kind === 'names';
  const live = hasModel(run);
  const recent = run.samples.slice(-3).reverse();
  const e = run.epochs.at(-1);
  const asked = run.asked.sample;
  const unit = textUnit(run.spec.dataset);
  const token = unit === 'char' ? 'character' : 'token';
  return (
    <div className="text-view">
      {e && (
        <p className="small" data-testid="lm-figures">
          Validation: <strong>{e.valLoss.toFixed(3)}</strong> nats/{unit} ({(e.valLoss / Math.LN2).toFixed(3)} bits) ·
          perplexity <strong>{formatPerplexity(e.valLoss)}</strong> · next-{token} accuracy{' '}
          {((e.valAccuracy ?? 0) * 100).toFixed(1)}%
          {e.valBitsPerByte ? (
            <>
              {' '}
              · <strong>{e.valBitsPerByte.toFixed(3)}</strong> bits per byte of text, comparable across tokens
            </>
          ) : null}
        </p>
      )}
      <DrawControls token={token} />
      {recent.length === 0 && <p className="muted">A sample of text appears after each epoch.</p>}
      {recent.map((s) => (
        <div key={s.epoch} className="sample" data-testid="text-sample">
          <div className="small muted">
            Epoch {s.epoch} · {drawLabel(s)}
          </div>
          <pre className="mono">{shownStream(s.text, names)}</pre>
        </div>
      ))}
      <div className="row">
        <div className="field">
          <label htmlFor="sample-prompt">Start the text with</label>
          <input
            id="sample-prompt"
            name="sampling.prompt"
            value={prompt}
            placeholder={names ? 'e.g. .ma' : 'e.g. The '}
            onChange={(ev) => setPrompt(ev.target.value)}
          />
        </div>
        <button
          type="button"
          disabled={!live}
          title={live ? undefined : 'This run kept no model (its weights were deleted, or it never finished an epoch)'}
          onClick={() => sampleNow(run.id, draw, prompt)}
        >
          Sample now
        </button>
      </div>
      {run.asked.error && (
        <div className="field-error" role="alert">
          {run.asked.error}
        </div>
      )}
      {asked && (
        <div className="sample" data-testid="asked-sample">
          <div className="small muted">
            On demand · {drawLabel(asked.draw)} · shaded by how unlikely the model found each {token}
          </div>
          <DrawnText prompt={asked.prompt} tokens={asked.tokens} names={names} />
        </div>
      )}
    </div>
  );
}
