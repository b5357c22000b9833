// Image files for tests of the person's own images: PNGs encoded here (8-bit RGB, no filter), in a zip of class folders.
import { deflateSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { Rng } from '../../src/data/rng';
import { datasetDefaults, switchModel, type ExperimentSpec } from '../../src/experiment';
import { convLayer, poolLayer } from '../../src/experiment/cnn';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), 8 + data.length);
  return out;
}

/** A PNG of `width`×`height` RGB pixels (row by row). */
export function png(width: number, height: number, rgb: Uint8Array): Uint8Array {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits, RGB, deflate, no filter method, not interlaced
  const rows = Buffer.alloc(height * (1 + 3 * width));
  for (let r = 0; r < height; r++) rows.set(rgb.subarray(r * 3 * width, (r + 1) * 3 * width), r * (1 + 3 * width) + 1);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/**
 * Stripes of random colour and phase, `across` (horizontal: rows alternate) or not, `width`×`height`, with noise: a
 * CNN tells the two apart in a few epochs, and no single pixel or colour does.
 */
export function stripes(rng: Rng, width: number, height: number, across: boolean): Uint8Array {
  const period = 4 + Math.floor(rng.next() * 4);
  const phase = Math.floor(rng.next() * period);
  const ink = [0, 1, 2].map(() => 60 + Math.floor(rng.next() * 195));
  const rgb = new Uint8Array(width * height * 3);
  for (let r = 0; r < height; r++)
    for (let c = 0; c < width; c++) {
      const on = Math.floor(((across ? r : c) + phase) / (period / 2)) % 2 === 0;
      for (let k = 0; k < 3; k++)
        rgb[(r * width + c) * 3 + k] = Math.max(
          0,
          Math.min(255, (on ? ink[k] : 20) + Math.round((rng.next() - 0.5) * 40)),
        );
    }
  return png(width, height, rgb);
}

/** A zip of `top`/across/…png and `top`/down/…png (`perClass` each, 40×30), plus a note and a macOS folder to pass over. */
export function stripesZip(perClass: number, seed = 1, top = 'stripes'): Uint8Array {
  const rng = new Rng(seed);
  const files: Record<string, Uint8Array> = {
    [`${top}/README.txt`]: new TextEncoder().encode('two classes of stripes'),
    [`__MACOSX/${top}/._across`]: new Uint8Array(4),
  };
  for (let i = 0; i < perClass; i++) {
    files[`${top}/across/${i}.png`] = stripes(rng, 40, 30, true);
    files[`${top}/down/${i}.png`] = stripes(rng, 40, 30, false);
  }
  return zipSync(files);
}

/** `spec` made a small CNN (two 3×3 convolutions of 8, each pooled) on your images at `side` px in colour. */
export function cnnOnOwnImages(spec: ExperimentSpec, side: number, epochs: number): ExperimentSpec {
  spec.dataset = { ...spec.dataset, kind: 'userImages', ...datasetDefaults('userImages') };
  spec.dataset.ownImages = { side, colour: true };
  switchModel(spec, 'cnn');
  spec.model = {
    kind: 'cnn',
    layers: [convLayer(8, 3), poolLayer(2), convLayer(8, 3), poolLayer(2)],
    head: 'flatten',
    dense: [],
  };
  spec.training = { ...spec.training, epochs, batchSize: 16 };
  return spec;
}
