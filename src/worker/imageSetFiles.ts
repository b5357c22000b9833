// The big image sets (full MNIST, Fashion-MNIST), fetched only when a run needs them: the compressed file is read
// with its progress reported, kept in the browser's Cache Storage (the next visit reads it from there), and
// decompressed here in the worker.
import { decodeImageSet, type ImageSet } from '../data/imageSet';

/** A new name when the files' format changes; the URLs themselves carry each file's hash. */
const CACHE_NAME = 'nn-playground-datasets-v1';

/** How far a download has come: bytes received, and of how many (null when the server does not say). */
export type LoadProgress = (received: number, total: number | null) => void;

/** The stored response for `url`, or null where there is none or Cache Storage is unavailable (it is optional). */
async function fromCache(url: string): Promise<Response | null> {
  try {
    return typeof caches === 'undefined' ? null : ((await (await caches.open(CACHE_NAME)).match(url)) ?? null);
  } catch {
    return null;
  }
}

/** Keep the compressed bytes for the next visit; a full or refused store only means the next visit fetches again. */
async function keep(url: string, bytes: Uint8Array): Promise<void> {
  try {
    if (typeof caches !== 'undefined')
      await (await caches.open(CACHE_NAME)).put(url, new Response(bytes as Uint8Array<ArrayBuffer>));
  } catch {
    // Quota or privacy settings: the file is simply fetched again next time.
  }
}

/** A response's body, read chunk by chunk with its progress (at most about every 100 ms, and at the end). */
async function readWithProgress(response: Response, onProgress: LoadProgress): Promise<Uint8Array> {
  const length = Number(response.headers.get('content-length'));
  const total = Number.isFinite(length) && length > 0 ? length : null;
  const reader = response.body!.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  let told = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.length;
    if (Date.now() - told > 100) {
      told = Date.now();
      // A server that compressed the file on the way counts other bytes than we receive: then the total is unknown.
      onProgress(received, total !== null && total >= received ? total : null);
    }
  }
  onProgress(received, total !== null && total >= received ? total : received);
  const out = new Uint8Array(received);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** gzip's bytes decompressed; bytes that are not gzip (a server that decoded them already) are returned as they are. */
async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** The image set at `url` (named `what` in messages), from the cache or the network. */
export async function loadImageSet(url: string, what: string, onProgress: LoadProgress): Promise<ImageSet> {
  let bytes: Uint8Array;
  const cached = await fromCache(url);
  if (cached) bytes = await readWithProgress(cached, onProgress);
  else {
    let response: Response;
    try {
      response = await fetch(url);
    } catch (e) {
      throw new Error(`${what} could not be downloaded (${e instanceof Error ? e.message : String(e)})`, { cause: e });
    }
    if (!response.ok || !response.body) throw new Error(`${what} could not be downloaded: HTTP ${response.status}`);
    bytes = await readWithProgress(response, onProgress);
    await keep(url, bytes);
  }
  return decodeImageSet(await gunzip(bytes), what);
}
