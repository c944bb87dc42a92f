// The browser-mode host: serves the built console and the basemap over HTTP on 127.0.0.1, and carries the
// contract over a WebSocket at /ws that only a page holding this start's random token may open.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import { EVENT_NAMES, isCommandName, isQueryName, type EventName } from '../../shared/contract';
import type { Actor } from '../../shared/domain/model';
import { DeskError, toErrorInfo } from '../../shared/errors';
import { parseInput } from '../../shared/validate';
import { ClientMessage, MAX_WIRE_MESSAGE_BYTES, type ReplyMessage } from '../../shared/wire';
import type { Desk } from '../api/desk';
import { startSupervision, SUPERVISION_INTERVAL_MS, supervisionScope } from '../host';
import { openWebStore } from './store';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const RENDERER_DIR = join(REPO_ROOT, 'dist', 'renderer');
export const MAP_DIR = join(REPO_ROOT, 'resources', 'map');

/** What vite names a built asset: assets/<name>-<8 characters of content hash>.<ext>. */
const HASHED_ASSET = /^\/assets\/[^/]+-[A-Za-z0-9_-]{8}\.[a-z0-9]+$/;

/** Above this much unsent data a page is too slow to follow; it is dropped and refetches on reconnect. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

export interface WebHostOptions {
  /** A Desk already open (tests, benchmarks); otherwise one is opened on dataDir. */
  desk?: Desk;
  /** The signed-in operator when desk is given. */
  actor?: Actor;
  /** Folder of the store; null for an in-memory store. Ignored when desk is given. */
  dataDir?: string | null;
  /** Demo operator id this console signs in as. */
  operatorId?: string;
  /** 0 picks a free port. */
  port?: number;
  rendererDir?: string;
  mapDir?: string;
  /** Fixed token (tests); a random one otherwise. */
  token?: string;
  /** Run the supervision timer every this many ms (default 15 s when the host opened the store; 0 = off). */
  supervisionMs?: number;
}

export interface WebHost {
  /** The console's address with the token in its fragment: open this. */
  url: string;
  /** http://127.0.0.1:<port> without the token. */
  origin: string;
  token: string;
  port: number;
  desk: Desk;
  actor: Actor;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.geojson': 'application/geo+json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wav': 'audio/wav',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
  '.ico': 'image/x-icon',
};

function sameToken(given: string | null, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Resolves a URL path inside a folder, or null when it would leave it. */
function fileInside(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const full = resolve(root, '.' + normalize('/' + decoded));
  const base = resolve(root);
  return full === base || full.startsWith(base + sep) ? full : null;
}

export async function startWebHost(options: WebHostOptions = {}): Promise<WebHost> {
  const opened = options.desk
    ? null
    : openWebStore(
        options.dataDir === undefined ? null : options.dataDir,
        options.operatorId ?? 'city-dispatcher',
      );
  const desk = options.desk ?? opened?.desk;
  const actor = options.actor ?? opened?.actor;
  if (!desk || !actor)
    throw new DeskError('invalid_input', 'startWebHost: a desk was given without the actor it serves');
  const stopSupervision = startSupervision(
    desk,
    options.supervisionMs ?? (opened ? SUPERVISION_INTERVAL_MS : 0),
    supervisionScope(actor),
  );
  const token = options.token ?? randomBytes(24).toString('base64url');
  const rendererDir = options.rendererDir ?? RENDERER_DIR;
  const mapDir = options.mapDir ?? MAP_DIR;
  let port = 0;
  const allowedHosts = (): string[] => [`127.0.0.1:${port}`, `localhost:${port}`];
  const allowedOrigins = (): string[] => allowedHosts().map((host) => `http://${host}`);

  function send(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
    res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
    res.end(body);
  }

  function serveFile(req: IncomingMessage, res: ServerResponse, file: string, path: string): void {
    const type = CONTENT_TYPES[extname(file)] ?? 'application/octet-stream';
    const stat = statSync(file);
    const etag = `"${stat.size.toString(36)}-${Math.trunc(stat.mtimeMs).toString(36)}"`;
    // The build's assets carry a hash of their content in their names, so the browser may keep them (and the
    // code it compiled from them) for good; the page itself and the basemap are checked again on every load.
    const cache = file.endsWith('.html')
      ? 'no-store'
      : HASHED_ASSET.test(path)
        ? 'public, max-age=31536000, immutable'
        : 'no-cache';
    if (req.headers['if-none-match'] === etag && !file.endsWith('.html')) {
      res.writeHead(304, { ETag: etag, 'Cache-Control': cache });
      res.end();
      return;
    }
    res.writeHead(200, {
      'Content-Type': type,
      'Content-Length': stat.size,
      'Cache-Control': cache,
      ...(file.endsWith('.html') ? {} : { ETag: etag }),
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file).pipe(res);
  }

  const server = createServer((req, res) => {
    // Same headers on every answer: no framing, no sniffing, nothing fetched from anywhere but here.
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader(
      'Content-Security-Policy',
      [
        "default-src 'self'",
        `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
        "img-src 'self' data: blob:",
        "worker-src 'self' blob:",
        "style-src 'self' 'unsafe-inline'",
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
      ].join('; '),
    );
    // A page on another name that resolves to 127.0.0.1 (DNS rebinding) must not read the console.
    if (!allowedHosts().includes(req.headers.host ?? '')) return send(res, 421, 'wrong host');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed');
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    let file: string | null;
    if (path.startsWith('/map/')) file = fileInside(mapDir, path.slice('/map/'.length));
    else file = fileInside(rendererDir, path === '/' ? 'index.html' : path.slice(1));
    if (!file) return send(res, 400, 'bad path');
    if (existsSync(file) && statSync(file).isFile()) return serveFile(req, res, file, path);
    if (path === '/' || path === '/index.html')
      return send(
        res,
        503,
        'The console is not built yet: run npm run build:web (or start:web without --no-build).',
      );
    return send(res, 404, 'not found');
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 4 * MAX_WIRE_MESSAGE_BYTES });

  function refuse(socket: Duplex, status: number, reason: string): void {
    socket.write(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    socket.destroy();
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/ws') return refuse(socket, 404, 'Not Found');
    if (!allowedHosts().includes(req.headers.host ?? '')) return refuse(socket, 421, 'Misdirected Request');
    const origin = req.headers.origin;
    // Browsers always send Origin; a page from anywhere else is refused even if it guessed the token.
    if (origin !== undefined && !allowedOrigins().includes(origin)) return refuse(socket, 403, 'Forbidden');
    if (!sameToken(url.searchParams.get('token'), token)) return refuse(socket, 401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws: WebSocket) => {
    const subscriptions = new Map<EventName, () => void>();
    const reply = (message: ReplyMessage): void => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
    };
    ws.on('message', (data, isBinary) => {
      const size = Array.isArray(data)
        ? data.reduce((n, b) => n + b.length, 0)
        : data instanceof ArrayBuffer
          ? data.byteLength
          : data.length;
      if (isBinary)
        return reply({
          id: null,
          ok: false,
          error: { code: 'invalid_input', message: 'messages are JSON text' },
        });
      if (size > MAX_WIRE_MESSAGE_BYTES) {
        return reply({
          id: null,
          ok: false,
          error: { code: 'too_large', message: `message of ${size} bytes exceeds ${MAX_WIRE_MESSAGE_BYTES}` },
        });
      }
      let raw: unknown;
      try {
        raw = JSON.parse(String(data));
      } catch {
        return reply({
          id: null,
          ok: false,
          error: { code: 'invalid_input', message: 'message is not JSON' },
        });
      }
      const rawId = (raw as { id?: unknown } | null)?.id;
      const id = typeof rawId === 'number' && Number.isInteger(rawId) && rawId >= 0 ? rawId : null;
      try {
        const message = parseInput('message', ClientMessage, raw);
        if (message.kind === 'command') {
          if (!isCommandName(message.name))
            throw new DeskError('invalid_input', `unknown command ${message.name}`);
          return reply({
            id: message.id,
            ok: true,
            value: desk.command(actor, message.name, message.input ?? {}),
          });
        }
        if (message.kind === 'query') {
          if (!isQueryName(message.name))
            throw new DeskError('invalid_input', `unknown query ${message.name}`);
          return reply({
            id: message.id,
            ok: true,
            value: desk.query(actor, message.name, message.input ?? {}),
          });
        }
        const event = EVENT_NAMES.find((name) => name === message.name);
        if (!event) throw new DeskError('invalid_input', `unknown event ${message.name}`);
        if (message.kind === 'subscribe' && !subscriptions.has(event)) {
          subscriptions.set(
            event,
            desk.events.on(event, (payload) => {
              if (ws.readyState !== ws.OPEN) return;
              if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
                ws.close(1013, 'too slow to follow events');
                return;
              }
              ws.send(JSON.stringify({ event, payload }));
            }),
          );
        }
        if (message.kind === 'unsubscribe') {
          subscriptions.get(event)?.();
          subscriptions.delete(event);
        }
        return reply({ id: message.id, ok: true, value: null });
      } catch (error) {
        const info = toErrorInfo(error);
        if (info.code === 'internal') console.error('web host: call failed', error);
        return reply({ id, ok: false, error: info });
      }
    });
    ws.on('close', () => {
      for (const undo of subscriptions.values()) undo();
      subscriptions.clear();
    });
    ws.on('error', () => ws.terminate());
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;

  return {
    url: `${origin}/#token=${token}`,
    origin,
    token,
    port,
    desk,
    actor,
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
      stopSupervision();
      opened?.close();
    },
  };
}
