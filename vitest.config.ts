import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    // Puts Node's WebGPU (Dawn on SwiftShader) on globalThis before tfjs loads.
    setupFiles: ['test/setup/webgpu-globals.ts'],
    testTimeout: 120_000,
    hookTimeout: 240_000,
  },
});
