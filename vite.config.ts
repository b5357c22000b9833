import type { IncomingMessage, ServerResponse } from 'node:http';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { contentSecurityPolicy, ISOLATION_HEADERS } from './csp.ts';

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

/**
 * The dev and preview servers' headers: cross-origin isolation for everything, and the
 * Content-Security-Policy, with blob: workers allowed in the workers' own scripts only. The built
 * site gets the isolation headers as a `_headers` file (Netlify, Cloudflare Pages).
 */
function serverHeaders(): Plugin {
  const headers = (devNonce?: string) => (req: IncomingMessage, res: ServerResponse, next: () => void) => {
    for (const [name, value] of Object.entries(ISOLATION_HEADERS)) res.setHeader(name, value);
    const worker = /\.worker[.-]/.test(req.url ?? '');
    res.setHeader('Content-Security-Policy', contentSecurityPolicy({ devNonce, worker }));
    next();
  };
  return {
    name: 'playground-server-headers',
    configureServer: (server) => void server.middlewares.use(headers(DEV_NONCE)),
    configurePreviewServer: (server) => void server.middlewares.use(headers()),
    generateBundle() {
      const lines = Object.entries(ISOLATION_HEADERS).map(([name, value]) => `  ${name}: ${value}`);
      this.emitFile({ type: 'asset', fileName: '_headers', source: ['/*', ...lines, ''].join('\n') });
    },
  };
}

/**
 * tfjs' threaded wasm hands each of its threads the factory's source (`fn.toString()` in a blob:),
 * which breaks once the bundler has renamed what that function closes over ("e is not defined" in
 * every thread). The threads get the untouched emscripten file instead, served as an asset (by an
 * absolute URL: a blob: thread resolves no relative one).
 */
function wasmThreadsScript(): Plugin {
  const factorySource =
    /new Blob\(\[`var WasmBackendModuleThreadedSimd = ` \+\s*wasmFactoryThreadedSimd\.toString\(\)\], \{ type: 'text\/javascript' \}\)/;
  return {
    name: 'playground-wasm-threads-script',
    enforce: 'pre',
    transform(code, id) {
      if (!id.replace(/\\/g, '/').endsWith('/@tensorflow/tfjs-backend-wasm/dist/backend_wasm.js')) return null;
      if (!factorySource.test(code))
        this.error('tfjs-backend-wasm no longer builds its threads as this plugin expects');
      const script = '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js?url';
      return `import threadedSimdScript from '${script}';\n${code.replace(factorySource, 'new URL(threadedSimdScript, self.location.href).href')}`;
    },
  };
}

export default defineConfig(({ command }) => ({
  plugins: [react(), cspMeta(), serverHeaders()],
  worker: { format: 'es', plugins: () => [wasmThreadsScript()] },
  // Development only: a fixed nonce is no secret, and the built page has no inline script to allow.
  html: command === 'serve' ? { cspNonce: DEV_NONCE } : {},
  build: {
    chunkSizeWarningLimit: 4000,
    // recharts and its dependencies in a chunk of their own whose functions V8 compiles as the file
    // loads (Chrome's compile hint), not the first time a chart draws data mid-training.
    rolldownOptions: {
      // Rolldown's report that vite's own worker plugin takes most of the build: noise on every build and test run.
      checks: { bundlerTimings: false },
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
  server: { host: '127.0.0.1' },
}));
