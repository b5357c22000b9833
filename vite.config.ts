import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { contentSecurityPolicy } from './csp.ts';

/** Vite puts this nonce on the scripts it writes into the page in development (see csp.ts). */
const DEV_NONCE = 'playground-dev';

/** The built page carries its policy in a <meta> tag, so it holds on any static host. */
function cspMeta(): Plugin {
  return {
    name: 'playground-csp-meta',
    apply: 'build',
    transformIndexHtml: () => [
      {
        tag: 'meta',
        attrs: { 'http-equiv': 'Content-Security-Policy', content: contentSecurityPolicy() },
        injectTo: 'head-prepend',
      },
    ],
  };
}

export default defineConfig(({ command }) => ({
  plugins: [react(), cspMeta()],
  worker: { format: 'es' },
  // Development only: a fixed nonce is no secret, and the built page has no inline script to allow.
  html: command === 'serve' ? { cspNonce: DEV_NONCE } : {},
  build: {
    chunkSizeWarningLimit: 4000,
    // recharts and its dependencies in a chunk of their own whose functions V8 compiles as the file
    // loads (Chrome's compile hint), not the first time a chart draws data mid-training.
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            {
              name: 'charts',
              test: /node_modules[\\/](recharts|d3-[a-z]+|victory-vendor|decimal\.js-light|@reduxjs|redux|immer|reselect|es-toolkit)[\\/]/,
            },
          ],
        },
        postBanner: (chunk) => (chunk.name === 'charts' ? '//# allFunctionsCalledOnLoad' : ''),
      },
    },
  },
  server: { host: '127.0.0.1', headers: { 'Content-Security-Policy': contentSecurityPolicy({ devNonce: DEV_NONCE }) } },
  preview: { headers: { 'Content-Security-Policy': contentSecurityPolicy() } },
}));
