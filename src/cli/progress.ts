// What the CLI prints while it trains: on a terminal, a bar redrawn in place through each epoch;
// elsewhere (CI, a pipe), one plain line per epoch.
import type { EpochMetrics } from '../engine/types';

export interface Output {
  write: (text: string) => unknown;
  isTTY?: boolean;
}

const BAR_WIDTH = 24;
/** Redraw the bar at most this often (a tiny model trains thousands of batches a second). */
const REDRAW_MS = 100;

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  return s >= 3600
    ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
    : `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

const percent = (v: number) => `${(100 * v).toFixed(1)}%`;

/** The figures of a finished epoch, e.g. "loss 0.4123 → val 0.4555 · val acc 91.2% · 1,234 ex/s". */
export function epochSummary(m: EpochMetrics): string {
  const parts = [`loss ${m.trainLoss.toFixed(4)}`, `val loss ${m.valLoss.toFixed(4)}`];
  if (m.valAccuracy !== null) parts.push(`val acc ${percent(m.valAccuracy)}`);
  if (m.valExactMatch !== null) parts.push(`exact ${percent(m.valExactMatch)}`);
  if (m.valBitsPerByte) parts.push(`${m.valBitsPerByte.toFixed(3)} bits/byte`);
  parts.push(`${Math.round(m.examplesPerSec).toLocaleString('en-US')} ex/s`);
  return parts.join(' · ');
}

export class Progress {
  private readonly started = Date.now();
  private lastDraw = 0;
  private last: EpochMetrics | null = null;
  private batchesDone = 0;
  private epochsDone = 0;

  constructor(
    private readonly out: Output,
    private readonly label: string,
    private readonly epochs: number,
  ) {}

  /** After each batch: on a terminal, redraw the bar with the figures of the last epoch and the time left. */
  batch(epoch: number, batch: number, batches: number): void {
    this.batchesDone++;
    if (!this.out.isTTY) return;
    const now = Date.now();
    if (now - this.lastDraw < REDRAW_MS && batch < batches) return;
    this.lastDraw = now;
    const filled = Math.round((BAR_WIDTH * batch) / batches);
    const perBatch = (now - this.started) / 1000 / this.batchesDone;
    const left = perBatch * ((this.epochs - epoch) * batches + (batches - batch));
    const figures = this.last ? ` ${epochSummary(this.last)}` : '';
    this.out.write(
      `\r\x1b[2K${this.label} epoch ${epoch}/${this.epochs} [${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}]${figures} · ${duration(left)} left`,
    );
  }

  /** At each epoch's end: the line that stays (a terminal's bar is replaced by it). */
  epoch(m: EpochMetrics): void {
    this.last = m;
    this.epochsDone++;
    this.lastDraw = 0; // the next epoch's bar shows at once
    const left = ((Date.now() - this.started) / 1000 / this.epochsDone) * (this.epochs - m.epoch);
    this.out.write(
      `${this.out.isTTY ? '\r\x1b[2K' : ''}${this.label} epoch ${m.epoch}/${this.epochs} · ${epochSummary(m)} · ${duration(left)} left\n`,
    );
  }

  /** The run's end, with the engine's explanation when it stopped early. */
  end(status: string, message?: string): void {
    if (this.out.isTTY) this.out.write('\r\x1b[2K');
    this.out.write(
      `${this.label} ${status}${message ? `: ${message}` : ''} (${duration((Date.now() - this.started) / 1000)})\n`,
    );
  }
}
