// Scale out: how the model being built splits across N devices under each strategy the exported train.py runs
// (data, tensor, pipeline): what each device holds, what it sends per step, and the pipeline's schedule with its
// idle bubble. The figures are engine/scaleOut.ts's; the program's own counts agree (test/modelParallel.test.ts).
import { useState } from 'react';
import type { ExperimentSpec, ModelSpec } from '../experiment';
import type { ProblemShape } from '../data/shapes';
import { formatMemory } from '../engine/memoryEstimate';
import {
  gpipeSchedule,
  MAX_DEVICES,
  torchrunCommand,
  stageUnits,
  scaleOut,
  STRATEGIES,
  type DeviceLoad,
  type PipelineSchedule,
  type ScaleOut,
  type Strategy,
} from '../engine/scaleOut';
import { formatCount, NumberField, SelectField } from './fields';

const TITLES: Record<Strategy, string> = { data: 'Data', tensor: 'Tensor', pipeline: 'Pipeline' };
const WHAT: Record<Strategy, string> = {
  data: 'the whole model on every device, each a share of every batch; every gradient all-reduced each step',
  tensor: "every layer's matrices split (Megatron-style), whole batches; activations summed twice per layer pair",
  pipeline: 'a run of consecutive layers per device (GPipe); only the boundaries travel, but devices wait in turn',
};
/** More cells than this and the timeline is not drawn (the bubble figure still stands). */
const MAX_CELLS = 4096;

const wholeNumber = (v: number, low: number, high: number) => Number.isInteger(v) && v >= low && v <= high;

/** Bytes a device holds: weights, gradients, optimizer state and activations. */
const held = (l: DeviceLoad) => Object.values(l.memory).reduce((a, b) => a + b, 0);

/** The busiest device: the most memory (pipeline stages differ; data and tensor devices barely do). */
function busiest(split: ScaleOut): DeviceLoad {
  return split.loads.reduce((a, b) => (held(b) > held(a) ? b : a));
}

export function ScaleOutView({ spec, shape }: { spec: ExperimentSpec; shape: ProblemShape }) {
  const batch = spec.training.batchSize;
  const [devices, setDevices] = useState(2);
  const [lastGood, setLastGood] = useState(2); // the figures stay while the field holds something else
  const [tensorSize, setTensorSize] = useState<number | null>(null);
  const [chosenMicro, setMicro] = useState<number | null>(null);
  const devicesOk = wholeNumber(devices, 1, MAX_DEVICES);
  const n = devicesOk ? devices : lastGood;
  const micro = chosenMicro ?? Math.min(batch, 4 * n);
  const microOk = wholeNumber(micro, 1, batch);
  const divisors = Array.from({ length: n }, (_, i) => i + 1).filter((k) => n % k === 0);
  const group = tensorSize !== null && n % tensorSize === 0 ? tensorSize : n;
  const splits = scaleOut(spec, shape, n, { tensorSize: group, microBatches: microOk ? micro : undefined });
  return (
    <div className="scale-out" data-testid="scale-out">
      <p className="small">
        How the model you are building would train on several devices with the exported <code>train.py</code> (a
        run&apos;s <strong>Export as PyTorch</strong> in Runs): what each device holds and sends in one step, for each
        way of splitting the work.
      </p>
      <div className="scale-fields">
        <NumberField
          label="Devices"
          path="scaleOut.devices"
          value={devices}
          error={devicesOk ? undefined : `a whole number from 1 to ${MAX_DEVICES}`}
          onChange={(v) => {
            setDevices(v);
            if (wholeNumber(v, 1, MAX_DEVICES)) setLastGood(v);
          }}
        />
        <SelectField
          label="Tensor: devices per model"
          path="scaleOut.tensorSize"
          value={String(group)}
          options={divisors.map((k) => ({
            value: String(k),
            label: k === n ? `${k} (all)` : `${k} × ${n / k} groups sharing batches`,
          }))}
          onChange={(v) => setTensorSize(Number(v))}
        />
        <NumberField
          label="Pipeline: micro-batches"
          path="scaleOut.microBatches"
          value={micro}
          error={microOk ? undefined : `a whole number from 1 to the batch size (${batch})`}
          hint={`pieces of each batch of ${batch}`}
          onChange={setMicro}
        />
      </div>
      <div className="cost-table-wrap" role="region" aria-label="What each device holds and sends" tabIndex={0}>
        <table className="cost-table scale-table" data-testid="scale-table">
          <caption>
            Per device ({n} device{n === 1 ? '' : 's'}; pipeline: the busiest stage): memory held and bytes sent in one
            step
          </caption>
          <thead>
            <tr>
              <th scope="col">Strategy</th>
              <th scope="col">Params</th>
              <th scope="col">Weights + grads</th>
              <th scope="col">Optimizer</th>
              <th scope="col">Activations</th>
              <th scope="col">Sent / step</th>
            </tr>
          </thead>
          <tbody>
            {STRATEGIES.map((s) => {
              const split = splits[s];
              if (split.problem)
                return (
                  <tr key={s} data-strategy={s}>
                    <th scope="row">{TITLES[s]}</th>
                    <td colSpan={5} className="muted">
                      Not over {n}: {split.problem}
                    </td>
                  </tr>
                );
              const d = busiest(split);
              return (
                <tr key={s} data-strategy={s}>
                  <th scope="row" title={WHAT[s]}>
                    {TITLES[s]}
                  </th>
                  <td>{formatCount(d.parameters)}</td>
                  <td>{formatMemory(d.memory.parameters + d.memory.gradients)}</td>
                  <td>{formatMemory(d.memory.optimizer)}</td>
                  <td>≈ {formatMemory(d.memory.activations)}</td>
                  <td>{formatMemory(d.bytesSent)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <ul className="muted small scale-notes">
        {STRATEGIES.map((s) => (
          <li key={s}>
            <strong>{TITLES[s]}</strong>: {WHAT[s]}.
            {!splits[s].problem && (
              <>
                {' '}
                <code>{torchrunCommand(splits[s], group)}</code>
              </>
            )}
          </li>
        ))}
      </ul>
      {splits.pipeline.pipeline && (
        <PipelineTimeline schedule={splits.pipeline.pipeline} loads={splits.pipeline.loads} model={spec.model} />
      )}
    </div>
  );
}

/** GPipe's step as a timeline: a row per stage, forward and backward cells per micro-batch, the idle bubble blank. */
function PipelineTimeline({
  schedule,
  loads,
  model,
}: {
  schedule: PipelineSchedule;
  loads: DeviceLoad[];
  model: ModelSpec;
}) {
  const stages = schedule.stages.length;
  const { microBatches: m, bubble } = schedule;
  const percent = `${(100 * bubble).toFixed(bubble < 0.1 ? 1 : 0)}%`;
  const summary = `${stages} stage${stages === 1 ? '' : 's'}, ${m} micro-batch${m === 1 ? '' : 'es'}: each device idles ${percent} of the step ((stages − 1) / (micro-batches + stages − 1))`;
  const drawable = 2 * stages * m <= MAX_CELLS;
  const { cells, slots } = drawable ? gpipeSchedule(stages, m) : { cells: [], slots: 0 };
  const cell = 12;
  const label = 64;
  const row = 18;
  return (
    <div className="pipeline-timeline" data-testid="pipeline-timeline">
      <p className="small">Pipeline schedule: {summary}.</p>
      <ol className="muted small stage-list">
        {schedule.stages.map(([a, b], s) => (
          <li key={s}>
            Stage {s + 1}: {stageUnits(model, [a, b])} · {formatCount(loads[s].parameters)} params · holds ≈{' '}
            {formatMemory(held(loads[s]))} · sends {formatMemory(loads[s].bytesSent)}
          </li>
        ))}
      </ol>
      {drawable ? (
        <svg
          role="img"
          aria-label={`Timeline of one step: ${summary}`}
          viewBox={`0 0 ${label + slots * cell} ${stages * row + 4}`}
          width={label + slots * cell}
          preserveAspectRatio="xMinYMin meet"
        >
          {schedule.stages.map((_, s) => (
            <text key={s} x={0} y={s * row + 13} className="timeline-label">
              Stage {s + 1}
            </text>
          ))}
          {cells.map((c) => (
            <g key={`${c.stage}-${c.micro}-${c.phase}`}>
              <rect
                x={label + c.start * cell}
                y={c.stage * row + 2}
                width={c.length * cell - 1}
                height={row - 4}
                className={c.phase === 'forward' ? 'timeline-forward' : 'timeline-backward'}
              >
                <title>{`Stage ${c.stage + 1}, micro-batch ${c.micro + 1}, ${c.phase}`}</title>
              </rect>
              {m <= 16 && (
                <text x={label + c.start * cell + 2} y={c.stage * row + 13} className="timeline-micro">
                  {c.micro + 1}
                </text>
              )}
            </g>
          ))}
        </svg>
      ) : (
        <p className="muted small">({2 * stages * m} cells: too many to draw.)</p>
      )}
      <p className="muted small">
        <span className="timeline-swatch timeline-forward" aria-hidden="true" /> forward ·{' '}
        <span className="timeline-swatch timeline-backward" aria-hidden="true" /> backward (about twice as long) ·
        blank: waiting
      </p>
    </div>
  );
}
