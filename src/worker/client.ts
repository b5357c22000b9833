import type { PortableRun, RunFileResult } from '../export/runFile';
import type { Table, TableResult } from '../data/table';
import type { ImageFile } from '../data/ownImages';
import type { TextStats } from '../data/text';
import type { FromWorker, ToWorker } from './protocol';
import type { SurfaceReply, SurfaceRequest } from './surfaceProtocol';
import type { FilesReply, FilesRequest } from './filesProtocol';
import type { ImagesResult } from './imageDecode';

/** How often the page asks the training worker whether it still answers. */
const PING_MS = 2_000;
/**
 * A worker not heard from for this long is stuck (an endless loop, a hung device): it is ended
 * like a crashed one. A live worker answers a ping as soon as it yields (training yields between
 * batches), and while it works without yielding every tf kernel it runs says it is alive, at most
 * once a second (heartbeat.ts). (Tests may change it: `playgroundStallMs`.)
 */
const STALL_MS = (globalThis as { playgroundStallMs?: number }).playgroundStallMs ?? 10_000;

/**
 * The page's side of one long-lived worker: started on the first message, typed messages both
 * ways, and replaced after a crash (the next message starts a fresh one).
 */
export class WorkerClient<In, Out> {
  protected worker: Worker | null = null;

  constructor(
    private readonly create: () => Worker,
    private readonly name: string,
    protected readonly onMessage: (msg: Out) => void,
    private readonly onCrash: (message: string) => void,
  ) {}

  send(msg: In): void {
    if (!this.worker) {
      this.worker = this.create();
      this.worker.onmessage = (e: MessageEvent<Out>) => this.received(e.data);
      // A worker that threw may be in any state: end it, so the next message starts a fresh one.
      this.worker.onerror = (e) => this.fail(`The ${this.name} crashed: ${e.message}`);
      this.started();
    }
    this.worker.postMessage(msg);
  }

  /** End the worker; the next message starts a fresh one. */
  restart(): void {
    this.worker?.terminate();
    this.worker = null;
  }

  protected received(msg: Out): void {
    this.onMessage(msg);
  }

  protected started(): void {}

  protected fail(message: string): void {
    this.restart();
    this.onCrash(message);
  }
}

/** The training worker's client, with a watchdog that ends a worker which stops answering. */
export class TrainingWorkerClient extends WorkerClient<ToWorker, FromWorker> {
  /** When the oldest ping still unanswered was sent (null: the worker has been heard from since). */
  private unansweredSince: number | null = null;
  /** When the watchdog last looked. */
  private lastCheck = 0;
  private watchdog: ReturnType<typeof setInterval> | null = null;

  /**
   * `environment`: what each worker started is told first, besides the cores: the webgpu matmul
   * choices kept from earlier visits, and whether training is paced to be watched (Live).
   */
  constructor(
    onMessage: (msg: FromWorker) => void,
    private environment: () => { matmulTunings: Record<string, unknown>; live: boolean } = () => ({
      matmulTunings: {},
      live: true,
    }),
  ) {
    super(
      () => new Worker(new URL('./training.worker.ts', import.meta.url), { type: 'module' }),
      'training worker',
      onMessage,
      (message) => onMessage({ type: 'crashed', runId: -1, message }),
    );
  }

  protected override received(msg: FromWorker): void {
    this.unansweredSince = null;
    if (msg.type !== 'pong') this.onMessage(msg);
  }

  protected override started(): void {
    this.worker!.postMessage({
      type: 'environment',
      cores: navigator.hardwareConcurrency,
      ...this.environment(),
    } satisfies ToWorker);
    this.unansweredSince = null;
    this.lastCheck = performance.now();
    this.watchdog ??= setInterval(() => this.check(), PING_MS);
  }

  /**
   * Ping, or end a worker silent for STALL_MS since a ping. A check that comes late (the page was
   * busy) may run before the answer queued behind it: it gives its verdict after that answer.
   */
  private check(): void {
    if (!this.worker) return;
    const now = performance.now();
    const late = now - this.lastCheck > 2 * PING_MS;
    this.lastCheck = now;
    if (this.unansweredSince === null) {
      this.unansweredSince = now;
      this.worker.postMessage({ type: 'ping' } satisfies ToWorker);
    } else if (now - this.unansweredSince > STALL_MS) {
      if (late) setTimeout(() => this.endIfSilent(), 0);
      else this.endIfSilent();
    }
  }

  private endIfSilent(): void {
    if (this.worker && this.unansweredSince !== null)
      this.fail(`The training worker stopped answering for ${Math.round(STALL_MS / 1000)} s`);
  }
}

/** The loss-surface lab's worker (tfjs on cpu, apart from training). */
export function surfaceWorkerClient(
  onMessage: (msg: SurfaceReply) => void,
  onCrash: (message: string) => void,
): WorkerClient<SurfaceRequest, SurfaceReply> {
  return new WorkerClient(
    () => new Worker(new URL('./surface.worker.ts', import.meta.url), { type: 'module' }),
    'loss-surface worker',
    onMessage,
    onCrash,
  );
}

/**
 * Reads the person's files in a worker of its own, one request at a time per file; a worker that
 * crashes (out of memory on a huge file) fails the requests it held, and the next starts afresh.
 */
export class FilesWorkerClient {
  private next = 1;
  private readonly waiting = new Map<
    number,
    {
      runs: PortableRun[];
      onProgress?: (fraction: number) => void;
      resolve: (r: RunFileResult | TableResult<Table> | ImagesResult | TextStats) => void;
      reject: (e: Error) => void;
    }
  >();
  private readonly client = new WorkerClient<FilesRequest, FilesReply>(
    () => new Worker(new URL('./files.worker.ts', import.meta.url), { type: 'module' }),
    'file-reading worker',
    (reply) => this.received(reply),
    (message) => {
      for (const w of this.waiting.values()) w.reject(new Error(message));
      this.waiting.clear();
    },
  );

  /** A run file's runs, checked as readRunFile checks them. */
  readRunFile(file: Blob): Promise<RunFileResult> {
    return this.ask((requestId) => ({ type: 'runFile', requestId, file })) as Promise<RunFileResult>;
  }

  /** A CSV table, checked as parseTable checks it, read in chunks with progress. */
  readTable(csv: Blob | string, onProgress: (fraction: number) => void): Promise<TableResult<Table>> {
    return this.ask((requestId) => ({ type: 'table', requestId, csv }), onProgress) as Promise<TableResult<Table>>;
  }

  /** The person's text: its size, characters and alphabet, counted in slices with progress. */
  countText(text: Blob | string, onProgress: (fraction: number) => void): Promise<TextStats> {
    return this.ask((requestId) => ({ type: 'text', requestId, text }), onProgress) as Promise<TextStats>;
  }

  /** The person's images (files with their folder paths, or a zip), sorted into classes and decoded, with progress. */
  readImages(files: ImageFile[] | Blob, source: string, onProgress: (fraction: number) => void): Promise<ImagesResult> {
    return this.ask((requestId) => ({ type: 'images', requestId, files, source }), onProgress) as Promise<ImagesResult>;
  }

  private ask(request: (requestId: number) => FilesRequest, onProgress?: (fraction: number) => void) {
    const requestId = this.next++;
    return new Promise<RunFileResult | TableResult<Table> | ImagesResult | TextStats>((resolve, reject) => {
      this.waiting.set(requestId, { runs: [], onProgress, resolve, reject });
      this.client.send(request(requestId));
    });
  }

  private received(reply: FilesReply): void {
    const w = this.waiting.get(reply.requestId);
    if (!w) return;
    if (reply.type === 'tableProgress') return w.onProgress?.(reply.fraction);
    if (reply.type === 'runs') {
      w.runs.push(...reply.runs);
      if (!reply.last) return;
      w.resolve({ ok: true, runs: w.runs });
    } else if (reply.type === 'refused' || reply.type === 'table' || reply.type === 'images') w.resolve(reply.result);
    else if (reply.type === 'textStats') w.resolve(reply.stats);
    else w.reject(new Error(reply.message));
    this.waiting.delete(reply.requestId);
  }
}

let shared: FilesWorkerClient | null = null;
/** The page's one file-reading worker, started on first use. */
export const fileReader = () => (shared ??= new FilesWorkerClient());
