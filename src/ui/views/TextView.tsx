import { useState } from 'react';
import { hasModel, useRunStore, type Run } from '../../state/runStore';
import { useViewStore } from '../../state/viewStore';
import { formatPerplexity } from '../format';

/** Names are sampled as one stream ".anna.bob."; show them as a list of names. */
function shown(text: string, names: boolean): string {
  return names ? text.split('.').filter(Boolean).join(', ') : text;
}

/** Text sampled from a language model after each epoch, a temperature control, and sampling on demand. */
export function TextView({ run }: { run: Run }) {
  const temperature = useViewStore((s) => s.temperature);
  const setView = useViewStore((s) => s.set);
  const sampleNow = useRunStore((s) => s.sampleNow);
  const [prompt, setPrompt] = useState('');
  const names = run.spec.dataset.kind === 'names';
  const live = hasModel(run);
  const recent = run.samples.slice(-3).reverse();
  const e = run.epochs.at(-1);
  return (
    <div className="text-view">
      {e && (
        <p className="small" data-testid="lm-figures">
          Validation: <strong>{e.valLoss.toFixed(3)}</strong> nats/char ({(e.valLoss / Math.LN2).toFixed(3)} bits) ·
          perplexity <strong>{formatPerplexity(e.valLoss)}</strong> · next-character accuracy{' '}
          {((e.valAccuracy ?? 0) * 100).toFixed(1)}%
        </p>
      )}
      <div className="row sampling">
        <label className="field">
          <span>Temperature {temperature.toFixed(2)}</span>
          <input
            type="range"
            name="sampling.temperature"
            min={0}
            max={2}
            step={0.05}
            value={temperature}
            onChange={(ev) => setView({ temperature: Number(ev.target.value) })}
          />
        </label>
      </div>
      <p className="small muted">
        Each epoch’s sample uses this temperature (0: always the likeliest character; higher: more surprising).
      </p>
      {recent.length === 0 && <p className="muted">A sample of text appears after each epoch.</p>}
      {recent.map((s) => (
        <div key={s.epoch} className="sample" data-testid="text-sample">
          <div className="small muted">
            Epoch {s.epoch} · temperature {s.temperature}
          </div>
          <pre className="mono">{shown(s.text, names)}</pre>
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
          onClick={() => sampleNow(run.id, temperature, prompt)}
        >
          Sample now
        </button>
      </div>
      {run.asked.error && (
        <div className="field-error" role="alert">
          {run.asked.error}
        </div>
      )}
      {run.asked.sample && (
        <div className="sample" data-testid="asked-sample">
          <div className="small muted">On demand · temperature {run.asked.sample.temperature}</div>
          <pre className="mono">{shown(run.asked.sample.text, names)}</pre>
        </div>
      )}
    </div>
  );
}
