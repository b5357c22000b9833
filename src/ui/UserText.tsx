// The person's own text in the Data panel: pasted or uploaded (up to 50 MB, counted in the file-reading worker
// with progress), its size and alphabet shown, checked against the model that reads it, and kept in this browser
// (never in links).
import { useState } from 'react';
import { textProblemFor, useTextStore } from '../state/textStore';
import { USER_TEXT_LIMITS } from '../data/text';
import { formatMemory } from '../engine/memoryEstimate';
import type { TokenizerSpec } from '../experiment';

/** A character as the alphabet line shows it: white space by name, so it can be seen (and read out). */
const shownChar = (c: string) => ({ ' ': 'space', '\n': 'newline', '\t': 'tab', '\r': 'return' })[c] ?? c;

export function UserText({ tokenizer }: { tokenizer: TokenizerSpec['kind'] }) {
  const { preview, whole, given, source, stats, reading, storageNote, set } = useTextStore();
  const problem = useTextStore((s) => textProblemFor(s, tokenizer));
  const [readError, setReadError] = useState<string | null>(null);
  const upload = async (file: File | undefined) => {
    if (!file) return;
    if (file.size > USER_TEXT_LIMITS.maxBytes) {
      setReadError(
        `Your text: ${file.name} is ${(file.size / 1e6).toFixed(1)} MB, over the ${USER_TEXT_LIMITS.maxBytes / 1e6} MB limit.`,
      );
      return;
    }
    setReadError(null);
    // Counted in the file-reading worker, with progress; the page stays free meanwhile.
    await set(file, file.name);
  };
  // Nothing given yet is asked for, not flagged (the control bar asks too); while it is counted, the progress says so.
  const error = reading !== null ? null : (readError ?? (given ? problem : null));
  return (
    <div className={`field user-text${error ? ' field-invalid' : ''}`} data-field="dataset.text">
      <label htmlFor="user-text">Your text</label>
      <textarea
        id="user-text"
        name="dataset.text"
        rows={5}
        value={preview}
        readOnly={!whole} // a big text shows only its start, which cannot be edited
        spellCheck={false}
        placeholder={`Paste at least ${USER_TEXT_LIMITS.minChars.toLocaleString('en-US')} characters…`}
        onChange={(e) => void set(e.target.value, 'pasted')}
      />
      <div className="row">
        <label className="upload">
          Upload a .txt file (up to {USER_TEXT_LIMITS.maxBytes / 1e6} MB){' '}
          <input type="file" accept=".txt,text/plain" onChange={(e) => void upload(e.target.files?.[0])} />
        </label>
        {!whole && (
          <button type="button" onClick={() => void set('', 'pasted')}>
            Clear, to paste instead
          </button>
        )}
      </div>
      {reading !== null && (
        <div className="field-hint" role="status">
          <progress max={1} value={reading} aria-label="Reading your text" /> Reading your text ({source}):{' '}
          {Math.round(reading * 100)}%
        </div>
      )}
      {error && (
        <div className="field-error" role="alert">
          {error}
        </div>
      )}
      {!given ? (
        <div className="field-hint">
          Paste at least {USER_TEXT_LIMITS.minChars.toLocaleString('en-US')} characters or upload a .txt file to train
          on your own text; it is kept in this browser, not in shared links.
        </div>
      ) : (
        stats && (
          <div className="field-hint" data-testid="user-text-stats">
            {formatMemory(stats.bytes)}, {stats.chars.toLocaleString('en-US')} characters,{' '}
            {stats.distinct.toLocaleString('en-US')} distinct ({source}){!whole && '; the box shows its start'}; kept in
            this browser, not in shared links. Most used:{' '}
            <span className="mono">{stats.commonest.map(shownChar).join(' ')}</span>
          </div>
        )
      )}
      {storageNote && <div className="field-hint">{storageNote}</div>}
    </div>
  );
}
