import { memo } from 'react';
import { useSpecStore } from '../state/specStore';
import { useRunStore } from '../state/runStore';
import { formatDuration, measuredEpochSeconds } from '../state/timeEstimate';
import {
  exampleCounts,
  exponentialGamma,
  OPTIMIZER_KINDS,
  SCHEDULE_KINDS,
  validateSpec,
  type OptimizerSpec,
  type ScheduleSpec,
  OPTIMIZER_FIELDS,
  OPTIMIZER_FLAG_LABELS,
  OPTIMIZER_FLAGS,
  OPTIMIZER_HYPER_LABELS,
  OPTIMIZER_LABELS,
  SCHEDULE_LABELS,
  type ExperimentSpec,
  type OptimizerHyper,
} from '../experiment';
import { learningRateAt } from '../engine/schedule';
import { epochPlan } from '../engine/epochPlan';
import { CheckField, NumberField, Panel, SelectField } from './fields';

/** A small picture of the learning rate over the whole run, so the schedule is seen, not imagined. */
function SchedulePreview() {
  const spec = useSpecStore((s) => s.spec);
  if (!validateSpec(spec).ok) return null;
  const { training, dataset } = spec;
  const stepsPerEpoch = Math.max(1, epochPlan(spec, exampleCounts(dataset), 0).batches);
  const total = stepsPerEpoch * training.epochs;
  const n = 80;
  const lrs = Array.from({ length: n }, (_, i) =>
    learningRateAt(training.schedule, training.optimizer.learningRate, Math.floor((i * (total - 1)) / (n - 1)), {
      stepsPerEpoch,
      epochs: training.epochs,
    }),
  );
  const max = Math.max(...lrs);
  // The curve has a band of its own between the two labels, so no label ever sits on it.
  const path = lrs.map((v, i) => `${i === 0 ? 'M' : 'L'}${(i / (n - 1)) * 200},${40 - (v / max) * 28}`).join(' ');
  return (
    <svg
      className="lr-preview"
      viewBox="0 0 200 52"
      role="img"
      aria-label={`Learning rate over the run: at most ${max.toPrecision(2)}, ${lrs[n - 1].toPrecision(2)} at the end`}
    >
      <text x={0} y={8} fontSize={8} fill="#444">
        lr {max.toPrecision(2)} at most
      </text>
      <line x1={0} x2={200} y1={40.5} y2={40.5} stroke="#ccc" strokeWidth={0.5} />
      <path d={path} fill="none" stroke="#0877bd" strokeWidth={1.5} />
      <text x={200} y={51} fontSize={8} fill="#444" textAnchor="end">
        {lrs[n - 1].toPrecision(2)} at the end
      </text>
    </svg>
  );
}

export const TrainingPanel = memo(function TrainingPanel({ errors }: { errors: Record<string, string> }) {
  const spec = useSpecStore((s) => s.spec);
  const update = useSpecStore((s) => s.update);
  const t = spec.training;
  const o = t.optimizer;
  const sch = t.schedule;
  const setOpt =
    <K extends keyof OptimizerSpec>(key: K) =>
    (v: OptimizerSpec[K]) =>
      update((d) => {
        d.training.optimizer[key] = v;
      });
  const setSch =
    <K extends keyof ScheduleSpec>(key: K) =>
    (v: ScheduleSpec[K]) =>
      update((d) => {
        d.training.schedule[key] = v;
      });
  const optField = (key: 'learningRate' | 'weightDecay' | OptimizerHyper, label: string) => (
    <NumberField
      key={key}
      label={label}
      path={`training.optimizer.${key}`}
      value={o[key]}
      error={errors[`training.optimizer.${key}`]}
      onChange={setOpt(key)}
    />
  );
  const schField = (key: 'stepEpochs' | 'gamma' | 'minLearningRate' | 'warmupEpochs', label: string) => (
    <NumberField
      key={key}
      label={label}
      path={`training.schedule.${key}`}
      value={sch[key]}
      error={errors[`training.schedule.${key}`]}
      onChange={setSch(key)}
    />
  );
  const hyper = OPTIMIZER_FIELDS[o.kind].map((k) => optField(k, OPTIMIZER_HYPER_LABELS[k]));
  return (
    <Panel title="Training details">
      <div className="row">
        {optField('weightDecay', o.kind === 'adamw' ? 'Weight decay (decoupled)' : 'Weight decay')}
        {hyper[0]}
      </div>
      {hyper.length > 1 && <div className="row">{hyper.slice(1)}</div>}
      {OPTIMIZER_FLAGS[o.kind].map((flag) => (
        <CheckField
          key={flag}
          label={OPTIMIZER_FLAG_LABELS[flag]}
          path={`training.optimizer.${flag}`}
          checked={o[flag]}
          onChange={setOpt(flag)}
        />
      ))}
      {o.weightDecay > 0 && (
        <CheckField
          label="No weight decay on biases and gains"
          path="training.optimizer.decayMatricesOnly"
          checked={o.decayMatricesOnly}
          hint="decay matrices only, as nanoGPT does"
          onChange={setOpt('decayMatricesOnly')}
        />
      )}
      <div className="row">
        <SelectField
          label="LR schedule"
          path="training.schedule.kind"
          value={sch.kind}
          error={errors['training.schedule.kind']}
          options={SCHEDULE_KINDS.map((k) => ({ value: k, label: SCHEDULE_LABELS[k] }))}
          onChange={(kind) =>
            update((d) => {
              const sch = d.training.schedule;
              sch.kind = kind;
              // γ means "per epoch" here and "per step of stepEpochs" for step decay: give each a value that suits it.
              if (kind === 'exponential') sch.gamma = exponentialGamma(d.training.epochs, sch.warmupEpochs);
              if (kind === 'step' && sch.gamma < 0.5) sch.gamma = 0.5;
            })
          }
        />
        {schField('warmupEpochs', 'Warm-up epochs')}
      </div>
      {sch.kind !== 'constant' && (
        <div className="row">
          {sch.kind === 'step' && schField('stepEpochs', 'Every (epochs)')}
          {(sch.kind === 'step' || sch.kind === 'exponential') && schField('gamma', 'Factor γ')}
          {sch.kind === 'cosine' && schField('minLearningRate', 'Final learning rate')}
        </div>
      )}
      <SchedulePreview />
      <div className="row">
        <NumberField
          label="L1 penalty"
          path="training.l1"
          value={t.l1}
          error={errors['training.l1']}
          onChange={(v) =>
            update((d) => {
              d.training.l1 = v;
            })
          }
        />
        <NumberField
          label="L2 penalty"
          path="training.l2"
          value={t.l2}
          error={errors['training.l2']}
          onChange={(v) =>
            update((d) => {
              d.training.l2 = v;
            })
          }
        />
      </div>
      <div className="row">
        <NumberField
          label="Clip gradient norm"
          path="training.clipNorm"
          value={t.clipNorm}
          error={errors['training.clipNorm']}
          hint="0 = off"
          onChange={(v) =>
            update((d) => {
              d.training.clipNorm = v;
            })
          }
        />
        <NumberField
          label="Early-stop patience"
          path="training.earlyStopPatience"
          value={t.earlyStopPatience}
          error={errors['training.earlyStopPatience']}
          hint="epochs; 0 = off"
          onChange={(v) =>
            update((d) => {
              d.training.earlyStopPatience = v;
            })
          }
        />
      </div>
    </Panel>
  );
});

/** How long the epochs asked for take at the pace measured before ("≈ 12 min"), once that is long enough to matter. */
function duration(spec: ExperimentSpec, perEpoch: number | null): string | undefined {
  const total = perEpoch === null || !Number.isFinite(spec.training.epochs) ? 0 : perEpoch * spec.training.epochs;
  return total >= 20 ? `≈ ${formatDuration(total)} at the pace measured` : undefined;
}

/**
 * What a person changes most, kept in view above the builder: the optimizer, its learning rate,
 * the batch size and the number of epochs (the rest of training is in the Training panel).
 */
export const TrainingEssentials = memo(function TrainingEssentials({ errors }: { errors: Record<string, string> }) {
  const spec = useSpecStore((s) => s.spec);
  const update = useSpecStore((s) => s.update);
  const t = spec.training;
  const perEpoch = useRunStore((s) => measuredEpochSeconds(spec, s.runs));
  return (
    <>
      <SelectField
        label="Optimizer"
        path="training.optimizer.kind"
        value={t.optimizer.kind}
        error={errors['training.optimizer.kind']}
        options={OPTIMIZER_KINDS.map((k) => ({ value: k, label: OPTIMIZER_LABELS[k] }))}
        onChange={(v) =>
          update((d) => {
            d.training.optimizer.kind = v;
          })
        }
      />
      <NumberField
        label="Learning rate"
        path="training.optimizer.learningRate"
        value={t.optimizer.learningRate}
        error={errors['training.optimizer.learningRate']}
        onChange={(v) =>
          update((d) => {
            d.training.optimizer.learningRate = v;
          })
        }
      />
      <NumberField
        label="Batch size"
        path="training.batchSize"
        value={t.batchSize}
        error={errors['training.batchSize']}
        onChange={(v) =>
          update((d) => {
            d.training.batchSize = v;
          })
        }
      />
      <NumberField
        label="Epochs"
        path="training.epochs"
        value={t.epochs}
        error={errors['training.epochs']}
        hint={duration(spec, perEpoch)}
        onChange={(v) =>
          update((d) => {
            d.training.epochs = v;
          })
        }
      />
    </>
  );
});
