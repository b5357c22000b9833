import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { expect, test } from 'vitest';

// DESIGN.md's rules: engine/, data/, experiment/ (and export/, cli/, which run in Node) never touch React or the DOM; ui/ and state/ never import tfjs.
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : /\.tsx?$/.test(p) ? [p] : [];
  });
}

const importsOf = (file: string) =>
  [...readFileSync(file, 'utf8').matchAll(/^\s*import\s+(?!type\b)[^'"]*['"]([^'"]+)['"]/gm)].map((m) => m[1]);
/** Every module a file names, type-only imports and re-exports included. */
const allImportsOf = (file: string) =>
  [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\b[^'";]*?['"]([^'"]+)['"]/gm)].map((m) => m[1]);

test('engine, data, experiment, export and the CLI import neither React nor the DOM', () => {
  for (const dir of ['src/engine', 'src/data', 'src/experiment', 'src/export', 'src/cli']) {
    for (const file of files(dir)) {
      const text = readFileSync(file, 'utf8');
      expect(
        importsOf(file).filter((i) => /^react/.test(i)),
        file,
      ).toEqual([]);
      expect(/\b(document|window)\./.test(text), `${file} touches the DOM`).toBe(false);
    }
  }
});

test('ui and state never import tfjs, nor engine modules that do', () => {
  const tfjsEngineFiles = new Set(
    files('src/engine')
      .filter((f) => importsOf(f).some((i) => i.startsWith('@tensorflow')))
      .map((f) => f.replace(/\.ts$/, '')),
  );
  expect(tfjsEngineFiles.size).toBeGreaterThan(0);
  for (const dir of ['src/ui', 'src/state']) {
    for (const file of files(dir)) {
      for (const i of allImportsOf(file)) {
        expect(i.startsWith('@tensorflow'), `${file} imports ${i}`).toBe(false);
        const target = join(file, '..', i);
        expect(tfjsEngineFiles.has(target), `${file} imports ${i}, which imports tfjs`).toBe(false);
      }
    }
  }
});

/** The folders each folder may import from, type-only imports included: the arrows point one way. */
const MAY_IMPORT: Record<string, string[]> = {
  experiment: [],
  data: ['experiment'],
  engine: ['experiment', 'data'],
  export: ['experiment', 'data', 'engine'],
  worker: ['experiment', 'data', 'engine', 'export'],
  cli: ['experiment', 'data', 'engine', 'export'],
  state: ['experiment', 'data', 'engine', 'export', 'worker'],
  ui: ['experiment', 'data', 'engine', 'export', 'state'],
};

test('every import points down the layers, types too', () => {
  for (const [folder, allowed] of Object.entries(MAY_IMPORT)) {
    for (const file of files(`src/${folder}`)) {
      for (const i of allImportsOf(file).filter((i) => i.startsWith('.'))) {
        const target = relative('src', join(file, '..', i)).split(sep)[0];
        if (target.startsWith('..') || target === folder || !(target in MAY_IMPORT)) continue; // outside src/ (datasets), or its own folder
        expect(allowed, `${file} imports ${i} (${folder} → ${target})`).toContain(target);
      }
    }
  }
});

test('no module in src/ is over 500 lines: one job each', () => {
  const long = files('src')
    .map((f) => [f, readFileSync(f, 'utf8').split('\n').length] as const)
    .filter(([, lines]) => lines > 500);
  expect(long).toEqual([]);
});
