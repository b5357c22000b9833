// The person's own text in the Data panel: pasted or uploaded, checked, and kept in this browser (never in links).
import { useState } from 'react';
import { useTextStore } from '../state/textStore';
import { USER_TEXT_LIMITS } from '../data/text';

export function UserText() {
  const { text, source, problem, vocab, storageNote, set } = useTextStore();
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
    set(await file.text(), file.name);
  };
  // Nothing given yet is asked for, not flagged (the control bar asks too).
  const error = readError ?? (text.trim() === '' ? null : problem);
  return (
    <div className={`field user-text${error ? ' field-invalid' : ''}`} data-field="dataset.text">
      <label htmlFor="user-text">Your text</label>
      <textarea
        id="user-text"
        name="dataset.text"
        rows={5}
        value={text}
        spellCheck={false}
        placeholder={`Paste at least ${USER_TEXT_LIMITS.minChars.toLocaleString('en-US')} characters…`}
        onChange={(e) => void set(e.target.value, 'pasted')}
      />
      <div className="row">
        <label className="upload">
          Upload a .txt file{' '}
          <input type="file" accept=".txt,text/plain" onChange={(e) => void upload(e.target.files?.[0])} />
        </label>
      </div>
      {error ? (
        <div className="field-error" role="alert">
          {error}
        </div>
      ) : text.trim() === '' ? (
        <div className="field-hint">
          Paste at least {USER_TEXT_LIMITS.minChars.toLocaleString('en-US')} characters or upload a .txt file to train
          on your own text; it is kept in this browser, not in shared links.
        </div>
      ) : (
        <div className="field-hint">
          {text.length.toLocaleString('en-US')} characters, {vocab} distinct ({source}); kept in this browser, not in
          shared links.
        </div>
      )}
      {storageNote && <div className="field-hint">{storageNote}</div>}
    </div>
  );
}
