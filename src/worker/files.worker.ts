/// <reference lib="webworker" />
// The person's big files are read here, not on the page's thread: a run file of 1,000 runs is
// tens of megabytes of JSON and base64 to check, and a table up to 100 MB of CSV; on the page
// either would freeze it for seconds.
import Papa from 'papaparse';
import { CSV_OPTIONS, quoteProblem, TableBuilder, type Table, type TableResult } from '../data/table';
import { readRunFile } from '../export/runFile';
import { TextCounter, type TextStats } from '../data/text';
import type { FilesReply, FilesRequest } from './filesProtocol';
import { checkpointBuffers } from './transfer';
import { readImages, unzipImages } from './imageDecode';

/** Runs per message to the page: taking in one message is then a short task, not a frozen second. */
const RUNS_PER_MESSAGE = 50;

function post(msg: FilesReply, transfer: Transferable[] = []): void {
  (self as unknown as DedicatedWorkerGlobalScope).postMessage(msg, transfer);
}

/** A table is read this many bytes (or characters) at a time, with a progress report after each. */
const TABLE_CHUNK = 4 << 20;

/** Read a CSV a chunk at a time into a table kept by column, stopping at its first problem. */
function readTable(requestId: number, csv: Blob | string): Promise<TableResult<Table>> {
  const size = typeof csv === 'string' ? csv.length : csv.size;
  const builder = new TableBuilder();
  let chunks = 0;
  return new Promise((resolve, reject) => {
    // papaparse reads any Blob as it reads a File (slice by slice).
    Papa.parse<string[]>(csv as File, {
      ...CSV_OPTIONS,
      delimitersToGuess: [...CSV_OPTIONS.delimitersToGuess],
      chunkSize: TABLE_CHUNK,
      chunk: (results, parser) => {
        const quotes = quoteProblem(results.errors, builder.rowsSeen);
        if (quotes) builder.refuse(quotes);
        if (!builder.add(results.data)) parser.abort();
        chunks++;
        post({ type: 'tableProgress', requestId, fraction: Math.min(1, (chunks * TABLE_CHUNK) / Math.max(1, size)) });
      },
      complete: () => resolve(builder.finish()),
      error: (e) => reject(e),
    });
  });
}

/** A text's size, characters and alphabet, decoded and counted a slice at a time with a progress report after each. */
async function countText(requestId: number, text: Blob | string): Promise<TextStats> {
  const counter = new TextCounter();
  if (typeof text === 'string') {
    for (let at = 0; at < text.length;) {
      // Not between a surrogate pair's halves: the counter takes whole characters.
      let end = Math.min(text.length, at + TABLE_CHUNK);
      if (end < text.length && text.charCodeAt(end - 1) >= 0xd800 && text.charCodeAt(end - 1) <= 0xdbff) end++;
      counter.add(text.slice(at, end));
      at = end;
      post({ type: 'tableProgress', requestId, fraction: end / text.length });
    }
    return counter.finish();
  }
  // UTF-8 as the browser reads a text file (a byte-order mark dropped); the decoder holds a character cut by a slice.
  const decoder = new TextDecoder();
  for (let at = 0; at < text.size; at += TABLE_CHUNK) {
    const bytes = await text.slice(at, at + TABLE_CHUNK).arrayBuffer();
    counter.add(decoder.decode(bytes, { stream: at + TABLE_CHUNK < text.size }));
    post({ type: 'tableProgress', requestId, fraction: Math.min(1, (at + TABLE_CHUNK) / Math.max(1, text.size)) });
  }
  return counter.finish();
}

self.onmessage = async (event: MessageEvent<FilesRequest>) => {
  const request = event.data;
  const { requestId } = request;
  try {
    if (request.type === 'text') {
      post({ type: 'textStats', requestId, stats: await countText(requestId, request.text) });
      return;
    }
    if (request.type === 'table') {
      const result = await readTable(requestId, request.csv);
      // The columns' arrays move to the page instead of being copied.
      const transfer = result.ok
        ? result.value.cells.flatMap((c) => (c.codes ? [c.numbers.buffer, c.codes.buffer] : [c.numbers.buffer]))
        : [];
      post({ type: 'table', requestId, result }, transfer as ArrayBuffer[]);
      return;
    }
    if (request.type === 'images') {
      const progress = (fraction: number) => post({ type: 'tableProgress', requestId, fraction });
      let files = request.files;
      let tooBig: string[] = [];
      if (files instanceof Blob) ({ files, tooBig } = await unzipImages(files));
      const result = await readImages(files, request.source, progress, tooBig);
      post(
        { type: 'images', requestId, result },
        result.ok ? [result.value.pixels.buffer, result.value.labels.buffer] : [],
      );
      return;
    }
    const result = readRunFile(await request.file.text());
    if (!result.ok) return post({ type: 'refused', requestId, result });
    for (let from = 0; from < result.runs.length; from += RUNS_PER_MESSAGE) {
      const runs = result.runs.slice(from, from + RUNS_PER_MESSAGE);
      // The models' arrays move to the page instead of being copied.
      const transfer = runs.flatMap(({ checkpoint }) => (checkpoint ? checkpointBuffers(checkpoint) : []));
      post({ type: 'runs', requestId, runs, last: from + RUNS_PER_MESSAGE >= result.runs.length }, transfer);
    }
  } catch (e) {
    post({ type: 'error', requestId, message: e instanceof Error ? e.message : String(e) });
  }
};
