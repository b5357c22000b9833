/// <reference lib="webworker" />
// The loss-surface lab's own worker: tiny 2-parameter problems run best on tfjs' cpu backend,
// and a worker of their own keeps them off the training worker's backend and queue.
import * as tf from '@tensorflow/tfjs';
import { optimizerPath, surfaceGrid } from '../engine/surfacePaths';
import { SURFACE_INFO } from '../experiment/lab';
import type { SurfaceReply, SurfaceRequest } from './surfaceProtocol';

const ready = tf.setBackend('cpu');
let latest = 0;

function post(msg: SurfaceReply, transfer: Transferable[] = []): void {
  (self as unknown as DedicatedWorkerGlobalScope).postMessage(msg, transfer);
}

self.onmessage = async (event: MessageEvent<SurfaceRequest>) => {
  const req = event.data;
  latest = req.requestId;
  try {
    await ready;
    const info = SURFACE_INFO[req.surface];
    const grid = await surfaceGrid(req.surface, req.conditioning, info.x, info.y, req.gridRes);
    const paths = [];
    for (const spec of req.optimizers) {
      if (req.requestId !== latest) return; // superseded by a newer request
      paths.push(await optimizerPath(req.surface, req.conditioning, spec, req.start, req.steps));
    }
    const transfer = [
      grid.buffer,
      ...paths.flatMap((p) => [p.xs.buffer, p.ys.buffer, p.losses.buffer]),
    ] as ArrayBuffer[];
    post({ type: 'result', requestId: req.requestId, grid, gridRes: req.gridRes, paths }, transfer);
  } catch (e) {
    post({ type: 'error', requestId: req.requestId, message: e instanceof Error ? e.message : String(e) });
  }
};
