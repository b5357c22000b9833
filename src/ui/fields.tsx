// The builder's form fields: a label, the input, and the validation message that names the field.
import { useId, useState, type ReactNode } from 'react';

interface FieldProps {
  label: string;
  /** Spec path, e.g. "training.batchSize": names the input for tests and error lookup. */
  path: string;
  error?: string;
  hint?: string;
}

function FieldFrame({ label, path, error, hint, id, children }: FieldProps & { id: string; children: ReactNode }) {
  return (
    <div className={`field${error ? ' field-invalid' : ''}`} data-field={path}>
      <label htmlFor={id}>{label}</label>
      {children}
      {error ? (
        <div className="field-error" role="alert" id={`${id}-error`}>
          {label}: {error}
        </div>
      ) : hint ? (
        <div className="field-hint">{hint}</div>
      ) : null}
    </div>
  );
}

/**
 * A number input that keeps what the person typed: an unparsable entry is stored as NaN, so
 * validation can name the field, and the text is not thrown away under their cursor.
 */
export function NumberField(props: FieldProps & { value: number; step?: number; onChange: (v: number) => void }) {
  const id = useId();
  const [text, setText] = useState(() => String(props.value));
  // Follow outside changes (a reset, a shared link) unless the text already means this value;
  // adjusted while rendering (React's pattern for state that follows a prop), not in an effect.
  const [outside, setOutside] = useState(props.value);
  if (!Object.is(outside, props.value)) {
    setOutside(props.value);
    if (!Object.is(parse(text), props.value)) setText(String(props.value));
  }
  return (
    <FieldFrame {...props} id={id}>
      <input
        id={id}
        name={props.path}
        inputMode="decimal"
        value={text}
        aria-invalid={!!props.error}
        aria-describedby={props.error ? `${id}-error` : undefined}
        onChange={(e) => {
          setText(e.target.value);
          props.onChange(parse(e.target.value));
        }}
      />
    </FieldFrame>
  );
}

function parse(text: string): number {
  return text.trim() === '' ? NaN : Number(text);
}

export function SelectField<T extends string>(
  props: FieldProps & { value: T; options: readonly { value: T; label: string }[]; onChange: (v: T) => void },
) {
  const id = useId();
  return (
    <FieldFrame {...props} id={id}>
      <select id={id} name={props.path} value={props.value} onChange={(e) => props.onChange(e.target.value as T)}>
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </FieldFrame>
  );
}

/** A switch: a checkbox with its label and, when given, a hint of what it does. */
export function CheckField(props: {
  label: string;
  path: string;
  hint?: string;
  checked: boolean;
  disabled?: boolean;
  onChange: (v: boolean) => void;
}) {
  return (
    <div className="field check-field" data-field={props.path}>
      <label>
        <input
          type="checkbox"
          name={props.path}
          disabled={props.disabled}
          checked={props.checked}
          onChange={(e) => props.onChange(e.target.checked)}
        />{' '}
        {props.label}
      </label>
      {props.hint && <div className="field-hint">{props.hint}</div>}
    </div>
  );
}

export function Panel({ title, children, className }: { title: string; children: ReactNode; className?: string }) {
  return (
    <section className={`panel ${className ?? ''}`} aria-label={title}>
      <h2 title={title}>{title}</h2>
      {children}
    </section>
  );
}

export function formatCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)} k`;
  return n.toLocaleString('en-US');
}
