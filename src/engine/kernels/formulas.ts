// The optimizer's update formulas ("m = beta1 * m + oneMinusBeta1 * g") parsed once into trees,
// which each language's kernel then compiles: closures over arrays (optimizerUpdate.ts), WebAssembly
// (wasmUpdate.ts). Expressions: + − * /, unary −, parentheses, names, sqrt(x), sign(x) (−1, 0 or 1,
// as WGSL, GLSL and torch.sign define it), max(x, y).

export type BinaryOp = '+' | '-' | '*' | '/' | 'max';
export type UnaryOp = 'neg' | 'sqrt' | 'sign';
export type Formula =
  { op: 'name'; index: number } | { op: UnaryOp; a: Formula } | { op: BinaryOp; a: Formula; b: Formula };

/** "name = expression" → the index of the assigned name in `names`, and the expression. */
export function parseAssignment(text: string, names: readonly string[]): { target: number; value: Formula } {
  const tokens = text.match(/[A-Za-z_]\w*|[-+*/(),=]/g) ?? [];
  let at = 0;
  const peek = () => tokens[at];
  const take = (want?: string) => {
    const t = tokens[at++];
    if (t === undefined || (want !== undefined && t !== want))
      throw new Error(`optimizer formula "${text}": expected ${want ?? 'more'} at token ${at}`);
    return t;
  };
  const register = (name: string) => {
    const k = names.indexOf(name);
    if (k < 0) throw new Error(`optimizer formula "${text}": unknown name ${name}`);
    return k;
  };
  const factor = (): Formula => {
    const t = take();
    if (t === '-') return { op: 'neg', a: factor() };
    if (t === '(') {
      const x = sum();
      take(')');
      return x;
    }
    if (peek() === '(') {
      take('(');
      const a = sum();
      if (t === 'sqrt' || t === 'sign') {
        take(')');
        return { op: t, a };
      }
      if (t === 'max') {
        take(',');
        const b = sum();
        take(')');
        return { op: 'max', a, b };
      }
      throw new Error(`optimizer formula "${text}": unknown function ${t}`);
    }
    return { op: 'name', index: register(t) };
  };
  const product = (): Formula => {
    let x = factor();
    while (peek() === '*' || peek() === '/') x = { op: take() as BinaryOp, a: x, b: factor() };
    return x;
  };
  const sum = (): Formula => {
    let x = product();
    while (peek() === '+' || peek() === '-') x = { op: take() as BinaryOp, a: x, b: product() };
    return x;
  };
  const target = register(take());
  take('=');
  const value = sum();
  if (at !== tokens.length) throw new Error(`optimizer formula "${text}": unexpected ${peek()}`);
  return { target, value };
}
