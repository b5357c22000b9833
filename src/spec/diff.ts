/** One field whose value differs between two specs; absent values are undefined. */
export interface SpecDifference {
  path: string;
  a: unknown;
  b: unknown;
}

function flatten(value: unknown, path: string, out: Map<string, unknown>): Map<string, unknown> {
  if (Array.isArray(value)) {
    if (value.length === 0) out.set(path, '[]');
    value.forEach((v, i) => flatten(v, `${path}[${i}]`, out));
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) flatten(v, path ? `${path}.${k}` : k, out);
  } else {
    out.set(path, value);
  }
  return out;
}

/** What differs between two specs, field by field (e.g. training.optimizer.kind: adam → sgd). */
export function diffSpecs(a: object, b: object): SpecDifference[] {
  const fa = flatten(a, '', new Map());
  const fb = flatten(b, '', new Map());
  const paths = [...new Set([...fa.keys(), ...fb.keys()])];
  return paths.filter((p) => fa.get(p) !== fb.get(p)).map((path) => ({ path, a: fa.get(path), b: fb.get(path) }));
}
