import { validateSpec, type SpecResult } from './validate';
import { migrateSpec } from './migrate';
import type { ExperimentSpec } from './types';

/** Spec → URL-safe base64 of its JSON, for the `#spec=` part of a shared link. */
export function encodeSpec(spec: ExperimentSpec): string {
  const bytes = new TextEncoder().encode(JSON.stringify(spec));
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The inverse of encodeSpec; a damaged or invalid link gives errors, never a guessed spec. */
export function decodeSpec(text: string): SpecResult {
  let json: unknown;
  try {
    const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
    const binary = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
    json = JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
  } catch {
    return { ok: false, errors: [{ field: 'link', message: 'the shared link is damaged: its spec could not be read' }] };
  }
  return validateSpec(migrateSpec(json));
}
