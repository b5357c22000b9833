import { validateSpec, type FieldError, type SpecResult } from './validate';
import { migrateSpec } from './migrate';
import { validateLabSettings, type LabSettings } from './lab';
import type { ExperimentSpec } from './types';

/** Any JSON value → URL-safe base64 of its text, for the part of a link after `#spec=` or `#lab=`. */
function encodeJson(value: unknown): string {
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Longer than any valid experiment's link (2,000 drawn points take about 80,000 characters). */
export const MAX_LINK_CHARS = 200_000;

/** The inverse of encodeJson; throws when the text is damaged or too long to be a valid one. */
function decodeJson(text: string): unknown {
  if (text.length > MAX_LINK_CHARS) throw new RangeError('too long');
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
}

/** Spec → the `#spec=` part of a shared link. */
export function encodeSpec(spec: ExperimentSpec): string {
  return encodeJson(spec);
}

/** The inverse of encodeSpec; a damaged or invalid link gives errors, never a guessed spec. */
export function decodeSpec(text: string): SpecResult {
  let json: unknown;
  try {
    json = decodeJson(text);
  } catch (e) {
    const message =
      e instanceof RangeError
        ? `the shared link is ${text.length.toLocaleString('en-US')} characters long, more than any experiment needs (${MAX_LINK_CHARS.toLocaleString('en-US')}); it was not opened`
        : 'the shared link is damaged: its spec could not be read';
    return { ok: false, errors: [{ field: 'link', message }] };
  }
  return validateSpec(migrateSpec(json));
}

/** Loss-surface lab settings → the `#lab=` part of a shared link. */
export function encodeLab(settings: LabSettings): string {
  return encodeJson(settings);
}

export function decodeLab(text: string): { ok: true; settings: LabSettings } | { ok: false; errors: FieldError[] } {
  try {
    return validateLabSettings(decodeJson(text));
  } catch {
    return {
      ok: false,
      errors: [{ field: 'link', message: 'the shared link is damaged: its lab settings could not be read' }],
    };
  }
}
