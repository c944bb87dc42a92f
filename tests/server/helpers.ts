// Server test fixtures: a real server on a free loopback port with the demo store, and small protocol helpers.
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer, type ServerOptions } from '../../src/server/app';
import { demoPassword, demoSecret, seedDemo } from '../../src/server/admin';
import { SyncHub } from '../../src/server/hub';
import type { Session } from '../../src/server/auth';
import {
  PROTOCOL_VERSION,
  SCHEMA_VERSION,
  type LoginResponse,
  type PullResponse,
  type PushResponse,
  type PushedCommand,
} from '../../src/shared/sync';

export const V = { protocol: PROTOCOL_VERSION, schema: SCHEMA_VERSION };
export const PINGLI = '610926';
export const HANBIN = '610902';
export const CHANGAN = { lng: 109.2852, lat: 32.4702 };
export const HANBIN_CENTRE = { lng: 109.0293, lat: 32.6849 };

export interface TestServer extends RunningServer {
  dataDir: string;
  stop(): Promise<void>;
}

let template: string | undefined;

/**
 * A data dir with the region, the demo accounts and demo workstations, built once per test file and copied:
 * hashing the demo passwords (scrypt) is deliberately slow.
 */
export function demoDataDir(): string {
  if (!template || !existsSync(template)) {
    template = mkdtempSync(join(tmpdir(), 'desk-server-template-'));
    const hub = SyncHub.open(template);
    seedDemo(hub, { workstations: true });
    hub.close();
  }
  const dir = mkdtempSync(join(tmpdir(), 'desk-server-'));
  cpSync(template, dir, { recursive: true });
  return dir;
}

export async function startTestServer(options: Partial<ServerOptions> = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? demoDataDir();
  const server = await startServer({ port: 0, demo: true, ...options, dataDir });
  return {
    ...server,
    dataDir,
    stop: async () => {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A test server on the caller's clock with the city dispatcher (ws-city) and Pingli's operator (ws-610926) signed
 * in, and `next(workstation)`: the next outbox counter of that workstation, from 1.
 */
export async function cityAndPingliServer(now: () => number): Promise<{
  server: TestServer;
  city: LoginResponse;
  pingli: LoginResponse;
  next: (workstationId: string) => number;
}> {
  const server = await startTestServer({ now, tokenTtlMs: 60 * 60_000 });
  const city = await login(server, 'city-dispatcher', 'ws-city');
  const pingli = await login(server, `op-${PINGLI}`, `ws-${PINGLI}`);
  const counters: Record<string, number> = {};
  const next = (workstationId: string) => (counters[workstationId] = (counters[workstationId] ?? 0) + 1);
  return { server, city, pingli, next };
}

export interface Reply<T = unknown> {
  status: number;
  body: T;
}

export async function post<T = unknown>(
  server: { url: string },
  path: string,
  body: unknown,
  token?: string,
): Promise<Reply<T>> {
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

export async function login(
  server: { url: string },
  operatorId: string,
  workstationId: string,
  secret = demoSecret(workstationId),
): Promise<LoginResponse> {
  const reply = await post<LoginResponse>(server, '/v1/auth/login', {
    ...V,
    operatorId,
    password: demoPassword(operatorId),
    workstationId,
    workstationSecret: secret,
  });
  if (reply.status !== 200) throw new Error(`sign-in of ${operatorId} failed: ${JSON.stringify(reply.body)}`);
  return reply.body;
}

/** A session on the hub for a demo operator at a demo-enrolled workstation (signed in directly, no HTTP). */
export function demoSession(hub: SyncHub, operatorId: string, workstationId: string): Session {
  const { token } = hub.login({
    ...V,
    operatorId,
    password: demoPassword(operatorId),
    workstationId,
    workstationSecret: demoSecret(workstationId),
  });
  return hub.session(token);
}

export function push(
  server: { url: string },
  token: string,
  workstationId: string,
  commands: PushedCommand[],
): Promise<Reply<PushResponse>> {
  return post<PushResponse>(server, '/v1/push', { ...V, workstationId, commands }, token);
}

export function pull(
  server: { url: string },
  token: string,
  workstationId: string,
  partitions: { partition: string; cursor: number }[],
  limit = 5000,
): Promise<Reply<PullResponse>> {
  return post<PullResponse>(server, '/v1/pull', { ...V, workstationId, partitions, limit }, token);
}

/** A command as a workstation's outbox would send it. */
export function command(
  counter: number,
  name: string,
  input: unknown,
  operatorId: string,
  at = Date.now(),
  commandId = `cmd-${operatorId}-${counter}-${Math.random().toString(36).slice(2, 8)}`,
): PushedCommand {
  return { commandId, counter, name, input, operatorId, at };
}

export function burglaryCall(id: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    number: `T-${id}`,
    source: 'call_110',
    category: 'burglary',
    priority: 1,
    callerName: '王先生',
    callerPhone: '13912345678',
    address: '平利县长安镇中心街18号',
    summary: '多名嫌疑人入室盗窃后驾车逃离',
    location: CHANGAN,
    ...overrides,
  };
}

/** Sends raw bytes (any content, any declared length) and reads whatever answer comes back. */
export function rawPost(
  server: { url: string },
  path: string,
  bytes: Buffer,
  headers: Record<string, string | number> = {},
  token?: string,
): Promise<Reply<{ code?: string; message?: string }>> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, server.url);
    const req = request(
      url,
      {
        method: 'POST',
        // An empty header value means "leave this header out" (e.g. content-length for a chunked body).
        headers: Object.fromEntries(
          Object.entries({
            'content-type': 'application/json',
            'content-length': bytes.length,
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...headers,
          }).filter(([, value]) => value !== ''),
        ),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: { code?: string; message?: string };
          try {
            body = JSON.parse(text) as { code?: string; message?: string };
          } catch {
            body = { message: text };
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
      },
    );
    // The server may answer and close before it has read everything (413): that is not a failure here.
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
    });
    req.on('close', () => resolve({ status: 0, body: { message: 'connection closed without an answer' } }));
    req.end(bytes);
  });
}
