// Checkpoints a store's WAL from a worker thread with its own connection, so copying committed pages into the
// database file runs beside the writer's next work instead of inside its commit: a third of a push batch's commit
// time on the server, and of a pulled page's on a workstation catching up.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * The worker: one connection, one PASSIVE checkpoint per message, an answer after each. PASSIVE never waits for
 * the writer and never blocks it; frames the writer appends meanwhile are left for the next checkpoint. `closed`
 * (shared memory) is set once the connection is closed or could not be opened, so close() can wait for it.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const closed = new Int32Array(workerData.closed);
function done() {
  Atomics.store(closed, 0, 1);
  Atomics.notify(closed, 0);
}
let db;
try {
  const Database = require(workerData.driver);
  db = new Database(workerData.file, workerData.nativeBinding ? { nativeBinding: workerData.nativeBinding } : {});
  db.pragma('synchronous = FULL');
} catch (error) {
  done();
  throw error;
}
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
parentPort.on('message', (message) => {
  if (message === 'close') {
    try {
      db.close();
    } finally {
      done();
      parentPort.close();
    }
    return;
  }
  let error = null;
  try {
    checkpoint.get();
  } catch (e) {
    error = String((e && e.message) || e);
  }
  parentPort.postMessage({ error });
});
`;

/** How long close() waits for the worker's connection to close (it may be finishing a checkpoint). */
const CLOSE_WAIT_MS = 10_000;

/**
 * How many WAL pages the writer lets pile up before it checkpoints on its own, as SQLite does by default every
 * 1,000: a backstop for when the worker falls behind or fails, far above what one push batch writes (~450).
 */
export const WRITER_CHECKPOINT_PAGES = 8_000;

export class BackgroundCheckpointer {
  private readonly worker: Worker;
  private running = false;
  private again = false;
  /** Once the worker has failed or ended, requests are dropped and the writer's backstop does the checkpoints. */
  private stopped = false;
  private readonly idle: (() => void)[] = [];
  private readonly closed = new Int32Array(new SharedArrayBuffer(4));

  /** `nativeBinding`: the better_sqlite3.node the writer's connection uses, when not the package's own. */
  constructor(
    file: string,
    private readonly onError: (message: string) => void,
    nativeBinding?: string,
  ) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { driver, file, nativeBinding, closed: this.closed.buffer },
    });
    // A checkpoint never keeps the process alive: what it did not copy stays in the WAL, safe.
    this.worker.unref();
    this.worker.on('message', ({ error }: { error: string | null }) => {
      if (error) this.onError(error);
      this.running = false;
      if (this.again) this.request();
      else this.settle();
    });
    this.worker.on('error', (error) => {
      this.onError(error.message);
      this.stop();
    });
    this.worker.on('exit', () => this.stop());
  }

  private stop(): void {
    this.stopped = true;
    this.running = false;
    this.settle();
  }

  private settle(): void {
    for (const resolve of this.idle.splice(0)) resolve();
  }

  /** Asks for a checkpoint after a commit; requests made while one runs become one more checkpoint after it. */
  request(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.again = false;
    this.worker.postMessage('checkpoint');
  }

  /** Resolves once no checkpoint is running or asked for. */
  whenIdle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /**
   * Closes the worker's connection, after the checkpoint it may be running, before returning: the store's files are
   * then left to the caller's connection alone (whose close checkpoints the rest and removes the WAL), so they can
   * be copied or removed as soon as the hub is closed.
   */
  close(): void {
    if (!this.stopped) {
      this.worker.postMessage('close');
      Atomics.wait(this.closed, 0, 0, CLOSE_WAIT_MS);
    }
    this.stopped = true;
  }
}
