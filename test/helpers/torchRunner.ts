// The exported programs run through one long-lived Python that imports torch once and forks a fresh child per
// run (test/helpers/torchZygote.py): each run is `python3 train.py …` in its own folder, without paying
// torch's import again (1.4 s a run here).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface PythonResult {
  status: number;
  stdout: string;
  stderr: string;
}

export class TorchRunner {
  private process: ChildProcessWithoutNullStreams | null = null;
  private replies: ((reply: PythonResult) => void)[] = [];
  private pending = '';
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly python: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** `python3 <argv…>` in `cwd`, with `env` added; one run at a time. */
  run(cwd: string, argv: string[], env: Record<string, string> = {}): Promise<PythonResult> {
    const next = this.queue.then(() => this.send({ cwd, argv, env }));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** `python3 <argv…>` as `ranks` processes started as torchrun starts them (MASTER_ADDR and MASTER_PORT in `env`). */
  runRanks(cwd: string, argv: string[], ranks: number, env: Record<string, string>): Promise<PythonResult[]> {
    const next = this.queue.then(() => this.send({ cwd, argv, env, ranks }));
    this.queue = next.catch(() => undefined);
    return next.then((reply) => (reply as unknown as { ranks: PythonResult[] }).ranks);
  }

  close(): void {
    this.process?.stdin.end();
    this.process = null;
  }

  private send(request: {
    cwd: string;
    argv: string[];
    env: Record<string, string>;
    ranks?: number;
  }): Promise<PythonResult> {
    const child = this.started();
    return new Promise<PythonResult>((resolve, reject) => {
      const failed = (code: number | null) => reject(new Error(`the Python runner exited (${code}): ${this.pending}`));
      child.once('exit', failed);
      this.replies.push((reply) => {
        child.off('exit', failed);
        resolve(reply);
      });
      child.stdin.write(`${JSON.stringify(request)}\n`);
    });
  }

  private started(): ChildProcessWithoutNullStreams {
    if (this.process) return this.process;
    const child = spawn(this.python, [join(import.meta.dirname, 'torchZygote.py')], { env: this.env });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      this.pending += chunk;
      let end: number;
      while ((end = this.pending.indexOf('\n')) >= 0) {
        const line = this.pending.slice(0, end);
        this.pending = this.pending.slice(end + 1);
        this.replies.shift()?.(JSON.parse(line) as PythonResult);
      }
    });
    child.stderr.on('data', (d) => (this.pending += String(d)));
    this.process = child;
    return child;
  }
}

/** A TCP port nothing listens on now: the rendezvous of one multi-process run. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
