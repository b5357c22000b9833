// One workload per entry: a name and the experiment it trains (derived from the defaults).
import type { ExperimentSpec } from '../src/spec';

export interface Workload {
  name: string;
  spec(defaults: ExperimentSpec): ExperimentSpec;
}

export const WORKLOADS: Workload[] = [
  { name: 'default MLP on circle', spec: (d) => d },
  {
    name: '3×8 tanh MLP on spiral',
    spec: (d) => ({ ...d, dataset: { ...d.dataset, kind: 'spiral' }, model: { kind: 'mlp', hidden: [0, 1, 2].map(() => ({ units: 8, activation: 'tanh' as const, dropout: 0 })) } }),
  },
];
