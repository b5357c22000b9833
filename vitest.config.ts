import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Two projects run side by side: the Node tests (tfjs on cpu, wasm and Dawn's WebGPU) and the browser tests,
// which share one build of the site. Much of a browser test is waiting (a reload, a worker's timeout), so two
// files run at once even on a 2-core machine.
const WORKERS = Math.max(2, availableParallelism() - 1);

export default defineConfig({
  test: {
    maxWorkers: WORKERS,
    testTimeout: 120_000,
    hookTimeout: 240_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: ['test/**/*.test.ts'],
          exclude: ['test/e2e/**'],
          environment: 'node',
          // Puts Node's WebGPU (Dawn on SwiftShader) on globalThis before tfjs loads.
          setupFiles: ['test/setup/webgpu-globals.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/setup/e2e-site.ts'],
        },
      },
    ],
  },
});
