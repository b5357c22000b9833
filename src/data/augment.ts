// Data augmentation's random changes to training images, drawn from a seeded generator: a whole-pixel shift, a
// turn about the centre, a left–right mirror. Each becomes the inverse map a projective transform takes (from an
// output pixel back to where it reads the input), as tf.image.transform wants it: [a0 a1 a2 b0 b1 b2 0 0].
import type { AugmentSpec } from '../experiment/types';
import type { ImageShape } from '../experiment/cnn';
import type { Rng } from './rng';

export interface ImageChange {
  /** Pixels right and down. */
  dx: number;
  dy: number;
  /** Degrees, counter-clockwise as seen on screen. */
  degrees: number;
  flip: boolean;
}

/** One change per image, each drawn from `rng` within the spec's bounds. */
export function drawChanges(rng: Rng, n: number, augment: AugmentSpec): ImageChange[] {
  const shift = () =>
    augment.shift > 0 ? Math.min(augment.shift, Math.floor(rng.uniform(-augment.shift, augment.shift + 1))) : 0;
  return Array.from({ length: n }, () => ({
    dx: shift(),
    dy: shift(),
    degrees: augment.rotation > 0 ? rng.uniform(-augment.rotation, augment.rotation) : 0,
    flip: augment.flip && rng.next() < 0.5,
  }));
}

/**
 * Where output pixel (x, y) reads the input: mirrored about the centre (flip), turned back by the angle about the
 * centre, and moved back by the shift. Rows grow downwards, so a counter-clockwise turn on screen is −θ here.
 */
export function inverseMap(change: ImageChange, image: Pick<ImageShape, 'height' | 'width'>): number[] {
  const [cx, cy] = [(image.width - 1) / 2, (image.height - 1) / 2];
  const theta = (-change.degrees * Math.PI) / 180;
  const [cos, sin] = [Math.cos(theta), Math.sin(theta)];
  const sigma = change.flip ? -1 : 1;
  // q = p − centre − shift; r = R(−θ)·q; input = centre + (σ·r.x, r.y).
  const [qx, qy] = [cx + change.dx, cy + change.dy];
  return [sigma * cos, sigma * sin, cx - sigma * (cos * qx + sin * qy), -sin, cos, cy - (-sin * qx + cos * qy), 0, 0];
}

/**
 * Images in rows (channels last) each moved by its change's whole-pixel shift, the pixels moved in from outside 0:
 * the held-out images of a spec that asks how a model copes with shifted inputs.
 */
export function shiftRows(x: Float32Array, shape: ImageShape, changes: Pick<ImageChange, 'dx' | 'dy'>[]): Float32Array {
  const { height, width, channels } = shape;
  const size = height * width * channels;
  const out = new Float32Array(x.length);
  changes.forEach(({ dx, dy }, i) => {
    for (let r = Math.max(0, dy); r < Math.min(height, height + dy); r++) {
      const from = i * size + ((r - dy) * width + Math.max(0, -dx)) * channels;
      const to = i * size + (r * width + Math.max(0, dx)) * channels;
      out.set(x.subarray(from, from + (width - Math.abs(dx)) * channels), to);
    }
  });
  return out;
}
