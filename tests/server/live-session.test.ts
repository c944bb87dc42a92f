// A live channel is authenticated once, when it opens. Its session can end while it stays open — the token expires
// (12 h: a night shift), an admin disables the account — and then the server closes it rather than go on telling a
// shut-out console which partitions moved. A console whose channel closed catches up and renews its session before
// it listens again: a quiet night console whose token had expired used to retry the channel with the dead token
// forever and hear nothing until an operator touched it.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { Desk } from '../../src/main/api/desk';
import { seedRegion } from '../../src/main/core/region/seed';
import { openDatabase } from '../../src/main/db/connection';
import { SyncClient } from '../../src/main/sync/client';
import { HttpTransport } from '../../src/main/sync/transport';
import { LIVE_SESSION_ENDED } from '../../src/server/app';
import { demoPassword, demoSecret } from '../../src/server/admin';
import { burglaryCall, command, login, PINGLI, push, startTestServer, type TestServer } from './helpers';

const TTL_MS = 60 * 60_000;
let server: TestServer | undefined;
let client: SyncClient | undefined;

afterEach(async () => {
  await client?.stop();
  client = undefined;
  await server?.stop();
  server = undefined;
});

function openLive(url: string, token: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/v1/live`, ['desk-live', token]);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
}

describe('live channels whose session ends', () => {
  it('are closed at the next poke once the token has expired, without the poke', async () => {
    let now = Date.now();
    server = await startTestServer({ now: () => now, tokenTtlMs: TTL_MS });
    const city = await login(server, 'city-dispatcher', 'ws-city');
    const cityLive = await openLive(server.url, city.token);
    const heard: string[] = [];
    cityLive.on('message', (data) => heard.push(String(data)));
    const ended = closed(cityLive);

    now += TTL_MS + 1;
    const pingli = await login(server, `op-${PINGLI}`, `ws-${PINGLI}`);
    const answer = await push(server, pingli.token, `ws-${PINGLI}`, [
      command(1, 'incident.create', burglaryCall('inc-after-expiry'), `op-${PINGLI}`, now),
    ]);
    expect(answer.body.results[0]?.status).toBe('applied');

    expect(await ended).toEqual({ code: LIVE_SESSION_ENDED, reason: expect.stringMatching(/expired/) });
    expect(heard, 'no poke reaches an expired session').toEqual([]);
  });

  it('are closed, naming why, when an admin disables the account', async () => {
    server = await startTestServer({ liveSessionCheckMs: 50 });
    const pingli = await login(server, `op-${PINGLI}`, `ws-${PINGLI}`);
    const pingliLive = await openLive(server.url, pingli.token);
    const ended = closed(pingliLive);
    server.hub.setAccountActive(`op-${PINGLI}`, false);
    expect(await ended).toEqual({
      code: LIVE_SESSION_ENDED,
      reason: expect.stringContaining(`op-${PINGLI}`),
    });
  });

  it('leave a console that renews its session and hears the next change, when its token expired overnight', async () => {
    let now = Date.now();
    server = await startTestServer({ now: () => now, tokenTtlMs: TTL_MS });
    const db = openDatabase(':memory:');
    seedRegion(db, undefined, now);
    client = new SyncClient({
      db,
      desk: new Desk(db),
      transport: new HttpTransport(server.url),
      workstationId: 'ws-city',
      workstationSecret: demoSecret('ws-city'),
      jurisdictionId: '610900',
      backoff: { baseMs: 20, capMs: 100 },
      verifierCost: 1 << 10,
    });
    await client.signIn('city-dispatcher', demoPassword('city-dispatcher'));
    client.start();
    const holds = (id: string) => db.prepare('SELECT 1 FROM incidents WHERE id = ?').get(id) !== undefined;
    const pingliPush = async (id: string, counter: number) => {
      const pingli = await login(server!, `op-${PINGLI}`, `ws-${PINGLI}`);
      const answer = await push(server!, pingli.token, `ws-${PINGLI}`, [
        command(counter, 'incident.create', burglaryCall(id), `op-${PINGLI}`, now),
      ]);
      expect(answer.body.results[0]?.status).toBe('applied');
    };
    await pingliPush('inc-evening', 1);
    await vi.waitFor(() => expect(holds('inc-evening')).toBe(true), { timeout: 10_000 });

    // The night passes with nothing to do: the token expires. The next change closes the channel (expired) and
    // must still reach the console, which renews its session by itself.
    now += TTL_MS + 60_000;
    await pingliPush('inc-night', 2);
    await vi.waitFor(() => expect(holds('inc-night')).toBe(true), { timeout: 10_000 });
    expect(client.status().lastError).toBeNull();
  });
});
