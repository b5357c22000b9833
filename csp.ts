// The Content-Security-Policy the site ships: the built page (a <meta> tag), and the dev and preview
// servers (a header). Scripts come only from the site itself, WebAssembly may compile (tfjs' wasm
// backend), and nothing is evaluated from text (no 'unsafe-eval').
//
// The servers also make the page cross-origin isolated (COOP and COEP headers): only then may it
// share memory between threads, which tfjs' wasm backend needs to multiply on every core.

const POLICY: Record<string, string> = {
  'default-src': "'self'",
  'script-src': "'self' 'wasm-unsafe-eval'",
  'worker-src': "'self'",
  // React and recharts set style attributes; no script can come in through a style.
  'style-src': "'self' 'unsafe-inline'",
  // Chart and plane pictures are drawn through data: and blob: URLs before they are downloaded.
  'img-src': "'self' data: blob:",
  'connect-src': "'self'",
  'object-src': "'none'",
  'base-uri': "'self'",
  'form-action': "'none'",
};

/**
 * The policy as one header value. In development Vite's React plugin adds one inline module (the
 * fast-refresh preamble), which Vite marks with `devNonce`: only that script is let in besides
 * the site's own files. `worker`: the policy of the workers' scripts, where tfjs' threaded wasm
 * starts its threads as workers from blob: URLs it makes itself (a blob: URL can only be made by
 * a script already running here, so this lets no outside script in).
 */
export function contentSecurityPolicy({ devNonce, worker }: { devNonce?: string; worker?: boolean } = {}): string {
  const directives = { ...POLICY };
  if (devNonce) directives['script-src'] += ` 'nonce-${devNonce}'`;
  if (worker) {
    directives['script-src'] += ' blob:';
    directives['worker-src'] += ' blob:';
  }
  return Object.entries(directives)
    .map(([k, v]) => `${k} ${v}`)
    .join('; ');
}

/** The headers that make a page cross-origin isolated (SharedArrayBuffer, so wasm threads). */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
} as const;
