// The Content-Security-Policy the site ships: the built page (a <meta> tag), and the dev and preview
// servers (a header). Scripts come only from the site itself, WebAssembly may compile (tfjs' wasm
// backend), and nothing is evaluated from text (no 'unsafe-eval').

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
 * the site's own files.
 */
export function contentSecurityPolicy({ devNonce }: { devNonce?: string } = {}): string {
  const directives = { ...POLICY };
  if (devNonce) directives['script-src'] += ` 'nonce-${devNonce}'`;
  return Object.entries(directives)
    .map(([k, v]) => `${k} ${v}`)
    .join('; ');
}
