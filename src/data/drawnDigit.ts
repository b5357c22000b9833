// A digit drawn on a square canvas made into what MNIST's digits are: the ink's bounding box scaled (aspect kept) to
// fit a 20×20 box, then placed in 28×28 with its centre of mass at the centre, as LeCun et al. prepared MNIST.
import { MNIST_SIDE } from './mnist';

/** The ink below this (of 0–1) is background. */
const INK = 0.05;
const BOX = 20;

/**
 * `ink`: side × side values in 0…1 (the canvas's alpha, row by row). Returns 28 × 28 values in 0…1, or null when
 * nothing is drawn.
 */
export function mnistFromDrawing(ink: ArrayLike<number>, side: number): Float32Array | null {
  let [top, left, bottom, right] = [side, side, -1, -1];
  for (let r = 0; r < side; r++)
    for (let c = 0; c < side; c++)
      if (ink[r * side + c] > INK) {
        top = Math.min(top, r);
        bottom = Math.max(bottom, r);
        left = Math.min(left, c);
        right = Math.max(right, c);
      }
  if (bottom < 0) return null;
  const [h, w] = [bottom - top + 1, right - left + 1];
  const scale = BOX / Math.max(h, w);
  const [th, tw] = [Math.max(1, Math.round(h * scale)), Math.max(1, Math.round(w * scale))];
  // Each target pixel is the mean of the source pixels whose centres fall in it (a box filter: anti-aliased).
  const sums = new Float64Array(th * tw);
  const counts = new Float64Array(th * tw);
  for (let r = 0; r < h; r++)
    for (let c = 0; c < w; c++) {
      const t =
        Math.min(th - 1, Math.floor(((r + 0.5) * th) / h)) * tw + Math.min(tw - 1, Math.floor(((c + 0.5) * tw) / w));
      sums[t] += ink[(top + r) * side + left + c];
      counts[t]++;
    }
  const small = sums.map((s, i) => (counts[i] ? s / counts[i] : 0));
  const peak = Math.max(...small);
  // Centre of mass of the scaled ink, moved to the centre of the 28 × 28 image.
  let [mass, rowMass, colMass] = [0, 0, 0];
  small.forEach((v, i) => {
    mass += v;
    rowMass += v * (Math.floor(i / tw) + 0.5);
    colMass += v * ((i % tw) + 0.5);
  });
  const shiftRow = Math.round(MNIST_SIDE / 2 - rowMass / mass);
  const shiftCol = Math.round(MNIST_SIDE / 2 - colMass / mass);
  const out = new Float32Array(MNIST_SIDE * MNIST_SIDE);
  small.forEach((v, i) => {
    const [r, c] = [Math.floor(i / tw) + shiftRow, (i % tw) + shiftCol];
    if (r >= 0 && r < MNIST_SIDE && c >= 0 && c < MNIST_SIDE) out[r * MNIST_SIDE + c] = Math.min(1, v / peak);
  });
  return out;
}
