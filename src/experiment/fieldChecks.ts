// The pieces every check of untrusted input is made of: one error per field, named by its path.

/** One problem with one field, e.g. { field: 'training.batchSize', message: 'must be …' }. */
export interface FieldError {
  field: string;
  message: string;
  /** What the field is called on screen ("Dense 1 · Units"), where it differs from the path. */
  label?: string;
}

export type Errors = FieldError[];

/** A value as an error message quotes it: short JSON, or "not a number". */
export function describeValue(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) return 'not a number';
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 40 ? text.slice(0, 40) + '…' : text;
}

export function checkNumber(
  errors: Errors,
  field: string,
  value: unknown,
  opts: { min: number; max: number; integer?: boolean; minExclusive?: boolean; maxExclusive?: boolean },
): void {
  const lo = `${opts.minExclusive ? 'greater than' : 'at least'} ${opts.min}`;
  const hi = `${opts.maxExclusive ? 'less than' : 'at most'} ${opts.max}`;
  const wanted = `${opts.integer ? 'a whole number' : 'a number'} ${lo} and ${hi}`;
  const bad =
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    (opts.integer && !Number.isInteger(value)) ||
    (opts.minExclusive ? value <= opts.min : value < opts.min) ||
    (opts.maxExclusive ? value >= opts.max : value > opts.max);
  if (bad) errors.push({ field, message: `must be ${wanted} (got ${describeValue(value)})` });
}

export function checkChoice(errors: Errors, field: string, value: unknown, choices: readonly string[]): void {
  if (typeof value !== 'string' || !choices.includes(value)) {
    errors.push({ field, message: `must be one of ${choices.join(', ')} (got ${describeValue(value)})` });
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function requireObject(errors: Errors, field: string, value: unknown): Record<string, unknown> | null {
  if (isObject(value)) return value;
  errors.push({ field, message: 'is missing or not an object' });
  return null;
}

/** An array with no holes (JSON cannot make one, but a stored record or a script can). */
export function isDenseArray(value: unknown, maxLength: number): value is unknown[] {
  if (!Array.isArray(value) || value.length > maxLength) return false;
  for (let i = 0; i < value.length; i++) if (!(i in value)) return false;
  return true;
}
