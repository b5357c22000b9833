// safetensors: an 8-byte little-endian header length, a JSON header of names, dtypes, shapes and
// byte ranges, then the raw little-endian data. PyTorch and the Hugging Face tools read it.
import type { TensorData } from '../engine/types';

export interface SafetensorsFile {
  tensors: TensorData[];
  /** The header's __metadata__: strings only, as the format allows. */
  metadata: Record<string, string>;
}

/** Largest header we read; real ones are a few kilobytes. */
const MAX_HEADER_BYTES = 16 * 1024 * 1024;

export function encodeSafetensors(tensors: readonly TensorData[], metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of tensors) {
    const bytes = t.values.length * 4;
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  // The data starts 8-byte aligned (readers may map it directly), so the header is padded with spaces.
  json += ' '.repeat((8 - ((8 + new TextEncoder().encode(json).length) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const t of tensors) {
    for (let i = 0; i < t.values.length; i++, at += 4) view.setFloat32(at, t.values[i], true);
  }
  return out;
}

/** Read a safetensors file; throws an Error whose message says what is wrong (tensor name, field). */
export function decodeSafetensors(bytes: Uint8Array): SafetensorsFile {
  const fail = (why: string): never => {
    throw new Error(`not a readable safetensors file: ${why}`);
  };
  if (bytes.length < 8) fail('it is shorter than its 8-byte header length');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > MAX_HEADER_BYTES || 8 + headerLength > bytes.length)
    fail(`its header length (${headerLength} bytes) runs past the file`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch {
    fail('its header is not JSON');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    return fail('its header is not a JSON object');
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const found: { begin: number; tensor: TensorData }[] = [];
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof entry !== 'object' || entry === null) fail('__metadata__ is not an object');
      for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`__metadata__.${k} is not a string`);
        metadata[k] = v as string;
      }
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e !== 'object' || e === null) fail(`${name} is not an object`);
    if (e.dtype !== 'F32') fail(`${name} has dtype ${JSON.stringify(e.dtype)}; only F32 (float32) is supported`);
    const shape = e.shape;
    if (!Array.isArray(shape) || shape.length > 8 || !shape.every((d) => Number.isInteger(d) && d >= 0))
      fail(`${name}.shape is not a list of sizes`);
    const offsets = e.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isInteger(o) && o >= 0))
      fail(`${name}.data_offsets is not two byte offsets`);
    const [begin, end] = offsets as number[];
    const size = (shape as number[]).reduce((a, b) => a * b, 1);
    if (end < begin || end > dataLength)
      fail(`${name}.data_offsets [${begin}, ${end}] run past the data (${dataLength} bytes)`);
    if (end - begin !== size * 4)
      fail(`${name} has ${end - begin} bytes, but its shape [${(shape as number[]).join(', ')}] needs ${size * 4}`);
    const values = new Float32Array(size);
    for (let i = 0; i < size; i++) values[i] = view.getFloat32(dataStart + begin + 4 * i, true);
    found.push({ begin, tensor: { name, shape: shape as number[], values } });
  }
  // In stored order (by offset), which is the order they were written in.
  return { tensors: found.sort((a, b) => a.begin - b.begin).map((f) => f.tensor), metadata };
}

/** Whether bytes start like a safetensors file (a header length, then a JSON object), whatever the file is called; `bytes` may be the file's first 16, `fileBytes` its size. */
export function looksLikeSafetensors(bytes: Uint8Array, fileBytes = bytes.length): boolean {
  if (bytes.length < 10 || bytes[8] !== 0x7b) return false;
  const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  return headerLength <= MAX_HEADER_BYTES && 8 + headerLength <= fileBytes;
}
