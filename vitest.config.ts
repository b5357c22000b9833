import { defineConfig } from 'vitest/config';

// Two projects: the Node tests (tfjs on cpu, wasm and Dawn's WebGPU) and the browser tests, which share one
// build of the site. Files run one per core but one (vitest's default): on a 2-core machine that is one at a
// time, since a browser test keeps both cores busy (two at once took as long in all, measured).

export default defineConfig({
  test: {
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
