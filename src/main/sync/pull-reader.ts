// Reads pull answers in a worker thread: decoding the UTF-8 body, parsing it, checking its shape and every record's
// hash took a third of a pull's CPU time on the main thread, which also applies the pages. The worker checks one
// answer while the main thread writes the one before, and hands it over as ASCII JSON (ascii-json.ts). Over HTTP it
// also asks for the answers itself (follow): the main thread, busy applying, noticed late when the next could be
// asked for. One worker serves every sync client of the process. Where no worker can be started (or it failed),
// answers are asked for and read in the calling thread, with the same checks.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { DeskError, type ErrorInfo } from '../../shared/errors';
import type { PullPage, PullRequest, PullResponse } from '../../shared/sync';
import { LinkDown, ServerRefusal } from './http-post';
import { parseAsciiJson } from './ascii-json';
import { decodePullAnswer, readPullAnswer, type PageCursor } from './pull-answer';

/** An answer to check. */
export interface ReaderRequest {
  id: number;
  bytes: Uint8Array;
}

/** Follow a catch-up over HTTP from `request` on: ask, check and hand over each answer in turn. */
export interface FollowRequest {
  follow: number;
  url: string;
  timeoutMs: number;
  token: string;
  request: PullRequest;
}

export type WorkerRequest = ReaderRequest | FollowRequest | { took: number } | { close: number };

/** Why a followed answer did not come or was refused, as the main thread rebuilds it. */
export type StreamFailure =
  { refusal: { status: number; info: ErrorInfo } } | { link: string } | { error: ErrorInfo };

/** A followed stream's next answer, checked, or why the stream stopped. */
export type StreamReply = { stream: number; json: Uint8Array } | { stream: number; failure: StreamFailure };

/** Pages of pull answers in the order they come; `close` lets go of what has not been taken. */
export interface PageStream {
  next(): Promise<PullPage[]>;
  close(): void;
}

/**
 * The pages' cursors as soon as the answer has parsed (before it is checked), then the checked answer as ASCII JSON (asciiJson) or
 * why it was refused; id 0 says the worker has loaded.
 */
export type ReaderReply =
  | { id: number; cursors: PageCursor[] }
  | { id: number; json: Uint8Array }
  | { id: number; error: ErrorInfo }
  | { id: 0; ready: true };

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

function errorOf(failure: StreamFailure): Error {
  if ('refusal' in failure) return new ServerRefusal(failure.refusal.status, failure.refusal.info);
  if ('link' in failure) return new LinkDown(failure.link);
  return new DeskError(failure.error.code, failure.error.message, failure.error.details);
}

/** A stream the worker follows: answers handed over and not yet taken, or the reader waiting for one. */
class FollowedStream implements PageStream {
  private readonly arrived: (Uint8Array | Error)[] = [];
  private waiting: Settlers<PullPage[]> | undefined;
  private ended = false;

  constructor(
    readonly id: number,
    private readonly reader: PullReader,
  ) {}

  next(): Promise<PullPage[]> {
    const first = this.arrived.shift();
    if (first !== undefined) return Promise.resolve().then(() => this.take(first));
    if (this.ended) return Promise.reject(new Error('the pull stream has ended'));
    if (this.waiting) return Promise.reject(new Error('the pull stream is already being read'));
    const next = settlers<PullPage[]>();
    this.waiting = next;
    return next.promise;
  }

  /** The worker's next answer (checked, as ASCII JSON) or why the stream stopped. */
  deliver(item: Uint8Array | Error): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    if (!waiting) {
      this.arrived.push(item);
      return;
    }
    try {
      waiting.resolve(this.take(item));
    } catch (error) {
      waiting.reject(error as Error);
    }
  }

  private take(item: Uint8Array | Error): PullPage[] {
    if (item instanceof Error) {
      this.close();
      throw item;
    }
    this.reader.took(this.id);
    // The worker checked these very values (schema and hashes).
    return (parseAsciiJson(item) as PullResponse).pages;
  }

  /** The worker ended the stream at a failure (it needs no close message): the reader hears `error` next. */
  failed(error: Error): void {
    this.deliver(error);
    this.ended = true;
  }

  close(): void {
    if (this.ended) return;
    this.ended = true;
    this.arrived.length = 0;
    this.reader.closeStream(this.id);
    this.waiting?.reject(new Error('the pull stream was closed'));
    this.waiting = undefined;
  }
}

class PullReader {
  private worker: Worker | undefined;
  private started = false;
  private ready = false;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();
  private readonly streams = new Map<number, FollowedStream>();

  /** Holds the process open while answers are being read or followed; lets go when idle. */
  private hold(): void {
    if (this.waiting.size + this.streams.size === 1) this.worker?.ref();
  }

  private release(): void {
    if (this.waiting.size + this.streams.size === 0) this.worker?.unref();
  }

  /**
   * Follows a catch-up over HTTP in the worker (undefined without one): it asks for each answer itself as soon as
   * the one before has parsed, checks it and hands it over, at most a couple ahead of what has been taken. The
   * stream ends after an answer with no more pages, or at the first failure (the same errors a transport throws).
   */
  follow(
    source: { url: string; timeoutMs: number },
    token: string,
    request: PullRequest,
  ): PageStream | undefined {
    const worker = this.worker;
    if (!worker || !this.ready) return undefined;
    const id = this.nextId;
    this.nextId += 1;
    const stream = new FollowedStream(id, this);
    this.streams.set(id, stream);
    this.hold();
    worker.postMessage({
      follow: id,
      url: source.url,
      timeoutMs: source.timeoutMs,
      token,
      request,
    } satisfies WorkerRequest);
    return stream;
  }

  took(id: number): void {
    this.worker?.postMessage({ took: id } satisfies WorkerRequest);
  }

  closeStream(id: number): void {
    if (!this.streams.delete(id)) return;
    this.worker?.postMessage({ close: id } satisfies WorkerRequest);
    this.release();
  }

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
    worker.on('message', (reply: ReaderReply | StreamReply) => this.settle(reply));
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
    this.hold();
    worker.postMessage({ id, bytes: own } satisfies ReaderRequest, [own.buffer as ArrayBuffer]);
    return { cursors: cursors.promise, pages: pages.promise };
  }

  private settle(reply: ReaderReply | StreamReply): void {
    if ('stream' in reply) {
      const stream = this.streams.get(reply.stream);
      if (!stream) return;
      if ('failure' in reply) {
        // The worker has ended it: no close message needed.
        this.streams.delete(reply.stream);
        this.release();
        stream.failed(errorOf(reply.failure));
      } else stream.deliver(reply.json);
      return;
    }
    if ('ready' in reply) {
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
    this.release();
    if ('error' in reply) {
      const error = new DeskError(reply.error.code, reply.error.message, reply.error.details);
      if (!waiting.cursors.told) waiting.cursors.reject(error);
      waiting.pages.reject(error);
      return;
    }
    // The worker checked these very values (schema and hashes).
    const pages = (parseAsciiJson(reply.json) as PullResponse).pages;
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
    for (const stream of this.streams.values()) stream.failed(error);
    this.streams.clear();
    this.waiting.clear();
  }
}

const reader = new PullReader();

/** The process's pull reader. */
export function pullReader(): Pick<PullReader, 'warm' | 'read' | 'follow' | 'inWorker'> {
  return reader;
}
