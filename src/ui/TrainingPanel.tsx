import { useSpecStore } from '../state/specStore';
import { LIMITS, OPTIMIZER_KINDS, type OptimizerSpec } from '../spec';
import { NumberField, Panel, SelectField } from './fields';

const OPTIMIZER_LABELS: Record<OptimizerSpec['kind'], string> = { sgd: 'SGD (momentum optional)', adam: 'Adam' };

export function TrainingPanel({ errors }: { errors: Record<string, string> }) {
  const spec = useSpecStore((s) => s.spec);
  const update = useSpecStore((s) => s.update);
  const t = spec.training;
  const o = t.optimizer;
  const setOpt = <K extends keyof OptimizerSpec>(key: K) => (v: OptimizerSpec[K]) =>
    update((d) => { d.training.optimizer[key] = v; });
  const field = (key: 'learningRate' | 'momentum' | 'beta1' | 'beta2' | 'epsilon', label: string) => (
    <NumberField label={label} path={`training.optimizer.${key}`} value={o[key]}
      error={errors[`training.optimizer.${key}`]} onChange={setOpt(key)} />
  );
  return (
    <Panel title="Training">
      <SelectField label="Optimizer" path="training.optimizer.kind" value={o.kind} error={errors['training.optimizer.kind']}
        options={OPTIMIZER_KINDS.map((k) => ({ value: k, label: OPTIMIZER_LABELS[k] }))}
        onChange={setOpt('kind')} />
      <div className="row">
        {field('learningRate', 'Learning rate')}
        {o.kind === 'sgd' ? field('momentum', 'Momentum') : field('beta1', 'β₁')}
      </div>
      {o.kind === 'adam' && <div className="row">{field('beta2', 'β₂')}{field('epsilon', 'ε')}</div>}
      <div className="row">
        <NumberField label="Batch size" path="training.batchSize" value={t.batchSize} error={errors['training.batchSize']}
          onChange={(v) => update((d) => { d.training.batchSize = v; })} />
        <NumberField label="Epochs" path="training.epochs" value={t.epochs} error={errors['training.epochs']}
          hint={`${LIMITS.epochs.min}–${LIMITS.epochs.max}`}
          onChange={(v) => update((d) => { d.training.epochs = v; })} />
      </div>
      <div className="row">
        <NumberField label="L1 penalty" path="training.l1" value={t.l1} error={errors['training.l1']}
          onChange={(v) => update((d) => { d.training.l1 = v; })} />
        <NumberField label="L2 penalty" path="training.l2" value={t.l2} error={errors['training.l2']}
          onChange={(v) => update((d) => { d.training.l2 = v; })} />
      </div>
    </Panel>
  );
}
