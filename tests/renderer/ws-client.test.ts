// The contract client over the browser-mode host's WebSocket, against a real host on a free port.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createWsClient, type SocketLike, type WsDeskClient } from '../../src/renderer/client/ws-client';
import { startWebHost, type WebHost } from '../../src/main/web/host';

let host: WebHost;
const clients: WsDeskClient[] = [];

function connect(token = host.token): WsDeskClient {
  const client = createWsClient({
    url: `ws://127.0.0.1:${host.port}/ws`,
    token,
    createSocket: (url) => new WebSocket(url, { origin: host.origin }) as unknown as SocketLike,
    connectTimeoutMs: 2000,
  });
  clients.push(client);
  return client;
}

/** Opens a raw socket and resolves with the upgrade's HTTP status (101 when accepted). */
function upgradeStatus(url: string, origin?: string): Promise<number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, origin ? { origin } : {});
    socket.on('open', () => {
      socket.close();
      resolve(101);
    });
    socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    socket.on('error', () => resolve(0));
  });
}

function rawExchange(message: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${host.port}/ws?token=${host.token}`);
    socket.on('open', () => socket.send(message));
    socket.on('message', (data) => {
      resolve(JSON.parse(String(data)) as Record<string, unknown>);
      socket.close();
    });
    socket.on('error', reject);
  });
}

beforeEach(async () => {
  host = await startWebHost({ dataDir: null, port: 0, operatorId: 'city-dispatcher' });
});

afterEach(async () => {
  clients.splice(0).forEach((client) => client.close());
  await host.close();
});

const CALL = {
  source: 'call_110',
  category: 'burglary',
  priority: 1,
  callerName: '王先生',
  callerPhone: '13912345678',
  address: '平利县长安镇中心街18号',
  summary: '多名嫌疑人入室盗窃后驾车逃离',
  location: { lng: 109.2852, lat: 32.4702 },
  countyId: '610926',
} as const;

describe('contract client over the loopback WebSocket', () => {
  it('carries a command and a query round trip as the signed-in operator', async () => {
    const client = connect();
    const actor = await client.query('session.get', {});
    expect(actor.operatorId).toBe('city-dispatcher');
    const incident = await client.command('incident.create', CALL);
    expect(incident.countyId).toBe('610926');
    const read = await client.query('incident.get', { id: incident.id });
    expect(read.address).toBe(CALL.address);
  });

  it('delivers events to subscribers and stops after the undo', async () => {
    const client = connect();
    const created: string[] = [];
    const undo = client.subscribe('incident.created', ({ incident }) => created.push(incident.id));
    await client.query('session.get', {});
    const first = await client.command('incident.create', CALL);
    await expect.poll(() => created).toEqual([first.id]);
    undo();
    await client.query('session.get', {});
    await client.command('incident.create', { ...CALL, address: '平利县城关镇' });
    await client.query('session.get', {});
    expect(created).toEqual([first.id]);
    expect(host.desk.events.listenerCount()).toBe(0);
  });

  it('rejects a refused command with the core error, not a crash', async () => {
    const client = connect();
    await expect(client.command('incident.create', { ...CALL, address: '' })).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await expect(client.query('incident.get', { id: 'no-such-incident' })).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('refuses a connection without the start token, with a wrong one, or from another origin', async () => {
    const base = `ws://127.0.0.1:${host.port}/ws`;
    expect(await upgradeStatus(base)).toBe(401);
    expect(await upgradeStatus(`${base}?token=wrong`)).toBe(401);
    expect(await upgradeStatus(`${base}?token=${host.token}`, 'http://evil.example')).toBe(403);
    expect(await upgradeStatus(`${base}?token=${host.token}`, host.origin)).toBe(101);
  });

  it('fails a call clearly when the token is wrong, instead of hanging', async () => {
    const client = connect('wrong-token');
    await expect(client.query('session.get', {})).rejects.toThrow(/no connection to the workstation host/);
  });

  it('answers malformed, unknown and oversized messages with an error and keeps serving', async () => {
    expect(await rawExchange('not json')).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await rawExchange(JSON.stringify({ id: 1, kind: 'delete', name: 'x' }))).toMatchObject({
      id: 1,
      ok: false,
    });
    expect(
      await rawExchange(JSON.stringify({ id: 2, kind: 'command', name: 'db.drop', input: {} })),
    ).toMatchObject({
      id: 2,
      ok: false,
      error: { code: 'invalid_input' },
    });
    const huge = JSON.stringify({
      id: 3,
      kind: 'query',
      name: 'session.get',
      input: { pad: 'x'.repeat(1_100_000) },
    });
    expect(await rawExchange(huge)).toMatchObject({ ok: false, error: { code: 'too_large' } });
    expect(
      await rawExchange(JSON.stringify({ id: 4, kind: 'query', name: 'session.get', input: {} })),
    ).toMatchObject({ id: 4, ok: true });
  });

  it('fails pending calls when the host goes away, and reconnects when it is back', async () => {
    const client = connect();
    await client.query('session.get', {});
    const states: string[] = [];
    client.onConnection((state) => states.push(state));
    const port = host.port;
    await host.close();
    await expect(client.query('session.get', {})).rejects.toThrow();
    host = await startWebHost({ dataDir: null, port, operatorId: 'op-610926', token: host.token });
    await expect.poll(() => client.state, { timeout: 8000 }).toBe('open');
    expect((await client.query('session.get', {})).operatorId).toBe('op-610926');
    expect(states).toContain('closed');
  });

  it('serves the basemap and refuses paths that climb out of its folders', async () => {
    const ok = await fetch(`${host.origin}/map/county-labels.geojson`);
    expect(ok.status).toBe(200);
    const traversal = await fetch(`${host.origin}/map/..%2f..%2fpackage.json`);
    expect([400, 404]).toContain(traversal.status);
  });
});
