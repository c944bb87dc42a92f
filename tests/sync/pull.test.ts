// Pulling: a pull answer is checked before anything of it is applied (its shape, and each record against the
// hash the server sent with it); a record changed here behind sync's back is found and downloaded again; a long
// pull replays pending commands a bounded number of times and never hides the operator's own work.
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it, vi } from 'vitest';
import { WRITER_CHECKPOINT_PAGES } from '../../src/main/db/checkpointer';
import { putIncident, putNewIncident } from '../../src/main/db/incidents';
import { pendingSearchRows, startSearchIndexer } from '../../src/main/db/search-index';
import { withWriteMode } from '../../src/main/sync/shadow';
import type { SyncEndpoint } from '../../src/main/sync/transport';
import { CITY_ID } from '../../src/shared/domain/model';
import type { PullResponse } from '../../src/shared/sync';
import type { SyncHub } from '../../src/server/hub';
import { CHANGAN, PINGLI, scriptedClock } from '../helpers/desk';
import {
  createHub,
  hubEndpoint,
  openTestWorkstation,
  outboxSize,
  partitionDump,
  signIn,
  type TestWorkstation,
} from './harness';

const CALL = {
  source: 'call_110' as const,
  category: 'burglary' as const,
  priority: 2,
  address: '平利县长安镇中心街18号',
  summary: '入室盗窃后驾车逃离',
  location: CHANGAN,
  countyId: PINGLI,
};

function syncState(ws: TestWorkstation): unknown[] {
  return ws.db.prepare('SELECT * FROM sync_state ORDER BY partition').all();
}

function heldRecords(ws: TestWorkstation): number {
  return (ws.db.prepare('SELECT count(*) AS n FROM sync_records').get() as { n: number }).n;
}

/** A city workstation, signed in and synced, that records `count` Pingli incidents and sends them. */
async function cityWith(hub: SyncHub, clock: () => number, count: number): Promise<TestWorkstation> {
  const city = openTestWorkstation(hub, {
    id: 'ws-city',
    jurisdictionId: CITY_ID,
    operatorId: 'city-dispatcher',
    clock,
  });
  await signIn(city);
  for (let i = 0; i < count; i += 1)
    city.desk.command(city.actor, 'incident.create', { ...CALL, summary: `第${i}起：入室盗窃` });
  expect((await city.client.syncNow()).ok).toBe(true);
  return city;
}

/** The hub, with a hook that may rewrite each pull answer before it leaves the server. */
function rewritingEndpoint(hub: SyncHub, rewrite: (answer: PullResponse) => void): SyncEndpoint {
  const base = hubEndpoint(hub);
  return {
    ...base,
    pull: async (token, request) => {
      const answer = await base.pull(token, request);
      rewrite(answer);
      return answer;
    },
  };
}

describe('a pull answer is checked before it is applied', () => {
  it('refuses an answer whose record does not match its hash, with the change named, and applies none of it', async () => {
    const clock = scriptedClock();
    const hub = createHub(clock);
    let tamper = false;
    const endpoint = rewritingEndpoint(hub, (answer) => {
      if (!tamper) return;
      const change = answer.pages.flatMap((page) => page.changes).find((c) => c.kind === 'incident');
      if (change) (change.record as { summary: string }).summary = '被篡改的摘要';
    });
    const pingli = openTestWorkstation(
      hub,
      { id: 'ws-pingli', jurisdictionId: PINGLI, operatorId: 'op-610926', clock },
      undefined,
      endpoint,
    );
    await signIn(pingli);
    expect((await pingli.client.syncNow()).ok).toBe(true);
    await cityWith(hub, clock, 3);

    const before = {
      dump: partitionDump(pingli.db, PINGLI),
      state: syncState(pingli),
      held: heldRecords(pingli),
    };
    tamper = true;
    const refused = await pingli.client.syncNow();
    expect(refused.ok).toBe(false);
    expect(refused.error?.message).toMatch(
      /change \d+ of partition 610926 \(incident \S+\) does not match its hash/,
    );
    expect(pingli.client.status().lastError).toMatch(/does not match its hash/);
    expect(partitionDump(pingli.db, PINGLI), 'nothing of the refused answer was applied').toEqual(
      before.dump,
    );
    expect(syncState(pingli), 'the cursors did not move').toEqual(before.state);
    expect(heldRecords(pingli)).toBe(before.held);

    tamper = false;
    expect((await pingli.client.syncNow()).ok).toBe(true);
    expect(partitionDump(pingli.db, PINGLI)).toEqual(partitionDump(hub.db, PINGLI));
  });

  it('refuses an answer of the wrong shape and names the field', async () => {
    const clock = scriptedClock();
    const hub = createHub(clock);
    const endpoint = rewritingEndpoint(hub, (answer) => {
      const change = answer.pages.flatMap((page) => page.changes).find((c) => c.kind === 'incident');
      if (change) delete (change as { hash?: string }).hash;
    });
    await cityWith(hub, clock, 1);
    const pingli = openTestWorkstation(
      hub,
      { id: 'ws-pingli', jurisdictionId: PINGLI, operatorId: 'op-610926', clock },
      undefined,
      endpoint,
    );
    await signIn(pingli);
    const before = partitionDump(pingli.db, PINGLI);
    const refused = await pingli.client.syncNow();
    expect(refused.ok).toBe(false);
    expect(refused.error?.message).toMatch(/^pull answer: pages\.\d+\.changes\.\d+\.hash: /);
    expect(partitionDump(pingli.db, PINGLI)).toEqual(before);
  });
});

describe('a record that diverged here', () => {
  it('is found when nothing is pending and its partition is downloaded again', async () => {
    const clock = scriptedClock();
    const hub = createHub(clock);
    await cityWith(hub, clock, 4);
    const pingli = openTestWorkstation(hub, {
      id: 'ws-pingli',
      jurisdictionId: PINGLI,
      operatorId: 'op-610926',
      clock,
    });
    await signIn(pingli);
    expect((await pingli.client.syncNow()).ok).toBe(true);
    const reference = partitionDump(hub.db, PINGLI);
    expect(partitionDump(pingli.db, PINGLI)).toEqual(reference);

    // Behind sync's back (a hand edit, a bad disk): one summary changes, one timeline entry goes. Nothing is
    // pending, no change is on its way, and the running checksum still equals the server's.
    const [first, second] = pingli.db
      .prepare('SELECT id FROM incidents WHERE county_id = ? LIMIT 2')
      .all(PINGLI) as {
      id: string;
    }[];
    withWriteMode(pingli.db, 'restore', () => {
      pingli.db.prepare("UPDATE incidents SET summary = '本地损坏' WHERE id = ?").run(first!.id);
      pingli.db.prepare('DELETE FROM timeline WHERE incident_id = ?').run(second!.id);
    });
    expect(partitionDump(pingli.db, PINGLI)).not.toEqual(reference);

    clock.advance(61_000);
    const cycle = await pingli.client.syncNow();
    expect(cycle.ok, cycle.error?.message).toBe(true);
    expect(pingli.client.status().lastError).toBeNull();
    expect(
      pingli.desk.query(pingli.actor, 'incident.get', { id: first!.id }).summary,
      'the corrupted record was detected and downloaded again',
    ).not.toBe('本地损坏');
    expect(partitionDump(pingli.db, PINGLI)).toEqual(reference);
  });
});

describe('a long pull', () => {
  it('replays pending commands no more often than the changes that arrive pay for, and ends with them on top', async () => {
    const clock = scriptedClock();
    const hub = createHub(clock);
    const city = await cityWith(hub, clock, 20);
    // Pingli's pushes reach nobody (their answers are lost), so its commands stay pending through the pull.
    let holdPushes = false;
    const base = hubEndpoint(hub);
    const endpoint: SyncEndpoint = {
      ...base,
      push: (token, request) =>
        holdPushes ? { results: [], serverTime: clock() } : base.push(token, request),
    };
    const pingli = openTestWorkstation(
      hub,
      { id: 'ws-pingli', jurisdictionId: PINGLI, operatorId: 'op-610926', clock, pullLimit: 5 },
      undefined,
      endpoint,
    );
    await signIn(pingli);
    expect((await pingli.client.syncNow()).ok).toBe(true);
    const shared = pingli.desk.query(pingli.actor, 'incident.list', {
      countyId: PINGLI,
      limit: 100,
    }).items;
    expect(shared).toHaveLength(20);

    holdPushes = true;
    for (const incident of shared)
      pingli.desk.command(pingli.actor, 'incident.addNote', {
        id: incident.id,
        text: `平利：${incident.summary}已核查`,
      });
    // The city changes the same incidents (rows Pingli's pending notes touched) and records forty more.
    for (const incident of shared)
      city.desk.command(city.actor, 'incident.update', { id: incident.id, patch: { priority: 1 } });
    for (let i = 0; i < 40; i += 1)
      city.desk.command(city.actor, 'incident.create', { ...CALL, summary: `第${i + 20}起：盗窃` });
    expect((await city.client.syncNow()).ok).toBe(true);

    const replaysBefore = pingli.client.replays;
    const cycle = await pingli.client.syncNow();
    expect(cycle.ok, cycle.error?.message).toBe(true);
    expect(outboxSize(pingli.db)).toBe(20);
    const pages = Math.ceil(cycle.pulled / 5);
    expect(pages, 'the pull took many pages').toBeGreaterThan(10);
    const replays = pingli.client.replays - replaysBefore;
    expect(
      replays,
      'replays are bounded by the changes pulled plus the pending commands',
    ).toBeLessThanOrEqual(cycle.pulled + 20);
    expect(replays, 'the pending commands were replayed at least once').toBeGreaterThanOrEqual(20);
    for (const incident of shared) {
      const now = pingli.desk.query(pingli.actor, 'incident.get', { id: incident.id });
      expect(now.priority, "the city's change arrived").toBe(1);
      expect(now.notes, "Pingli's pending note is on top").toContain('已核查');
    }

    holdPushes = false;
    expect((await pingli.client.syncNow()).ok).toBe(true);
    expect(outboxSize(pingli.db)).toBe(0);
    expect(partitionDump(pingli.db, PINGLI)).toEqual(partitionDump(hub.db, PINGLI));
  });

  it("keeps the operator's own offline work in place between pages until the server's copies arrive", async () => {
    const clock = scriptedClock();
    const hub = createHub(clock);
    let watching = false;
    const own: string[] = [];
    const missing: string[] = [];
    let pulls = 0;
    const base = hubEndpoint(hub);
    const endpoint: SyncEndpoint = {
      ...base,
      pull: (token, request) => {
        // Between two answers of the pull, Pingli's console must still show every incident it recorded offline.
        pulls += 1;
        if (watching)
          for (const id of own)
            if (!pingli.db.prepare('SELECT 1 FROM incidents WHERE id = ?').get(id))
              missing.push(`${pulls}:${id}`);
        return base.pull(token, request);
      },
    };
    const pingli = openTestWorkstation(
      hub,
      { id: 'ws-pingli', jurisdictionId: PINGLI, operatorId: 'op-610926', clock, pullLimit: 5 },
      undefined,
      endpoint,
    );
    await signIn(pingli);
    expect((await pingli.client.syncNow()).ok).toBe(true);

    pingli.transport.setDown(true);
    for (let i = 0; i < 10; i += 1)
      own.push(pingli.desk.command(pingli.actor, 'incident.create', { ...CALL, summary: `离线第${i}起` }).id);
    await cityWith(hub, clock, 30);
    pingli.transport.setDown(false);

    watching = true;
    pulls = 0;
    const cycle = await pingli.client.syncNow();
    expect(cycle.ok, cycle.error?.message).toBe(true);
    expect(cycle.pushed).toBe(10);
    expect(pulls, 'the pull took many answers').toBeGreaterThan(10);
    expect(missing, "the operator's incidents vanished between pages").toEqual([]);
    expect(partitionDump(pingli.db, PINGLI)).toEqual(partitionDump(hub.db, PINGLI));
  });
});

describe('a pulled incident the store did not hold', () => {
  it('is written insert-first with the same result as the update-first path, and a row that fits neither fails', () => {
    const clock = scriptedClock();
    const hub = createHub(clock);
    const city = openTestWorkstation(hub, {
      id: 'ws-city',
      jurisdictionId: CITY_ID,
      operatorId: 'city-dispatcher',
      clock,
    });
    const incident = city.desk.command(city.actor, 'incident.create', CALL);
    const row = () => city.db.prepare('SELECT * FROM incidents WHERE id = ?').get(incident.id);
    const written = row();

    city.db.prepare('DELETE FROM incidents WHERE id = ?').run(incident.id);
    putNewIncident(city.db, incident);
    expect(row(), 'a new row').toEqual({ ...(written as object) });

    const changed = { ...incident, summary: '改：驾车逃离方向长安镇', priority: 1 };
    putNewIncident(city.db, changed);
    putIncident(hub.db, changed);
    expect(row(), 'an existing row is overwritten whole').toEqual(
      hub.db.prepare('SELECT * FROM incidents WHERE id = ?').get(incident.id),
    );

    const broken = { ...incident, id: 'inc-broken', number: null } as unknown as typeof incident;
    expect(() => putNewIncident(city.db, broken)).toThrow(/inc-broken was neither inserted nor updated/);
  });
});

describe('while a pull runs', () => {
  it('the search indexer waits and catches up after; local commands still commit with an fsync', async () => {
    const clock = scriptedClock();
    const hub = createHub(clock);
    await cityWith(hub, clock, 12);
    let held: number | undefined;
    const base = hubEndpoint(hub);
    const endpoint: SyncEndpoint = {
      ...base,
      pull: async (token, request) => {
        const answer = await base.pull(token, request);
        // Between answers the indexer's timer has had its turns: it must not have indexed the pulled rows.
        if (held === undefined && pendingSearchRows(pingli.db) > 0) held = pendingSearchRows(pingli.db);
        await new Promise((resolve) => setTimeout(resolve, 30));
        return answer;
      },
    };
    const pingli = openTestWorkstation(
      hub,
      { id: 'ws-pingli', jurisdictionId: PINGLI, operatorId: 'op-610926', clock, pullLimit: 5 },
      undefined,
      endpoint,
    );
    const stop = startSearchIndexer(pingli.db, { intervalMs: 5 });
    try {
      await signIn(pingli);
      const cycle = await pingli.client.syncNow();
      expect(cycle.ok, cycle.error?.message).toBe(true);
      expect(held, 'pulled rows were waiting for the indexer during the pull').toBeGreaterThan(0);
      expect(pingli.db.pragma('synchronous', { simple: true }), 'back to synchronous=FULL').toBe(2);
      await vi.waitFor(() => expect(pendingSearchRows(pingli.db)).toBe(0));
      expect(pingli.desk.query(pingli.actor, 'incident.search', { text: '入室盗窃' }).length).toBe(12);
    } finally {
      stop();
    }
  });

  it('checkpoints a long pull in the background and leaves a whole store behind when stopped', async () => {
    const clock = scriptedClock();
    const hub = createHub(clock);
    await cityWith(hub, clock, 300);
    const dir = mkdtempSync(join(tmpdir(), 'desk-pull-ckpt-'));
    const file = join(dir, 'desk.sqlite');
    try {
      const raised: number[] = [];
      const base = hubEndpoint(hub);
      const endpoint: SyncEndpoint = {
        ...base,
        pull: async (token, request) => {
          raised.push(pingli.db.pragma('wal_autocheckpoint', { simple: true }) as number);
          return base.pull(token, request);
        },
      };
      const pingli = openTestWorkstation(
        hub,
        { id: 'ws-pingli', jurisdictionId: PINGLI, operatorId: 'op-610926', clock, pullLimit: 40, file },
        undefined,
        endpoint,
      );
      pingli.db.pragma('wal_checkpoint(TRUNCATE)');
      const before = statSync(file).size;
      await signIn(pingli);
      const cycle = await pingli.client.syncNow();
      expect(cycle.ok, cycle.error?.message).toBe(true);
      expect(cycle.pulled).toBeGreaterThan(600);
      expect(raised.length, 'several pages').toBeGreaterThan(5);
      expect(raised.slice(2), "the connection's own checkpoints wait during the pull").toContain(
        WRITER_CHECKPOINT_PAGES,
      );
      expect(pingli.db.pragma('wal_autocheckpoint', { simple: true }), 'and are back after it').toBe(1000);
      // Far fewer WAL pages than the connection's own threshold: only the worker can have written the file.
      await vi.waitFor(() => expect(statSync(file).size).toBeGreaterThan(before + 64 * 1024));

      await pingli.client.stop();
      pingli.db.close();
      expect(existsSync(`${file}-wal`), 'the WAL is gone after close').toBe(false);
      const reader = new Database(file, { readonly: true });
      try {
        expect(reader.prepare('SELECT count(*) AS n FROM incidents WHERE county_id = ?').get(PINGLI)).toEqual(
          {
            n: 300,
          },
        );
        expect(reader.pragma('integrity_check', { simple: true })).toBe('ok');
      } finally {
        reader.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
