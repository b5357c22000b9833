// `npm run cli -- scale-out SPEC.json --devices N`: the app's Scale out figures as text. For each way the exported
// train.py splits the work (data, tensor, pipeline), what each device holds and sends in one step, devices with
// the same figures on one line, and the command that trains it.
import { formatMemory } from '../engine/memoryEstimate';
import { scaleOut, STRATEGIES, stageUnits, torchrunCommand, type DeviceLoad, type ScaleOut } from '../engine/scaleOut';
import type { ProblemShape } from '../data/shapes';
import type { ExperimentSpec } from '../experiment/types';

export interface ScaleOutOptions {
  devices: number;
  tensorSize: number | null;
  microBatches: number | null;
}

const TITLES = { data: 'Data parallel', tensor: 'Tensor parallel', pipeline: 'Pipeline parallel' } as const;

function loadLine(l: DeviceLoad): string {
  const m = l.memory;
  return (
    `${l.parameters.toLocaleString('en-US')} params · weights + gradients ${formatMemory(m.parameters + m.gradients)}` +
    ` · optimizer ${formatMemory(m.optimizer)} · activations ≈ ${formatMemory(m.activations)}` +
    ` · sends ${formatMemory(l.bytesSent)} a step`
  );
}

/** Devices with the same figures on one line ("devices 1–4"); a pipeline's stages each on their own, with their layers. */
function deviceLines(spec: ExperimentSpec, split: ScaleOut): string[] {
  if (split.pipeline)
    return split.pipeline.stages.map(
      (stage, s) => `  device ${s + 1} (${stageUnits(spec.model, stage)}): ${loadLine(split.loads[s])}`,
    );
  const lines: string[] = [];
  let first = 0;
  split.loads.forEach((load, i) => {
    const next = split.loads[i + 1];
    if (next && loadLine(next) === loadLine(load)) return;
    lines.push(`  ${i === first ? `device ${i + 1}` : `devices ${first + 1}–${i + 1}`}: ${loadLine(load)}`);
    first = i + 1;
  });
  return lines;
}

export function scaleOutReport(spec: ExperimentSpec, shape: ProblemShape, options: ScaleOutOptions): string {
  const n = options.devices;
  const tensorSize = options.tensorSize ?? n;
  const splits = scaleOut(spec, shape, n, {
    tensorSize,
    ...(options.microBatches !== null ? { microBatches: options.microBatches } : {}),
  });
  const lines = [`Over ${n} device${n === 1 ? '' : 's'}, what each holds and sends in one training step:`];
  for (const s of STRATEGIES) {
    const split = splits[s];
    lines.push('', `${TITLES[s]}:`);
    if (split.problem) {
      lines.push(`  not over ${n}: ${split.problem}`);
      continue;
    }
    lines.push(...deviceLines(spec, split));
    if (split.pipeline) {
      const { microBatches, bubble } = split.pipeline;
      lines.push(`  ${microBatches} micro-batches: each device idles ${(100 * bubble).toFixed(1)}% of the step`);
    }
    lines.push(`  ${torchrunCommand(split, tensorSize)}`);
  }
  return `${lines.join('\n')}\n`;
}
