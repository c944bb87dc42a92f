// SIGKILL of real workstation processes where a crash could lose or double something: while applying a pulled
// page, and after the server applied a pushed batch but before the workstation deleted it from its outbox.
// After a restart nothing is lost, nothing doubled, and the store passes SQLite's integrity check.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncStatus } from '../../src/shared/contract';
import type { Incident } from '../../src/shared/domain/model';
import { CITY_ID } from '../../src/shared/domain/model';
import {
  Cleanup,
  countIn,
  dumpIn,
  enrollToken,
  LinkProxy,
  readStore,
  seedServer,
  serverFile,
  startServerProcess,
  startWorkstation,
  waitFor,
  type WorkstationProcess,
} from './fixtures/processes';
import type { FixtureConfig } from './fixtures/workstation';

const PINGLI = '610926';
const CHANGAN = { lng: 109.2852, lat: 32.4702 };
const TARGETS = [
  { targetKind: 'checkpoint', targetId: `${PINGLI}-CP-02` },
  { targetKind: 'org', targetId: `${PINGLI}-TB` },
  { targetKind: 'org', targetId: `${PINGLI}-PS-02` },
] as const;

const cleanup = new Cleanup();
let shared: Awaited<ReturnType<typeof setup>>;

// One server for both cases (starting processes is most of the cost); each case uses its own workstations.
beforeAll(async () => {
  shared = await setup();
}, 60_000);

afterAll(async () => {
  await shared?.server.stop();
  await cleanup.run();
});

function call(summary: string): Record<string, unknown> {
  return {
    source: 'call_110',
    category: 'burglary',
    priority: 2,
    address: '平利县长安镇中心街18号',
    summary,
    location: CHANGAN,
    countyId: PINGLI,
  };
}

/** A seeded server with an enrolment token for the city and two for Pingli, running. */
async function setup() {
  const dataDir = cleanup.dir('desk-crash-server-');
  const tokens = await seedServer(dataDir);
  const secondPingli = await enrollToken(dataDir, PINGLI);
  const server = await startServerProcess(cleanup, dataDir);
  return { dataDir, tokens, secondPingli, server };
}

function pingliConfig(url: string, dataDir: string, enroll?: string): FixtureConfig {
  return {
    dataDir,
    url,
    operatorId: `op-${PINGLI}`,
    password: `demo-op-${PINGLI}`,
    jurisdictionId: PINGLI,
    enrollToken: enroll,
  };
}

const status = (ws: WorkstationProcess) => ws.call<SyncStatus>('status');

async function settled(ws: WorkstationProcess): Promise<void> {
  await waitFor(`${ws.name} is online with an empty outbox`, async () => {
    const current = await status(ws);
    return current.mode === 'online' && current.pending === 0;
  });
  const cycle = await ws.call<{ ok: boolean; error?: { message: string } }>('sync');
  expect(cycle.error?.message, `${ws.name} syncs cleanly`).toBeUndefined();
}

/** What a workstation holds equals what the server holds, for its partitions; and its store is sound. */
async function expectSameAsServer(ws: WorkstationProcess, serverDir: string): Promise<void> {
  for (const partition of [PINGLI, CITY_ID]) {
    expect(await ws.call('dump', { partition }), `${ws.name}'s copy of partition ${partition}`).toEqual(
      dumpIn(serverFile(serverDir), partition),
    );
  }
  expect(await ws.call('integrity'), `${ws.name}'s store passes the integrity check`).toBe('ok');
}

describe('SIGKILL of a workstation process', () => {
  it('killed while applying a pulled page: after the restart the page is applied once and pending work is kept', async () => {
    const { dataDir, tokens, server } = shared;
    const city = await startWorkstation(cleanup, 'city', {
      dataDir: cleanup.dir('desk-crash-city-'),
      url: server.url,
      operatorId: 'city-dispatcher',
      password: 'demo-city-dispatcher',
      jurisdictionId: CITY_ID,
      enrollToken: tokens.get(CITY_ID),
    }).ready();
    const link = cleanup.proxy(new LinkProxy(server.port));
    const viaLink = await link.listen();
    const pingliDir = cleanup.dir('desk-crash-pingli-');
    let pingli = await startWorkstation(
      cleanup,
      'pingli',
      pingliConfig(viaLink, pingliDir, tokens.get(PINGLI)),
    ).ready();
    await settled(pingli);
    const mine = await pingli.command<Incident>('incident.create', call('平利本地：可疑人员徘徊'));
    await settled(pingli);

    // Pingli's link drops; its operator adds a note (pending, with a shadow of the incident) and shuts down.
    link.cut();
    await pingli.command('incident.addNote', { id: mine.id, text: '平利：已派员核查' });
    expect((await status(pingli)).pending).toBe(1);
    await pingli.exit();

    // Meanwhile the city creates 40 incidents with an order each, and notes Pingli's incident too.
    const created: string[] = [];
    for (let i = 0; i < 40; i += 1) {
      const incident = await city.command<Incident>('incident.create', call(`第${i}起：入室盗窃后驾车逃离`));
      created.push(incident.id);
      await city.command('order.issue', {
        incidentId: incident.id,
        template: 'checkpoint_search',
        title: `设卡盘查 ${i}`,
        targets: TARGETS,
      });
    }
    await city.command('incident.addNote', { id: mine.id, text: '市局：请加强巡查' });
    await settled(city);
    const cursorOf = () =>
      readStore(
        join(pingliDir, 'desk.sqlite'),
        (db) =>
          (db.prepare('SELECT cursor FROM sync_state WHERE partition = ?').get(PINGLI) as { cursor: number })
            .cursor,
      );
    const cursorBefore = cursorOf();

    // Pingli starts again with the crash hook, signs in offline, and the link returns: it pushes its note, then
    // dies in the middle of applying the page that brings the city's work.
    const crashing = startWorkstation(cleanup, 'pingli (crashing)', pingliConfig(viaLink, pingliDir), {
      DESK_SYNC_CRASH: 'mid-page:100',
    });
    await crashing.ready();
    expect(crashing.online, 'the crashing run signed in offline').toBe(false);
    link.restore();
    const exit = await crashing.exited;
    expect(exit.signal, 'the workstation was killed mid-page').toBe('SIGKILL');
    expect(
      crashing.pushed.map((r) => r.status),
      'the pending note was pushed before the pull',
    ).toEqual(['applied']);
    const afterCrash = readStore(
      join(pingliDir, 'desk.sqlite'),
      (db) =>
        (
          db
            .prepare('SELECT count(*) AS n FROM incidents WHERE id IN (SELECT value FROM json_each(?))')
            .get(JSON.stringify(created)) as { n: number }
        ).n,
    );
    expect(afterCrash, 'the half-applied page left nothing behind').toBe(0);
    expect(cursorOf(), 'the cursor did not move past the half-applied page').toBe(cursorBefore);

    pingli = await startWorkstation(cleanup, 'pingli (restarted)', pingliConfig(viaLink, pingliDir)).ready();
    await settled(pingli);
    await settled(city);
    for (const id of created) {
      const incident = await pingli.query<Incident>('incident.get', { id });
      expect(incident.status, `incident ${id} arrived, dispatched`).toBe('dispatched');
    }
    const noteSql = "SELECT count(*) AS n FROM timeline WHERE incident_id = ? AND kind = 'note'";
    expect(await pingli.count(noteSql, mine.id), 'both notes on Pingli’s incident, once each').toBe(2);
    expect(countIn(serverFile(dataDir), noteSql, mine.id), 'both notes on the server, once each').toBe(2);
    await expectSameAsServer(pingli, dataDir);
    await expectSameAsServer(city, dataDir);
    expect(await status(pingli)).toMatchObject({ pending: 0, rejections: 0 });
    await Promise.all([pingli.exit(), city.exit()]);
  }, 60_000);

  it('killed after the server applied a batch but before the outbox was emptied: the resend is a duplicate', async () => {
    const { dataDir, secondPingli, server } = shared;
    const pingliDir = cleanup.dir('desk-crash-pingli-');
    const crashing = await startWorkstation(
      cleanup,
      'pingli (crashing)',
      pingliConfig(server.url, pingliDir, secondPingli),
      { DESK_SYNC_CRASH: 'after-push' },
    ).ready();
    await waitFor('the first pull finished', async () => (await status(crashing)).lastSyncAt !== null);
    // Ten incidents and a note on each, in one go: one push batch; the process dies right after the answer.
    const list = Array.from({ length: 10 }, (_, i) => [
      {
        name: 'incident.create',
        input: { ...call(`第${i}起：车辆被盗`), id: `inc-after-push-${i}` },
      },
      { name: 'incident.addNote', input: { id: `inc-after-push-${i}`, text: '已调取监控' } },
    ]).flat();
    await crashing.call('commands', { list }).catch(() => undefined);
    const exit = await crashing.exited;
    expect(exit.signal, 'the workstation was killed after the push').toBe('SIGKILL');
    const applied = crashing.pushed.filter((result) => result.status === 'applied').map((r) => r.commandId);
    expect(applied.length, 'the server applied the whole batch before the kill').toBe(20);
    const stillQueued = readStore(join(pingliDir, 'desk.sqlite'), (db) =>
      (db.prepare('SELECT command_id FROM outbox').all() as { command_id: string }[]).map(
        (r) => r.command_id,
      ),
    );
    expect(stillQueued, 'the applied commands are still in the outbox after the kill').toEqual(
      expect.arrayContaining(applied),
    );

    const pingli = await startWorkstation(
      cleanup,
      'pingli (restarted)',
      pingliConfig(server.url, pingliDir),
    ).ready();
    await settled(pingli);
    const resent = pingli.pushed.filter((result) => applied.includes(result.commandId));
    expect(
      resent.map((r) => r.status),
      'the server recognised every resent command',
    ).toEqual(applied.map(() => 'duplicate'));
    expect(pingli.pushed.filter((r) => r.status === 'rejected')).toEqual([]);

    const serverStore = serverFile(dataDir);
    expect(
      countIn(serverStore, "SELECT count(*) AS n FROM incidents WHERE id LIKE 'inc-after-push-%'"),
      'each incident once on the server',
    ).toBe(10);
    expect(
      countIn(
        serverStore,
        "SELECT count(*) AS n FROM timeline WHERE incident_id LIKE 'inc-after-push-%' AND kind = 'note'",
      ),
      'each note once on the server',
    ).toBe(10);
    expect(
      countIn(
        serverStore,
        'SELECT count(*) AS n FROM received_commands WHERE workstation_id = ?',
        pingli.workstationId,
      ),
      'the server received each command once',
    ).toBe(20);
    expect(
      await pingli.count(
        "SELECT count(*) AS n FROM timeline WHERE incident_id LIKE 'inc-after-push-%' AND kind = 'note'",
      ),
      'each note once on the workstation',
    ).toBe(10);
    expect((await status(pingli)).pending).toBe(0);
    await expectSameAsServer(pingli, dataDir);
    await pingli.exit();
  }, 60_000);
});
