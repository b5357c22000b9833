import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  worker: { format: 'es' },
  build: {
    chunkSizeWarningLimit: 4000,
    // recharts and its dependencies in a chunk of their own whose functions V8 compiles as the file
    // loads (Chrome's compile hint), not the first time a chart draws data mid-training.
    rolldownOptions: {
      output: {
        codeSplitting: { groups: [{ name: 'charts', test: /node_modules[\\/](recharts|d3-[a-z]+|victory-vendor|decimal\.js-light|@reduxjs|redux|immer|reselect|es-toolkit)[\\/]/ }] },
        postBanner: (chunk) => (chunk.name === 'charts' ? '//# allFunctionsCalledOnLoad' : ''),
      },
    },
  },
  server: { host: '127.0.0.1' },
});
