// A canvas to draw a digit on with a mouse, pen or finger; each stroke's end hands on the drawing prepared as
// MNIST's digits are (fitted to 20×20, centred by mass in 28×28).
import { useRef } from 'react';
import { mnistFromDrawing } from '../../data/drawnDigit';

const SIDE = 168;

export function DrawDigit({ onDigit }: { onDigit: (pixels: Float32Array | null) => void }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const drawing = useRef(false);
  const context = () => {
    const ctx = ref.current!.getContext('2d', { willReadFrequently: true })!;
    ctx.lineWidth = SIDE / 12;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.strokeStyle = '#000';
    return ctx;
  };
  const point = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    return [((e.clientX - box.left) / box.width) * SIDE, ((e.clientY - box.top) / box.height) * SIDE] as const;
  };
  const finish = () => {
    if (!drawing.current) return;
    drawing.current = false;
    const alpha = context().getImageData(0, 0, SIDE, SIDE).data;
    const ink = Float32Array.from({ length: SIDE * SIDE }, (_, i) => alpha[i * 4 + 3] / 255);
    onDigit(mnistFromDrawing(ink, SIDE));
  };
  return (
    <div className="draw-digit">
      <canvas
        ref={ref}
        width={SIDE}
        height={SIDE}
        role="img"
        aria-label="Draw a digit here"
        data-testid="draw-digit"
        onPointerDown={(e) => {
          drawing.current = true;
          e.currentTarget.setPointerCapture?.(e.pointerId);
          const ctx = context();
          const [x, y] = point(e);
          ctx.beginPath();
          ctx.moveTo(x, y);
          ctx.lineTo(x + 0.01, y);
          ctx.stroke();
        }}
        onPointerMove={(e) => {
          if (!drawing.current) return;
          const [x, y] = point(e);
          const ctx = context();
          ctx.lineTo(x, y);
          ctx.stroke();
        }}
        onPointerUp={finish}
        onPointerCancel={finish}
      />
      <button
        type="button"
        onClick={() => {
          context().clearRect(0, 0, SIDE, SIDE);
          onDigit(null);
        }}
      >
        Clear
      </button>
    </div>
  );
}
