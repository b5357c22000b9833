import type { OptimizerSpec, SurfaceKind } from '../experiment';
import type { SurfacePath } from '../engine/types';

export interface SurfaceRequest {
  type: 'compute';
  requestId: number;
  surface: SurfaceKind;
  conditioning: number;
  start: [number, number];
  steps: number;
  optimizers: OptimizerSpec[];
  gridRes: number;
}

export type SurfaceReply =
  | { type: 'result'; requestId: number; grid: Float32Array; gridRes: number; paths: SurfacePath[] }
  | { type: 'error'; requestId: number; message: string };
