// The central server's transports: HTTP JSON endpoints over the sync hub and the live WebSocket that pokes
// connected workstations; bounded bodies, one error shape, and a graceful stop that finishes what it accepted.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { isAscii } from 'node:buffer';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { DeskError, toErrorInfo, type ErrorCode, type ErrorInfo } from '../shared/errors';
import { MAX_BODY_BYTES, PROTOCOL_VERSION, SCHEMA_VERSION, type LivePoke } from '../shared/sync';
import type { Session } from './auth';
import { SyncHub, silentLogger, type HubOptions, type Logger } from './hub';

export interface ServerOptions {
  dataDir: string;
  port: number;
  host?: string;
  tokenTtlMs?: number;
  now?: () => number;
  log?: Logger;
  /** Create the demo accounts and the demo workstations (ws-city, ws-610926) on start; see admin.ts. */
  demo?: boolean;
  region?: HubOptions['region'];
  /** How often live connections' sessions are checked again (default LIVE_SESSION_CHECK_MS). */
  liveSessionCheckMs?: number;
  /** How long a stop waits for requests still in flight (default SHUTDOWN_GRACE_MS). */
  shutdownGraceMs?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  hub: SyncHub;
  /** Connections the server holds open now (HTTP and live): what a leak would grow. */
  openSockets(): number;
  /** Requests being read, applied or answered now: what a stop waits for (within SHUTDOWN_GRACE_MS). */
  requestsInFlight(): number;
  close(): Promise<void>;
}

const STATUS: Record<ErrorCode, number> = {
  invalid_input: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  illegal_transition: 409,
  version_mismatch: 409,
  too_large: 413,
  internal: 500,
};

/** How a refused live upgrade is answered: status line reason and error code. */
const REFUSALS = {
  400: ['Bad Request', 'invalid_input'],
  401: ['Unauthorized', 'unauthenticated'],
  404: ['Not Found', 'not_found'],
  503: ['Service Unavailable', 'internal'],
} as const;

/** Subprotocol a live client may offer beside its token. */
export const LIVE_PROTOCOL = 'desk-live';
/**
 * A live connection whose session ended (expired, account disabled, workstation gone) is closed with this code and
 * the reason: a WebSocket is authenticated once, when it opens, and would otherwise go on telling a shut-out
 * console which partitions moved.
 */
export const LIVE_SESSION_ENDED = 4401;
export const LIVE_SESSION_CHECK_MS = 30_000;

/**
 * How long a stop waits for requests in flight before it drops their connections. Every request is applied in one
 * synchronous step once its body is read, so what is still in flight then is a body still arriving (nothing of it
 * applied) or an answer a slow client has not taken (its commands stored, a resend answered `duplicate`). Without
 * it a stalled body held the stop for Node's request timeout, up to 90 s: as long as systemd waits before SIGKILL.
 */
export const SHUTDOWN_GRACE_MS = 10_000;
/**
 * Live channels one workstation may hold; a newer one closes its oldest with LIVE_REPLACED. A console needs one
 * (its old one may linger half-open for a while after its link dropped, hence a few). Without a bound, one token
 * opened as many as it liked (300 in a probe), each a descriptor and a copy of every poke.
 */
export const LIVE_CHANNELS_PER_WORKSTATION = 4;
export const LIVE_REPLACED = 4409;

/**
 * Failed sign-ins one client address may make for one workstation within SIGN_IN_WINDOW_MS; beyond them its
 * sign-ins are answered 429 until the window ends. Each sign-in hashes the password with scrypt on the main thread
 * (tens of milliseconds): a console retrying a wrong password in a loop, or anyone holding a workstation's secret,
 * stalled every other workstation's pushes (16 such clients at once took a push from 10 ms to over 500 ms).
 * Keyed by address and workstation, so nobody elsewhere can lock a console out by naming its id.
 */
export const SIGN_IN_FAILURES_ALLOWED = 10;
export const SIGN_IN_WINDOW_MS = 60_000;

class TooManySignIns extends DeskError {
  constructor(
    workstationId: string,
    readonly retryAfterS: number,
  ) {
    super(
      'unauthenticated',
      `too many failed sign-ins for workstation ${workstationId} from this address: try again in ${retryAfterS} s`,
      { workstationId, retryAfterS },
    );
  }
}

/**
 * Largest body of the routes anyone may call (sign-in, enrolment): theirs are a few hundred bytes. The data routes
 * take MAX_BODY_BYTES, and only from a caller whose session was checked before a byte of the body was read: an
 * anonymous caller could otherwise make the server hold 4 MB per connection for as long as it cared to send them.
 */
export const MAX_ANONYMOUS_BODY_BYTES = 16 * 1024;

class TooLarge extends DeskError {
  constructor(size: number | string, limit: number) {
    super('too_large', `request body of ${size} bytes is over the ${limit} byte limit`);
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new TooLarge(declared, limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.pause();
        reject(new TooLarge(`more than ${limit}`, limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseJson(body: Buffer): unknown {
  try {
    // Workstations send ASCII (non-ASCII escaped): read as Latin-1 it needs no UTF-8 decoding, a third of the time a
    // push batch's body took to read. Anything else is read as UTF-8.
    return JSON.parse(isAscii(body) ? body.toString('latin1') : body.toString('utf8')) as unknown;
  } catch (error) {
    throw new DeskError(
      'invalid_input',
      `request body is not valid JSON: ${(error as Error).message.slice(0, 120)}`,
    );
  }
}

/**
 * The request's target as a URL, or a 400 naming it. A target such as `//[` passes Node's HTTP parser but makes
 * `new URL` throw: thrown from the request or upgrade handler, that one request ended the server process.
 */
function targetOf(req: IncomingMessage): URL {
  try {
    return new URL(req.url ?? '/', 'http://server');
  } catch {
    throw new DeskError(
      'invalid_input',
      `request target ${JSON.stringify((req.url ?? '').slice(0, 100))} is not a valid path`,
    );
  }
}

/**
 * Answers on a socket the HTTP server no longer writes to (a refused upgrade, a request its parser refused) in the
 * protocol's error shape, then closes it once the answer is out: merely ending it left it open for as long as the
 * client kept its side open (an upgrade's socket has no timeout).
 */
function refuseOnSocket(socket: Socket, status: number, reason: string, info: ErrorInfo): void {
  const body = JSON.stringify(info);
  socket.write(
    `HTTP/1.1 ${status} ${reason}\r\nconnection: close\r\ncontent-type: application/json; charset=utf-8\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  socket.destroySoon();
}

function bearer(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const log = options.log ?? silentLogger;
  const hub = SyncHub.open(options.dataDir, {
    now: options.now,
    tokenTtlMs: options.tokenTtlMs,
    log,
    region: options.region,
  });
  if (options.demo) {
    const { seedDemo } = await import('./admin');
    seedDemo(hub, { workstations: true });
  }
  let stopping = false;
  let inFlight = 0;
  let drained: (() => void) | null = null;
  const done = () => {
    inFlight -= 1;
    if (inFlight === 0) drained?.();
  };

  const send = (res: ServerResponse, status: number, body: string | Buffer) => {
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      ...(stopping ? { connection: 'close' } : {}),
    });
    res.end(body);
  };

  const sendError = (res: ServerResponse, error: unknown) => {
    if (error instanceof TooManySignIns) {
      res.setHeader('retry-after', error.retryAfterS);
      send(res, 429, JSON.stringify(error.toInfo()));
      return;
    }
    const info = toErrorInfo(error);
    const status = STATUS[info.code] ?? 500;
    const body =
      info.code === 'version_mismatch'
        ? { ...info, server: { protocol: PROTOCOL_VERSION, schema: SCHEMA_VERSION } }
        : info;
    send(res, status, JSON.stringify(body));
  };

  const clock = options.now ?? Date.now;
  const signInFailures = new Map<string, { since: number; count: number }>();
  const signIn = (req: IncomingMessage, body: unknown) => {
    const claimed = (body as { workstationId?: unknown } | null)?.workstationId;
    const workstationId = typeof claimed === 'string' ? claimed.slice(0, 64) : '';
    const key = `${req.socket.remoteAddress ?? ''} ${workstationId}`;
    const now = clock();
    const failed = signInFailures.get(key);
    if (failed && now - failed.since >= SIGN_IN_WINDOW_MS) signInFailures.delete(key);
    else if (failed && failed.count >= SIGN_IN_FAILURES_ALLOWED)
      throw new TooManySignIns(workstationId, Math.ceil((failed.since + SIGN_IN_WINDOW_MS - now) / 1000));
    try {
      const answer = hub.login(body);
      signInFailures.delete(key);
      return answer;
    } catch (error) {
      if (error instanceof DeskError && error.code === 'unauthenticated') {
        const entry = signInFailures.get(key) ?? { since: now, count: 0 };
        entry.count += 1;
        signInFailures.set(key, entry);
      }
      throw error;
    }
  };

  const route = (method: string, path: string, req: IncomingMessage, body: unknown): string | Buffer => {
    const auth = (): Session => hub.session(bearer(req));
    if (method !== 'POST') throw new DeskError('not_found', `no route ${method} ${path}`);
    switch (path) {
      case '/v1/auth/login':
        return JSON.stringify(signIn(req, body));
      case '/v1/enroll':
        return JSON.stringify(hub.enroll(body));
      case '/v1/push': {
        const session = auth();
        const response = hub.push(session, body);
        log('info', 'push', {
          workstationId: session.workstationId,
          commands: response.results.length,
          rejected: response.results.filter((r) => r.status === 'rejected').length,
        });
        return JSON.stringify(response);
      }
      case '/v1/pull':
        return hub.pullJson(auth(), body);
      default:
        throw new DeskError('not_found', `no route POST ${path}`);
    }
  };

  const known = new Set(['/v1/auth/login', '/v1/enroll', '/v1/push', '/v1/pull']);

  const server = createServer((req, res) => {
    inFlight += 1;
    res.on('close', done);
    let url: URL;
    try {
      url = targetOf(req);
    } catch (error) {
      sendError(res, error);
      req.resume();
      return;
    }
    const method = req.method ?? 'GET';
    if (stopping) {
      send(res, 503, JSON.stringify({ code: 'internal', message: 'server is shutting down: retry later' }));
      req.resume();
      return;
    }
    if (method === 'GET' && url.pathname === '/v1/health') {
      send(res, 200, JSON.stringify({ ok: true, protocol: PROTOCOL_VERSION, schema: SCHEMA_VERSION }));
      req.resume();
      return;
    }
    if (!known.has(url.pathname) || method !== 'POST') {
      sendError(res, new DeskError('not_found', `no route ${method} ${url.pathname}`));
      req.resume();
      return;
    }
    // Answered at once and closed, with what the client is still sending discarded, not buffered, for a moment
    // (closing on unread data would reset the connection before the client could read the answer).
    const refuseUnread = (error: unknown) => {
      res.setHeader('connection', 'close');
      sendError(res, error);
      res.on('finish', () => {
        req.removeAllListeners('data');
        req.resume();
        setTimeout(() => req.socket.destroy(), 2000).unref();
      });
    };
    const anonymous = url.pathname === '/v1/auth/login' || url.pathname === '/v1/enroll';
    if (!anonymous) {
      try {
        hub.session(bearer(req));
      } catch (error) {
        refuseUnread(error);
        return;
      }
    }
    readBody(req, anonymous ? MAX_ANONYMOUS_BODY_BYTES : MAX_BODY_BYTES)
      .then((raw) => {
        const body = parseJson(raw);
        send(res, 200, route(method, url.pathname, req, body));
      })
      .catch((error: unknown) => {
        if (!(error instanceof DeskError))
          log('error', 'request failed', { path: url.pathname, error: toErrorInfo(error).message });
        if (error instanceof TooLarge) refuseUnread(error);
        else sendError(res, error);
      });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 60_000;
  // What Node's HTTP parser refuses before any handler runs (headers over 16 KiB, a malformed request, one not
  // received in time) is answered in the protocol's error shape, naming what was wrong: Node's own answers had
  // no body (a console could only say "the server answered 431").
  server.on('clientError', (error: NodeJS.ErrnoException & { reason?: string }, socket: Socket) => {
    socket.on('error', () => socket.destroy());
    if (!socket.writable || socket.bytesWritten > 0) {
      socket.destroy();
      return;
    }
    const [status, reason, message] =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', 'request headers are over the 16 KiB limit']
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'Request Timeout', `request not received within ${server.requestTimeout / 1000} s`]
          : [400, 'Bad Request', `malformed HTTP request: ${error.reason ?? error.message}`];
    refuseOnSocket(socket, status, reason, { code: 'invalid_input', message });
  });

  // ---------- live pokes ----------
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 4096,
    handleProtocols: (protocols) => (protocols.has(LIVE_PROTOCOL) ? LIVE_PROTOCOL : false),
  });
  // In the order they opened (a Map keeps insertion order): the first of a workstation's is its oldest.
  const live = new Map<
    WebSocket,
    { workstationId: string; readable: Set<string>; token: string; exp: number }
  >();
  const endLive = (ws: WebSocket, reason: string) => {
    live.delete(ws);
    // A close reason is at most 123 bytes of UTF-8.
    ws.close(
      LIVE_SESSION_ENDED,
      Buffer.from(reason)
        .subarray(0, 123)
        .toString()
        .replace(/\uFFFD+$/, ''),
    );
  };
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    // The socket is ours from here: the HTTP server took its handlers off it. Without an 'error' handler, a client
    // that reset the connection after a refusal raised an error nobody listened to, which ended the process.
    socket.on('error', () => socket.destroy());
    const refuse = (status: 400 | 401 | 404 | 503, message: string) => {
      const [reason, code] = REFUSALS[status];
      refuseOnSocket(socket, status, reason, { code, message });
    };
    let url: URL;
    try {
      url = targetOf(req);
    } catch (error) {
      refuse(400, toErrorInfo(error).message);
      return;
    }
    if (stopping) {
      refuse(503, 'server is shutting down: retry later');
      return;
    }
    if (url.pathname !== '/v1/live') {
      refuse(404, `no live endpoint at ${url.pathname}`);
      return;
    }
    const offered = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p && p !== LIVE_PROTOCOL);
    const token = url.searchParams.get('token') ?? offered[0] ?? bearer(req);
    let session: Session;
    try {
      session = hub.session(token ?? undefined);
    } catch (error) {
      refuse(401, toErrorInfo(error).message);
      return;
    }
    const liveToken = token ?? '';
    wss.handleUpgrade(req, socket, head, (ws) => {
      const own = [...live].filter(([, channel]) => channel.workstationId === session.workstationId);
      for (const [old] of own.slice(0, Math.max(0, own.length - LIVE_CHANNELS_PER_WORKSTATION + 1))) {
        live.delete(old);
        old.close(
          LIVE_REPLACED,
          `replaced by a newer live channel of ${session.workstationId} (at most ${LIVE_CHANNELS_PER_WORKSTATION})`,
        );
        // Dropped if its client does not answer the close: a flood of channels must not linger 30 s each.
        setTimeout(() => old.terminate(), 2_000).unref();
      }
      live.set(ws, {
        workstationId: session.workstationId,
        readable: new Set(hub.readable(session)),
        token: liveToken,
        exp: session.exp,
      });
      ws.on('close', () => live.delete(ws));
      ws.on('error', () => live.delete(ws));
      // Workstations only listen; anything they send is ignored.
    });
  });

  // Expiry is checked at each poke; what only the store can tell (a disabled account, a removed workstation) on a
  // timer, by the same check every request gets. Failed sign-in counts whose window ended go on the same timer.
  const checkLive = setInterval(() => {
    const now = clock();
    for (const [key, { since }] of signInFailures)
      if (now - since >= SIGN_IN_WINDOW_MS) signInFailures.delete(key);
    for (const [ws, { token }] of live) {
      try {
        hub.session(token);
      } catch (error) {
        endLive(ws, toErrorInfo(error).message);
      }
    }
  }, options.liveSessionCheckMs ?? LIVE_SESSION_CHECK_MS);
  checkLive.unref();

  hub.onPoke((heads) => {
    const now = (options.now ?? Date.now)();
    for (const [ws, { readable, exp }] of live) {
      if (now >= exp) {
        endLive(ws, 'session expired: sign in again');
        continue;
      }
      for (const [partition, head] of heads) {
        if (!readable.has(partition)) continue;
        const poke: LivePoke = { type: 'poke', partition, head };
        ws.send(JSON.stringify(poke));
      }
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  log('info', 'server listening', { url, dataDir: options.dataDir });

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      stopping = true;
      clearInterval(checkLive);
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      for (const ws of live.keys()) ws.terminate();
      wss.close();
      // Requests already being read or applied finish and are answered, within the grace; then the store closes.
      if (inFlight > 0) {
        const grace = setTimeout(() => {
          log('warn', 'stopping: dropping connections still in flight', { requests: inFlight });
          for (const socket of sockets) socket.destroy();
        }, options.shutdownGraceMs ?? SHUTDOWN_GRACE_MS);
        await new Promise<void>((resolve) => (drained = resolve));
        clearTimeout(grace);
      }
      server.closeIdleConnections();
      for (const socket of sockets) if (!socket.destroyed) socket.destroySoon();
      await stopped;
      hub.close();
      log('info', 'server stopped', {});
    })();
    return closing;
  };

  return {
    url,
    port: address.port,
    hub,
    openSockets: () => sockets.size,
    requestsInFlight: () => inFlight,
    close,
  };
}
