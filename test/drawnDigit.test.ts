// A drawn digit prepared as MNIST's were: fitted to 20×20, centred by its centre of mass, wherever and however big
// it was drawn; an empty canvas gives nothing.
import { expect, test } from 'vitest';
import { mnistFromDrawing } from '../src/data/drawnDigit';

const SIDE = 280;

/** A canvas with an "L" of thick strokes: `size` tall, its top-left corner at (top, left). */
function drawL(top: number, left: number, size: number): Float32Array {
  const ink = new Float32Array(SIDE * SIDE);
  const stroke = Math.max(2, Math.round(size / 8));
  for (let r = top; r < top + size; r++)
    for (let c = left; c < left + size / 2; c++)
      if (c < left + stroke || r >= top + size - stroke) ink[r * SIDE + c] = 1;
  return ink;
}

const massCentre = (image: Float32Array) => {
  let [m, rows, cols] = [0, 0, 0];
  image.forEach((v, i) => {
    m += v;
    rows += v * (Math.floor(i / 28) + 0.5);
    cols += v * ((i % 28) + 0.5);
  });
  return [rows / m, cols / m];
};

test('a digit drawn anywhere, at any size, becomes the same centred 20-pixel-tall digit', () => {
  const a = mnistFromDrawing(drawL(10, 10, 120), SIDE)!;
  const b = mnistFromDrawing(drawL(140, 150, 120), SIDE)!;
  expect(Array.from(b)).toEqual(Array.from(a));
  const [row, col] = massCentre(a);
  expect(Math.abs(row - 14)).toBeLessThanOrEqual(0.5);
  expect(Math.abs(col - 14)).toBeLessThanOrEqual(0.5);
  const inkRows = [...new Set(Array.from(a).flatMap((v, i) => (v > 0 ? [Math.floor(i / 28)] : [])))];
  expect(inkRows).toHaveLength(20);
  expect(Math.max(...a)).toBe(1);
  // A bigger drawing scales to the same box.
  const big = mnistFromDrawing(drawL(0, 0, 240), SIDE)!;
  const bigRows = new Set(Array.from(big).flatMap((v, i) => (v > 0 ? [Math.floor(i / 28)] : [])));
  expect(bigRows.size).toBe(20);
});

test('an empty canvas gives nothing', () => {
  expect(mnistFromDrawing(new Float32Array(SIDE * SIDE), SIDE)).toBeNull();
});
