/** Per-column mean and standard deviation, measured on the training rows only. */
export interface Standardizer {
  mean: Float32Array;
  std: Float32Array;
}

export function fitStandardizer(rows: Float32Array, cols: number): Standardizer {
  const n = rows.length / cols;
  const mean = new Float32Array(cols);
  const std = new Float32Array(cols);
  for (let j = 0; j < cols; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += rows[i * cols + j];
    const m = s / n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (rows[i * cols + j] - m) ** 2;
    mean[j] = m;
    // A constant column would divide by zero; leave it centred but unscaled.
    std[j] = Math.sqrt(v / n) || 1;
  }
  return { mean, std };
}

export function standardize(rows: Float32Array, s: Standardizer): Float32Array {
  const cols = s.mean.length;
  const out = new Float32Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const j = i % cols;
    out[i] = (rows[i] - s.mean[j]) / s.std[j];
  }
  return out;
}
