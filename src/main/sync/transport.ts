// How a workstation reaches the central server: HTTP JSON + a WebSocket for pokes, or an in-process endpoint
// (tests and the simulation) with the same shapes and the same failure modes.
import WebSocket from 'ws';
import { DeskError } from '../../shared/errors';
import { LinkDown, postForBytes, postTarget, ServerRefusal, type PostTarget } from './http-post';
import {
  PROTOCOL_VERSION,
  SCHEMA_VERSION,
  type EnrollResponse,
  type LivePoke,
  type LoginRequest,
  type LoginResponse,
  type PullRequest,
  type PullResponse,
  type PushRequest,
  type PushResponse,
} from '../../shared/sync';

/** The operator a sign-in names, as the server (or the offline verifier) knows them. */
export type SignedInOperator = LoginResponse['operator'];

export { LinkDown, ServerRefusal } from './http-post';

export interface LiveHandlers {
  onPoke(poke: LivePoke): void;
  onOpen(): void;
  onClose(): void;
}

export interface SyncTransport {
  login(request: LoginRequest): Promise<LoginResponse>;
  push(token: string, request: PushRequest): Promise<PushResponse>;
  /**
   * The pull answer's body as it came, UTF-8 JSON meant to be a PullResponse: the client reads and checks it
   * (pull-reader.ts), off its main thread where it can.
   */
  pull(token: string, request: PullRequest): Promise<Uint8Array>;
  /** Opens the live channel; the returned function closes it. */
  live(token: string, handlers: LiveHandlers): () => void;
  /**
   * Where pull answers can be asked for over HTTP by another thread (the pull reader's worker follows a catch-up
   * from there, asking for each answer as soon as the one before has parsed); absent for other transports.
   */
  pullSource?(): PullSource;
}

/** The server's base URL and how long to wait for an answer. */
export interface PullSource {
  url: string;
  timeoutMs: number;
}

export const VERSIONS = { protocol: PROTOCOL_VERSION, schema: SCHEMA_VERSION } as const;

/**
 * HTTP JSON on the server's /v1 routes, and its /v1/live WebSocket. Built on node:http rather than fetch: on
 * Node 20, fetch could leave a POST pending until its timeout when the peer reset the connection mid-request
 * (a dropped link then stalled every request for the whole timeout, and a process with nothing else to wait for
 * exited with the request unsettled). node:http reports the reset at once.
 */
export class HttpTransport implements SyncTransport {
  private readonly target: PostTarget;

  constructor(url: string, timeoutMs = 30_000) {
    this.target = postTarget(url, timeoutMs);
  }

  private async post<T>(path: string, body: unknown, token?: string): Promise<T> {
    const bytes = await postForBytes(this.target, path, body, token);
    try {
      return JSON.parse(bytes.toString('utf8')) as T;
    } catch (error) {
      throw new LinkDown(`${path}: unreadable answer (${(error as Error).message})`);
    }
  }

  /** The pull route: the pull reader's worker asks for a catch-up's answers there itself. */
  pullSource(): PullSource {
    return { url: this.target.base, timeoutMs: this.target.timeoutMs };
  }

  login(request: LoginRequest): Promise<LoginResponse> {
    return this.post('/v1/auth/login', request);
  }

  enroll(enrollToken: string, workstationId: string): Promise<EnrollResponse> {
    return this.post('/v1/enroll', { ...VERSIONS, enrollToken, workstationId });
  }

  push(token: string, request: PushRequest): Promise<PushResponse> {
    return this.post('/v1/push', request, token);
  }

  pull(token: string, request: PullRequest): Promise<Uint8Array> {
    return postForBytes(this.target, '/v1/pull', request, token);
  }

  live(token: string, handlers: LiveHandlers): () => void {
    const url = `${this.target.base.replace(/^http/, 'ws')}/v1/live?token=${encodeURIComponent(token)}`;
    const socket = new WebSocket(url);
    let closed = false;
    socket.on('open', () => handlers.onOpen());
    socket.on('message', (data) => {
      try {
        const message = JSON.parse(String(data)) as LivePoke;
        if (message.type === 'poke') handlers.onPoke(message);
      } catch {
        // A message we cannot read is not a poke; the next pull catches up anyway.
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (!closed) handlers.onClose();
      closed = true;
    });
    return () => {
      closed = true;
      socket.terminate();
    };
  }
}

/** What the in-process transport calls: the server's hub, or a test double with the same answers. */
export interface SyncEndpoint {
  login(request: LoginRequest): LoginResponse | Promise<LoginResponse>;
  push(token: string, request: PushRequest): PushResponse | Promise<PushResponse>;
  pull(token: string, request: PullRequest): PullResponse | Promise<PullResponse>;
  subscribe(token: string, onPoke: (poke: LivePoke) => void): () => void;
}

/** Faults a test can inject on one link: each call may be lost before or after the server acts on it. */
export interface LinkFaults {
  /** The link is cut: every call fails and the live channel closes. */
  down: boolean;
  /** Decides, per call, whether the request is lost before the server sees it. */
  dropRequest?: () => boolean;
  /** Decides, per call, whether the answer is lost after the server acted (the client must resend). */
  dropResponse?: () => boolean;
  /** Decides, per call, whether the request is delivered twice (the server must apply it once). */
  duplicate?: () => boolean;
}

function asDeskError(error: unknown): ServerRefusal {
  if (error instanceof DeskError) {
    const status =
      error.code === 'unauthenticated'
        ? 401
        : error.code === 'forbidden'
          ? 403
          : error.code === 'version_mismatch'
            ? 409
            : error.code === 'too_large'
              ? 413
              : 400;
    return new ServerRefusal(status, error.toInfo());
  }
  throw error;
}

/** Calls an endpoint in the same process, through JSON (so nothing is shared by reference), with faults. */
export class InProcessTransport implements SyncTransport {
  readonly faults: LinkFaults = { down: false };
  private readonly lives = new Set<{ handlers: LiveHandlers; close: () => void }>();

  constructor(private readonly endpoint: SyncEndpoint) {}

  private async call<T>(what: string, run: () => T | Promise<T>): Promise<T> {
    await Promise.resolve();
    if (this.faults.down || this.faults.dropRequest?.()) throw new LinkDown(`${what}: link down`);
    let answer: T;
    try {
      if (this.faults.duplicate?.()) await run();
      answer = await run();
    } catch (error) {
      throw asDeskError(error);
    }
    if (this.faults.down || this.faults.dropResponse?.()) throw new LinkDown(`${what}: answer lost`);
    return JSON.parse(JSON.stringify(answer)) as T;
  }

  login(request: LoginRequest): Promise<LoginResponse> {
    return this.call('login', () => this.endpoint.login(request));
  }

  push(token: string, request: PushRequest): Promise<PushResponse> {
    const copy = JSON.parse(JSON.stringify(request)) as PushRequest;
    return this.call('push', () => this.endpoint.push(token, copy));
  }

  /** The answer as bytes, as a server's body would come: the client reads it the same way. */
  async pull(token: string, request: PullRequest): Promise<Uint8Array> {
    const copy = JSON.parse(JSON.stringify(request)) as PullRequest;
    const answer = await this.call('pull', () => this.endpoint.pull(token, copy));
    return Buffer.from(JSON.stringify(answer));
  }

  live(token: string, handlers: LiveHandlers): () => void {
    if (this.faults.down) {
      queueMicrotask(() => handlers.onClose());
      return () => undefined;
    }
    const unsubscribe = this.endpoint.subscribe(token, (poke) => {
      if (!this.faults.down) handlers.onPoke(poke);
    });
    const entry = { handlers, close: unsubscribe };
    this.lives.add(entry);
    queueMicrotask(() => handlers.onOpen());
    return () => {
      unsubscribe();
      this.lives.delete(entry);
    };
  }

  /** Cuts or restores the link; cutting closes the live channel as a dropped socket would. */
  setDown(down: boolean): void {
    this.faults.down = down;
    if (down) {
      for (const entry of [...this.lives]) {
        entry.close();
        this.lives.delete(entry);
        entry.handlers.onClose();
      }
    }
  }
}
