// A catch-up over HTTP is followed by the pull reader's worker: it asks for each answer as soon as the one before
// has parsed and hands the checked pages over in order while the main thread applies. The store ends equal to the
// server's; a session that expires on the way, the link failing and an answer refused on the way lose nothing,
// double nothing, and the next cycle goes on from the last applied page.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Desk } from '../../src/main/api/desk';
import { seedRegion } from '../../src/main/core/region/seed';
import { openDatabase, type DB } from '../../src/main/db/connection';
import { SyncClient } from '../../src/main/sync/client';
import { pullReader } from '../../src/main/sync/pull-reader';
import { HttpTransport } from '../../src/main/sync/transport';
import { demoPassword, demoSecret } from '../../src/server/admin';
import { CITY_ID } from '../../src/shared/domain/model';
import type { PushedCommand } from '../../src/shared/sync';
import {
  burglaryCall,
  demoSession,
  HANBIN,
  PINGLI,
  startTestServer,
  V,
  type TestServer,
} from '../server/helpers';
import { partitionDump } from './harness';

let server: TestServer;
let serverNow = Date.now();
const TOKEN_TTL_MS = 10 * 60_000;

beforeAll(async () => {
  server = await startTestServer({ now: () => serverNow, tokenTtlMs: TOKEN_TTL_MS });
  const session = demoSession(server.hub, 'city-dispatcher', 'ws-city');
  const commands: PushedCommand[] = [];
  for (let i = 1; i <= 240; i += 1)
    commands.push({
      commandId: `cmd-follow-${i}`,
      counter: i,
      name: 'incident.create',
      input: burglaryCall(`inc-follow-${i}`, {
        countyId: i % 3 === 0 ? HANBIN : PINGLI,
        summary: `第${i}起：入室盗窃`,
      }),
      operatorId: 'city-dispatcher',
      at: serverNow,
    });
  const answer = server.hub.push(session, { ...V, workstationId: 'ws-city', commands });
  expect(answer.results.every((result) => result.status === 'applied')).toBe(true);
  // The worker must be ready: without it, answers are asked for and read on this thread.
  const reader = pullReader();
  reader.warm();
  await vi.waitFor(() => expect(reader.inWorker()).toBe(true), { timeout: 20_000 });
}, 60_000);

afterAll(async () => {
  await server.stop();
});

interface CityConsole {
  db: DB;
  client: SyncClient;
}

async function freshCity(): Promise<CityConsole> {
  const db = openDatabase(':memory:');
  seedRegion(db, undefined, serverNow);
  const client = new SyncClient({
    db,
    desk: new Desk(db),
    transport: new HttpTransport(server.url),
    workstationId: 'ws-city',
    workstationSecret: demoSecret('ws-city'),
    jurisdictionId: CITY_ID,
    automatic: false,
    pullLimit: 25,
    verifierCost: 1 << 10,
  });
  await client.signIn('city-dispatcher', demoPassword('city-dispatcher'));
  return { db, client };
}

function expectEqualToServer(ws: CityConsole): void {
  const partitions = (ws.db.prepare('SELECT partition FROM sync_state').all() as { partition: string }[]).map(
    (row) => row.partition,
  );
  expect(partitions).toEqual(expect.arrayContaining([PINGLI, HANBIN, CITY_ID]));
  for (const partition of partitions) {
    const dump = partitionDump(ws.db, partition);
    expect(dump, `partition ${partition}`).toEqual(partitionDump(server.hub.db, partition));
    const held = ws.db.prepare('SELECT count(*) AS n FROM sync_records WHERE partition = ?').get(partition);
    expect(held, `partition ${partition}: one held hash per record, nothing doubled`).toEqual({
      n: dump.length,
    });
  }
}

/** Counts the server's pull answers and lets a test act on the n-th one (1-based). */
function onPull(act: (call: number, answer: () => Buffer) => Buffer): {
  calls: () => number;
  restore: () => void;
} {
  const hub = server.hub;
  const original = hub.pullJson.bind(hub);
  let calls = 0;
  hub.pullJson = (session: Parameters<typeof original>[0], body: unknown) => {
    calls += 1;
    return act(calls, () => original(session, body));
  };
  return { calls: () => calls, restore: () => (hub.pullJson = original) };
}

/** A fresh city console pulling from the server with `act` on each of its answers; closed afterwards. */
async function withCity(
  act: Parameters<typeof onPull>[0],
  work: (city: CityConsole, pulls: ReturnType<typeof onPull>) => Promise<void>,
): Promise<void> {
  const pulls = onPull(act);
  const city = await freshCity();
  try {
    await work(city, pulls);
  } finally {
    pulls.restore();
    await city.client.stop();
    city.db.close();
  }
}

describe('a catch-up over HTTP followed by the pull reader’s worker', () => {
  it('applies every answer in order and ends equal to the server', async () => {
    const follow = vi.spyOn(pullReader(), 'follow');
    try {
      await withCity(
        (_, answer) => answer(),
        async (city, pulls) => {
          const cycle = await city.client.syncNow();
          expect(cycle.ok, cycle.error?.message).toBe(true);
          expect(follow, 'the worker followed the pull').toHaveBeenCalled();
          expect(follow.mock.results.every((result) => result.value !== undefined)).toBe(true);
          expect(pulls.calls(), 'many answers').toBeGreaterThan(10);
          expect(cycle.pulled).toBeGreaterThan(480);
          expectEqualToServer(city);
        },
      );
    } finally {
      follow.mockRestore();
    }
  });

  it('signs in again when the session expires on the way, and goes on from the last page', async () => {
    await withCity(
      (call, answer) => {
        // The token runs out after the fifth answer: the sixth request is refused (401).
        if (call === 5) serverNow += TOKEN_TTL_MS + 1_000;
        return answer();
      },
      async (city) => {
        const cycle = await city.client.syncNow();
        expect(cycle.ok, cycle.error?.message).toBe(true);
        expectEqualToServer(city);
      },
    );
  });

  it('loses and doubles nothing when the link fails or an answer is refused on the way', async () => {
    let fault: 'link' | 'tamper' | undefined = 'link';
    let failedAt = 0;
    await withCity(
      (call, answer) => {
        if (fault && call === failedAt + 4) {
          if (fault === 'link') throw new Error('disk on fire');
          // The record's text changes; its hash does not.
          return Buffer.from(answer().toString('utf8').replace('第', '弟'));
        }
        return answer();
      },
      async (city, pulls) => {
        const failed = await city.client.syncNow();
        expect(failed.ok, 'the link failed on the fourth answer').toBe(false);
        const applied = city.db.prepare('SELECT partition, cursor FROM sync_state').all();
        expect(applied.length, 'the answers before it were applied').toBeGreaterThan(0);

        fault = 'tamper';
        failedAt = pulls.calls();
        const refused = await city.client.syncNow();
        expect(refused.ok).toBe(false);
        expect(refused.error?.message).toMatch(/does not match its hash; nothing of this answer was applied/);

        fault = undefined;
        const cycle = await city.client.syncNow();
        expect(cycle.ok, cycle.error?.message).toBe(true);
        expectEqualToServer(city);
      },
    );
  });
});
