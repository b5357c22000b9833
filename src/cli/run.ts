// Entry point of `npm run cli`; the commands live in main.ts (importable by tests).
import './webgpuGlobals'; // first: the webgpu backend registers itself only if navigator.gpu exists
import * as tf from '@tensorflow/tfjs';
import { main } from './main';
import { interrupt } from './trainCommand';

tf.env().set('PROD', true); // no "install tfjs-node" advice (it cannot be installed here) and no debug checks

// The first Ctrl-C ends the run after its batch, keeping what it trained; a second one quits at once.
process.once('SIGINT', () => {
  process.stderr.write('\nStopping after this batch (Ctrl-C again to quit at once)…\n');
  interrupt();
  process.once('SIGINT', () => process.exit(130));
});
process.exitCode = await main(process.argv.slice(2));
