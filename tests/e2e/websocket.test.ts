// The browser-mode host's WebSocket: no start token, a wrong one, or another page's origin is refused before
// any message is read; the right token opens the contract.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startWebHost, type WebHost } from '../../src/main/web/host';

let host: WebHost;

beforeAll(async () => {
  // The socket needs no built console, so this file does not wait for a build.
  host = await startWebHost({ dataDir: null, operatorId: 'op-610926', supervisionMs: 0 });
});

afterAll(async () => {
  await host?.close();
});

type Outcome = { opened: true; socket: WebSocket } | { opened: false; status: number | null; error: string };

function connect(query: string, headers: Record<string, string> = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`ws://127.0.0.1:${host.port}/ws${query}`, { headers });
    socket.once('open', () => resolve({ opened: true, socket }));
    socket.once('unexpected-response', (_request, response) => {
      resolve({ opened: false, status: response.statusCode ?? null, error: response.statusMessage ?? '' });
      socket.terminate();
    });
    socket.once('error', (error) => resolve({ opened: false, status: null, error: error.message }));
  });
}

function ask(socket: WebSocket, message: object): Promise<unknown> {
  return new Promise((resolve) => {
    socket.once('message', (data) => resolve(JSON.parse(String(data))));
    socket.send(JSON.stringify(message));
  });
}

describe('the console WebSocket and its start token', () => {
  it('refuses a connection that carries no token', async () => {
    const outcome = await connect('');
    expect(outcome.opened, 'a page without the start token must not reach the workstation').toBe(false);
    if (!outcome.opened) expect(outcome.status).toBe(401);
  });

  it('refuses a connection with a wrong token, even one of the right length', async () => {
    const wrong = host.token.slice(0, -1) + (host.token.endsWith('A') ? 'B' : 'A');
    for (const token of ['guess', wrong, '']) {
      const outcome = await connect(`?token=${encodeURIComponent(token)}`);
      expect(outcome.opened, `token "${token}" must be refused`).toBe(false);
      if (!outcome.opened) expect(outcome.status).toBe(401);
    }
  });

  it('refuses the right token from a page of another origin', async () => {
    const outcome = await connect(`?token=${host.token}`, { Origin: 'http://evil.example' });
    expect(outcome.opened, 'another site that learnt the token must still be refused').toBe(false);
    if (!outcome.opened) expect(outcome.status).toBe(403);
  });

  it('accepts the start token and answers the contract as the signed-in operator', async () => {
    const outcome = await connect(`?token=${host.token}`, { Origin: host.origin });
    expect(
      outcome.opened,
      `the right token must open the socket (${outcome.opened ? '' : outcome.error})`,
    ).toBe(true);
    if (!outcome.opened) return;
    try {
      const reply = await ask(outcome.socket, { id: 1, kind: 'query', name: 'session.get', input: {} });
      expect(reply).toMatchObject({
        id: 1,
        ok: true,
        value: { operatorId: 'op-610926', jurisdictionId: '610926' },
      });
    } finally {
      outcome.socket.close();
    }
  });
});
