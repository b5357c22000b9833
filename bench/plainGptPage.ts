// Browser entry for the plain tfjs GPT (bench/browser.ts bundles it with esbuild and serves it
// under /plain-gpt/): tfjs' wasm backend with its defaults (threads when the page is cross-origin
// isolated), the .wasm files beside the bundle.
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { plainGptExamplesPerSec, type PlainGptShape } from './plainGpt';

setWasmPaths('/plain-gpt/');

interface PlainGptArgs {
  shape: PlainGptShape;
  x: number[];
  y: number[];
  n: number;
  training: { batchSize: number; learningRate: number; epochs: number; seed: number };
}

Object.assign(window, {
  plainGptBench: async (a: PlainGptArgs) => {
    await tf.setBackend('wasm');
    const data = { x: Int32Array.from(a.x), y: Int32Array.from(a.y), n: a.n };
    const examplesPerSec = await plainGptExamplesPerSec(a.shape, data, a.training);
    return { examplesPerSec, threads: getThreadsCount(), leftTensors: tf.memory().numTensors };
  },
});
