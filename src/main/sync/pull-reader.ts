// Reads pull answers in a worker thread: decoding the UTF-8 body, parsing it, checking its shape and every record's
// hash took a third of a pull's CPU time on the main thread, which also applies the pages. With the next answer asked
// for before the current one is applied, the worker checks one while the main thread writes the other.
// One worker serves every sync client of the process. Where no worker can be started (or it failed), answers are
// read in the calling thread, with the same checks.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { DeskError, type ErrorInfo } from '../../shared/errors';
import type { PullPage, PullResponse } from '../../shared/sync';
import { decodePullAnswer, readPullAnswer, type PageCursor } from './pull-answer';

export interface ReaderRequest {
  id: number;
  bytes: Uint8Array;
}

/**
 * The pages' cursors as soon as the answer has parsed (before it is checked), then the checked text of the answer or
 * why it was refused; id 0 says the worker has loaded.
 */
export type ReaderReply =
  { id: number; cursors: PageCursor[] } | { id: number; text: string } | { id: number; error: ErrorInfo };

/** An answer being read: its cursors come first (to ask for the next pages), then its checked pages. */
export interface Reading {
  /** Where its pages leave their partitions; may be heard for an answer that `pages` then refuses. */
  cursors: Promise<PageCursor[]>;
  pages: Promise<PullPage[]>;
}

interface Settlers<T> {
  resolve: (value: T) => void;
  reject: (error: Error) => void;
}

interface Waiting {
  cursors: Settlers<PageCursor[]> & { told: boolean };
  pages: Settlers<PullPage[]>;
}

function settlers<T>(): Settlers<T> & { promise: Promise<T> } {
  let resolve: (value: T) => void = () => undefined;
  let reject: (error: Error) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function cursorsOfPages(pages: PullPage[]): PageCursor[] {
  return pages.map(({ partition, cursor, hasMore }) => ({ partition, cursor, hasMore }));
}

interface TsxManifest {
  exports: { './cjs/api': { require: { default: string } } };
}

/**
 * The worker: from source (tests, the web host under tsx) pull-worker.ts, compiled on load by tsx's require hook
 * (half the start-up CPU of its ES module loader, ~0.3 s); from a bundle, pull-worker.cjs beside it. Undefined when
 * neither can be loaded.
 */
function startWorker(): Worker | undefined {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    let tsx: string;
    try {
      const manifest = createRequire(here).resolve('tsx/package.json');
      const entry = (JSON.parse(readFileSync(manifest, 'utf8')) as TsxManifest).exports['./cjs/api'].require
        .default;
      tsx = fileURLToPath(new URL(entry, pathToFileURL(manifest)));
    } catch {
      return undefined;
    }
    const file = fileURLToPath(new URL('./pull-worker.ts', here));
    // No inherited options: this process's own loader flags (tsx's, --input-type) would make the worker load tsx
    // twice or read this CommonJS line as a module.
    return new Worker(`require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(file)});`, {
      eval: true,
      execArgv: [],
    });
  }
  const bundled = fileURLToPath(new URL('./pull-worker.cjs', here));
  return existsSync(bundled) ? new Worker(bundled) : undefined;
}

class PullReader {
  private worker: Worker | undefined;
  private started = false;
  private ready = false;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();

  /** Starts the worker ahead of the first answer (it takes a moment to load); answers are read here until then. */
  warm(): void {
    if (this.started) return;
    this.started = true;
    let worker: Worker | undefined;
    try {
      worker = startWorker();
    } catch {
      worker = undefined;
    }
    if (!worker) return;
    this.worker = worker;
    worker.on('message', (reply: ReaderReply) => this.settle(reply));
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', (code) => this.fail(new Error(`the pull reader's worker stopped (exit code ${code})`)));
    // After the listeners: adding a 'message' listener refs the worker's port again, and an idle worker must not
    // keep the process alive.
    worker.unref();
  }

  /** Whether answers are read in the worker now (it has loaded and not failed). */
  inWorker(): boolean {
    return this.worker !== undefined && this.ready;
  }

  /** Reads an answer: its cursors, then its pages once checked (a refused answer rejects with the DeskError). */
  read(bytes: Uint8Array): Reading {
    const worker = this.worker;
    if (!worker || !this.ready) {
      const pages = Promise.resolve().then(() => readPullAnswer(decodePullAnswer(bytes)));
      const cursors = pages.then(cursorsOfPages);
      cursors.catch(() => undefined);
      return { cursors, pages };
    }
    const id = this.nextId;
    this.nextId += 1;
    // A body that owns its whole buffer moves to the worker; a slice of a shared one is copied first.
    const own =
      bytes.byteOffset === 0 &&
      bytes.byteLength === bytes.buffer.byteLength &&
      bytes.buffer instanceof ArrayBuffer
        ? bytes
        : new Uint8Array(bytes);
    const cursors = settlers<PageCursor[]>();
    const pages = settlers<PullPage[]>();
    this.waiting.set(id, { cursors: { ...cursors, told: false }, pages });
    // Whoever reads may wait for the pages only (a refused answer rejects both).
    cursors.promise.catch(() => undefined);
    // Held while an answer is being read, so the process waits for it; let go when idle.
    if (this.waiting.size === 1) worker.ref();
    worker.postMessage({ id, bytes: own } satisfies ReaderRequest, [own.buffer as ArrayBuffer]);
    return { cursors: cursors.promise, pages: pages.promise };
  }

  private settle(reply: ReaderReply): void {
    if (reply.id === 0) {
      this.ready = true;
      return;
    }
    const waiting = this.waiting.get(reply.id);
    if (!waiting) return;
    if ('cursors' in reply) {
      waiting.cursors.told = true;
      waiting.cursors.resolve(reply.cursors);
      return;
    }
    this.waiting.delete(reply.id);
    if (this.waiting.size === 0) this.worker?.unref();
    if ('error' in reply) {
      const error = new DeskError(reply.error.code, reply.error.message, reply.error.details);
      if (!waiting.cursors.told) waiting.cursors.reject(error);
      waiting.pages.reject(error);
      return;
    }
    // The worker checked this very text (schema and hashes): parsed again here, it gives the same values.
    const pages = (JSON.parse(reply.text) as PullResponse).pages;
    if (!waiting.cursors.told) waiting.cursors.resolve(cursorsOfPages(pages));
    waiting.pages.resolve(pages);
  }

  /** The worker is gone: answers waiting for it fail (the cycle retries) and later ones are read here. */
  private fail(error: Error): void {
    this.worker = undefined;
    this.ready = false;
    for (const waiting of this.waiting.values()) {
      if (!waiting.cursors.told) waiting.cursors.reject(error);
      waiting.pages.reject(error);
    }
    this.waiting.clear();
  }
}

const reader = new PullReader();

/** The process's pull reader. */
export function pullReader(): Pick<PullReader, 'warm' | 'read' | 'inWorker'> {
  return reader;
}
