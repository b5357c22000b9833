import { useEffect, useMemo, useRef, useState } from 'react';
import { labProblem, requestLab, useLabStore, type LabResult } from '../state/labStore';
import {
  describeFieldError,
  LAB_LIMITS,
  LAB_OPTIMIZER_KINDS,
  OPTIMIZER_LABELS,
  SURFACE_INFO,
  SURFACE_KINDS,
  type OptimizerKind,
  type SurfaceInfo,
} from '../experiment';
import { CATEGORY_COLORS } from '../state/palette';
import { OptimizerPicker } from './OptimizerPicker';
import { Panel } from './fields';

const SIZE = 480;
const LEVELS = 24;
/** One colour per optimizer, from the colour-blind-safe palette: SGD and momentum are vermillion and blue. */
export const OPTIMIZER_COLORS: Record<OptimizerKind, string> = {
  sgd: CATEGORY_COLORS[5],
  momentum: CATEGORY_COLORS[0],
  nesterov: CATEGORY_COLORS[1],
  rmsprop: CATEGORY_COLORS[3],
  adagrad: CATEGORY_COLORS[4],
  adam: CATEGORY_COLORS[6],
  adamw: CATEGORY_COLORS[2],
  lion: CATEGORY_COLORS[7],
  muon: '#999999',
};

function toPx(info: SurfaceInfo, x: number, y: number): [number, number] {
  return [((x - info.x[0]) / (info.x[1] - info.x[0])) * SIZE, ((info.y[1] - y) / (info.y[1] - info.y[0])) * SIZE];
}

function inWindow(info: SurfaceInfo, x: number, y: number): boolean {
  return (
    Number.isFinite(x) && Number.isFinite(y) && x >= info.x[0] && x <= info.x[1] && y >= info.y[0] && y <= info.y[1]
  );
}

/** Filled contour bands of log(1 + f − min), with a dark line where the band changes. */
function contourImage(grid: Float32Array, res: number): HTMLCanvasElement {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of grid) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const level = (v: number) =>
    Math.min(LEVELS - 1, Math.floor((Math.log1p(v - lo) / Math.log1p(hi - lo || 1)) * LEVELS));
  const levels = Array.from(grid, level);
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = res;
  const ctx = canvas.getContext('2d')!;
  const image = ctx.createImageData(res, res);
  for (let r = 0; r < res; r++) {
    for (let c = 0; c < res; c++) {
      const i = r * res + c;
      const t = levels[i] / (LEVELS - 1);
      const edge = (c + 1 < res && levels[i + 1] !== levels[i]) || (r + 1 < res && levels[i + res] !== levels[i]);
      const shade = edge ? 0.78 : 1;
      // Low values pale yellow, high values deep blue.
      image.data.set([(255 - 190 * t) * shade, (250 - 150 * t) * shade, (200 - 40 * t) * shade, 255], i * 4);
    }
  }
  ctx.putImageData(image, 0, 0);
  return canvas;
}

function draw(ctx: CanvasRenderingContext2D, result: LabResult, background: HTMLCanvasElement, frame: number) {
  const info = SURFACE_INFO[result.settings.surface];
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(background, 0, 0, SIZE, SIZE);
  for (const [mx, my] of info.minima) {
    const [px, py] = toPx(info, mx, my);
    ctx.fillStyle = '#222';
    ctx.font = '16px sans-serif';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText('★', px, py);
  }
  result.paths.forEach((path, k) => {
    const color = OPTIMIZER_COLORS[result.kinds[k]];
    ctx.strokeStyle = color;
    ctx.lineWidth = 2;
    ctx.beginPath();
    let last: [number, number] | null = null;
    for (let i = 0; i <= Math.min(frame, path.xs.length - 1); i++) {
      if (!inWindow(info, path.xs[i], path.ys[i])) break;
      const p = toPx(info, path.xs[i], path.ys[i]);
      if (i === 0) ctx.moveTo(...p);
      else ctx.lineTo(...p);
      last = p;
    }
    ctx.stroke();
    if (last) {
      ctx.fillStyle = color;
      ctx.beginPath();
      ctx.arc(last[0], last[1], 4, 0, 2 * Math.PI);
      ctx.fill();
    }
  });
  const [sx, sy] = toPx(info, ...result.settings.start);
  ctx.strokeStyle = '#000';
  ctx.fillStyle = '#fff';
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  ctx.arc(sx, sy, 5, 0, 2 * Math.PI);
  ctx.fill();
  ctx.stroke();
}

/** Index of the first step that left the window (or became NaN), or null. */
function escapeStep(info: SurfaceInfo, xs: Float32Array, ys: Float32Array): number | null {
  for (let i = 0; i < xs.length; i++) if (!inWindow(info, xs[i], ys[i])) return i;
  return null;
}

/**
 * Optimizers racing on classic 2-D functions: the same optimizer code as training, each path
 * computed in the lab's worker and animated here step by step. Click the plot to move the start.
 */
export function LossSurfaceLab() {
  const { settings, result, computing, error, update, setSurface, linkErrors, dismissLinkErrors } = useLabStore();
  const canvas = useRef<HTMLCanvasElement>(null);
  const [frame, setFrame] = useState(0);
  const [playing, setPlaying] = useState(true);
  const [speed, setSpeed] = useState(60);
  const problem = labProblem(settings);
  const info = SURFACE_INFO[settings.surface];
  const background = useMemo(() => (result ? contourImage(result.grid, result.gridRes) : null), [result]);

  useEffect(() => requestLab(), []);
  // A new result plays from its first step (state adjusted during render, as React advises, not in an effect).
  const [playedResult, setPlayedResult] = useState(result);
  if (playedResult !== result) {
    setPlayedResult(result);
    setFrame(0);
    setPlaying(true);
  }

  // Advance the animation on the UI thread's frames; training never waits on these.
  useEffect(() => {
    if (!playing || !result) return;
    const total = result.settings.steps;
    let raf = 0;
    let last = performance.now();
    let carry = 0;
    const tick = (now: number) => {
      carry += ((now - last) / 1000) * speed;
      last = now;
      const advance = Math.floor(carry);
      carry -= advance;
      let done = false;
      if (advance > 0) {
        setFrame((f) => {
          const next = Math.min(total, f + advance);
          done = next >= total;
          return next;
        });
      }
      if (done) setPlaying(false);
      else raf = requestAnimationFrame(tick);
    };
    raf = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(raf);
  }, [playing, result, speed]);

  useEffect(() => {
    const ctx = canvas.current?.getContext('2d');
    if (ctx && result && background) draw(ctx, result, background, frame);
  }, [result, background, frame]);

  const onClick = (e: React.MouseEvent<HTMLCanvasElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    const fx = (e.clientX - rect.left) / rect.width;
    const fy = (e.clientY - rect.top) / rect.height;
    const x = info.x[0] + fx * (info.x[1] - info.x[0]);
    const y = info.y[1] - fy * (info.y[1] - info.y[0]);
    update({ start: [Number(x.toFixed(3)), Number(y.toFixed(3))] });
  };

  // Without a mouse: the focused plot moves the start with the arrow keys (Shift: bigger steps), staying inside the window.
  const onKeyDown = (e: React.KeyboardEvent<HTMLCanvasElement>) => {
    const dir = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] }[e.key];
    if (!dir) return;
    e.preventDefault();
    const frac = e.shiftKey ? 0.1 : 0.02;
    const clamp = (v: number, [lo, hi]: [number, number]) => Number(Math.min(hi, Math.max(lo, v)).toFixed(3));
    update({
      start: [
        clamp(settings.start[0] + dir[0] * frac * (info.x[1] - info.x[0]), info.x),
        clamp(settings.start[1] + dir[1] * frac * (info.y[1] - info.y[0]), info.y),
      ],
    });
  };

  const resultInfo = result ? SURFACE_INFO[result.settings.surface] : info;
  return (
    <div className="lab">
      {linkErrors && (
        <div className="banner warning lab-link-errors" role="alert">
          The lab link could not be opened, so the lab&apos;s defaults are shown:{' '}
          {linkErrors.map(describeFieldError).join('; ')}.
          <button type="button" onClick={dismissLinkErrors}>
            Dismiss
          </button>
        </div>
      )}
      <Panel title="Loss-surface lab" className="lab-controls">
        <label className="field">
          <span>Function</span>
          <select
            name="surface"
            value={settings.surface}
            onChange={(e) => setSurface(e.target.value as typeof settings.surface)}
          >
            {SURFACE_KINDS.map((k) => (
              <option key={k} value={k}>
                {SURFACE_INFO[k].label}
              </option>
            ))}
          </select>
        </label>
        {settings.surface === 'bowl' && (
          <label className="field">
            <span>Conditioning κ = {settings.conditioning}</span>
            <input
              type="range"
              name="conditioning"
              min={LAB_LIMITS.conditioning.min}
              max={LAB_LIMITS.conditioning.max}
              step={1}
              value={settings.conditioning}
              onChange={(e) => update({ conditioning: Number(e.target.value) })}
            />
          </label>
        )}
        <label className="field">
          <span>
            Steps ({LAB_LIMITS.steps.min}–{LAB_LIMITS.steps.max})
          </span>
          <input
            name="lab-steps"
            inputMode="numeric"
            defaultValue={settings.steps}
            onChange={(e) => update({ steps: e.target.value.trim() === '' ? NaN : Number(e.target.value) })}
          />
        </label>
        <OptimizerPicker
          name="lab"
          oneColumn
          kinds={LAB_OPTIMIZER_KINDS}
          colors={OPTIMIZER_COLORS}
          chosen={settings.chosen}
          rates={settings.rates}
          rateLabel={(o) => `Learning rate for ${o} on the surface`}
          onChosen={(k, on) => update({ chosen: { ...settings.chosen, [k]: on } })}
          onRate={(k, text) => update({ rates: { ...settings.rates, [k]: text } })}
        />
        <div className="muted small lab-note">
          Muon is not in the race: it orthogonalises weight matrices, and here the parameter is one point (on a vector
          Muon is plain AdamW). Compare it on a real model with “Compare optimizers”.
        </div>
        <div className="muted small" data-testid="lab-start">
          Start: ({settings.start[0]}, {settings.start[1]}) — click the plot, or focus it and use the arrow keys, to
          move it.
        </div>
        {problem && (
          <div className="field-error" role="alert">
            {problem}
          </div>
        )}
        {error && (
          <div className="field-error" role="alert">
            The lab failed: {error}
          </div>
        )}
      </Panel>
      <Panel title={resultInfo.label} className="lab-plot">
        <canvas
          ref={canvas}
          width={SIZE}
          height={SIZE}
          onClick={onClick}
          onKeyDown={onKeyDown}
          tabIndex={0}
          data-testid="surface-canvas"
          role="img"
          aria-label={`Contours of the function with each optimizer's path; start at (${settings.start[0]}, ${settings.start[1]}): arrow keys move it`}
        />
        <div className="lab-playback">
          <button
            type="button"
            disabled={!result}
            onClick={() => {
              if (result && frame >= result.settings.steps) setFrame(0);
              setPlaying((p) => !p);
            }}
          >
            {playing ? 'Pause' : 'Play'}
          </button>
          <button
            type="button"
            disabled={!result}
            onClick={() => {
              setFrame(0);
              setPlaying(true);
            }}
          >
            Replay
          </button>
          <label>
            speed{' '}
            <select name="lab-speed" value={speed} onChange={(e) => setSpeed(Number(e.target.value))}>
              {[15, 60, 240].map((s) => (
                <option key={s} value={s}>
                  {s} steps/s
                </option>
              ))}
            </select>
          </label>
          <span data-testid="lab-step">
            step {frame} / {result?.settings.steps ?? settings.steps}
          </span>
          {computing && <span className="muted">computing…</span>}
        </div>
        {result && (
          <table className="lab-legend" data-testid="lab-legend">
            <thead>
              <tr>
                <th>optimizer</th>
                <th>lr</th>
                <th>loss now</th>
                <th>position</th>
              </tr>
            </thead>
            <tbody>
              {result.paths.map((p, k) => {
                const kind = result.kinds[k];
                const i = Math.min(frame, p.xs.length - 1);
                const escaped = escapeStep(resultInfo, p.xs, p.ys);
                return (
                  <tr key={kind}>
                    <td>
                      <span className="swatch" style={{ background: OPTIMIZER_COLORS[kind] }} />
                      {OPTIMIZER_LABELS[kind]}
                    </td>
                    <td>{result.settings.rates[kind]}</td>
                    <td className="mono">
                      {escaped !== null && i >= escaped
                        ? `left the plot at step ${escaped}`
                        : p.losses[i].toPrecision(4)}
                    </td>
                    <td className="mono">
                      ({p.xs[i].toFixed(3)}, {p.ys[i].toFixed(3)})
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </Panel>
    </div>
  );
}
