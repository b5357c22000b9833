// One workload per entry: a name and the experiment it trains (derived from the defaults).
import type { ExperimentSpec } from '../src/spec';

export interface Workload {
  name: string;
  spec(defaults: ExperimentSpec): ExperimentSpec;
}

export const WORKLOADS: Workload[] = [
  { name: 'default MLP on circle', spec: (d) => d },
];
