// Runs the CLI in this process (same engine, no second Node start) and captures what it prints.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/main';

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** `npm run cli -- …args`, with stdout a terminal or not. */
export async function cli(args: string[], { tty = false } = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const status = await main(args, {
    stdout: { write: (t: string) => (stdout += t), isTTY: tty },
    stderr: { write: (t: string) => (stderr += t) },
  });
  return { status, stdout, stderr };
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `${prefix}-`));
}

/** The spec written to a file in `dir`, as the CLI takes it. */
export function specFile(dir: string, spec: unknown, name = 'spec.json'): string {
  const path = join(dir, name);
  writeFileSync(path, typeof spec === 'string' ? spec : JSON.stringify(spec));
  return path;
}
