// A small image drawn pixel for pixel (scaled up by CSS, kept sharp), with an optional outlined box and the pixel
// under the pointer reported: the building block of the CNN views.
import { useEffect, useRef } from 'react';
import type { PixelBox } from '../../experiment/cnn';

export type Rgb = [number, number, number];

export function PixelCanvas({
  height,
  width,
  color,
  scale,
  label,
  outline,
  onPixel,
  onPick,
}: {
  height: number;
  width: number;
  /** The colour of pixel (row, col). */
  color: (row: number, col: number) => Rgb;
  /** CSS pixels per image pixel. */
  scale: number;
  label: string;
  outline?: PixelBox | null;
  /** The pixel under the pointer, or null when it leaves. */
  onPixel?: (at: { row: number; col: number } | null) => void;
  /** A click on a pixel. */
  onPick?: (at: { row: number; col: number }) => void;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    const image = ctx.createImageData(width, height);
    for (let r = 0; r < height; r++)
      for (let c = 0; c < width; c++) image.data.set([...color(r, c), 255], (r * width + c) * 4);
    ctx.putImageData(image, 0, 0);
  }, [height, width, color]);
  const at = (e: React.PointerEvent<HTMLElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    const row = Math.min(height - 1, Math.max(0, Math.floor(((e.clientY - box.top) / box.height) * height)));
    const col = Math.min(width - 1, Math.max(0, Math.floor(((e.clientX - box.left) / box.width) * width)));
    return { row, col };
  };
  return (
    <span
      className="pixel-canvas"
      style={{ width: width * scale, height: height * scale }}
      onPointerMove={onPixel && ((e) => onPixel(at(e)))}
      onPointerLeave={onPixel && (() => onPixel(null))}
      onClick={onPick && ((e) => onPick(at(e as unknown as React.PointerEvent<HTMLElement>)))}
    >
      <canvas ref={ref} width={width} height={height} role="img" aria-label={label} title={label} />
      {outline && (
        <span
          className="pixel-outline"
          style={{
            top: outline.top * scale,
            left: outline.left * scale,
            width: (outline.right - outline.left + 1) * scale,
            height: (outline.bottom - outline.top + 1) * scale,
          }}
        />
      )}
    </span>
  );
}

/** Grey levels 0…1 as ink on paper (MNIST's look: 1 is black). */
export const inkColor = (v: number): Rgb => {
  const g = Math.round(255 * (1 - Math.min(1, Math.max(0, v))));
  return [g, g, g];
};

const byte = (v: number) => Math.round(Math.min(1, Math.max(0, v)) * 255);

/**
 * The pixel at `at` of an image given as values 0…1, channels last: MNIST's grey as ink on paper (`ink`), your own
 * images' grey or colour as they are.
 */
export const imageColor = (values: ArrayLike<number>, at: number, channels: number, ink: boolean): Rgb =>
  channels === 3
    ? [byte(values[at]), byte(values[at + 1]), byte(values[at + 2])]
    : ink
      ? inkColor(values[at])
      : [byte(values[at]), byte(values[at]), byte(values[at])];
