// Plain values a kept record holds, checked: finite numbers, strings and lists of bounded length.
export const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
export const isString = (v: unknown, max: number): v is string => typeof v === 'string' && v.length <= max;
/** A figure that may be absent (accuracy on a regression): a finite number, else null. */
export const nullable = (v: unknown) => (isNumber(v) ? v : null);
export const isNumberList = (v: unknown, max: number): v is number[] =>
  Array.isArray(v) && v.length <= max && v.every(isNumber);
