// Defects the randomized simulation (simulation.test.ts) found, each shrunk to the few steps that show it.
import { describe, expect, it } from 'vitest';
import type { SyncHub } from '../../src/server/hub';
import type { EventPayloads } from '../../src/shared/contract';
import { EMPTY_CHECKSUM, RunningChecksum } from '../../src/main/sync/checksum';
import { applyChange, removeUnheld } from '../../src/main/sync/records';
import { withWriteMode } from '../../src/main/sync/shadow';
import { getConflict, putConflict } from '../../src/main/db/conflicts';
import { openDatabase } from '../../src/main/db/connection';
import type { Change, Conflict } from '../../src/shared/sync';
import { burglaryCall, CHANGAN, MORNING, PINGLI, scriptedClock } from '../helpers/desk';
import {
  cityAndPingli,
  createHub,
  openTestWorkstation,
  partitionDump,
  signIn,
  synced,
  type TestWorkstation,
  recordPingliCall,
} from './harness';

const LANGAO = '610925';

function recordCall(ws: TestWorkstation, summary: string): string {
  return recordPingliCall(ws, summary).number;
}

function numbersOnServer(hub: SyncHub): string[] {
  return hub.db.prepare('SELECT number FROM incidents ORDER BY number').pluck().all() as string[];
}

describe('simulation findings', () => {
  it('a console reinstalled under its enrolled id does not give its earlier incident numbers again', async () => {
    const clock = scriptedClock();
    const { hub, pingli } = await cityAndPingli(clock);
    const before = [recordCall(pingli, '第一起'), recordCall(pingli, '第二起')];
    await synced(pingli);
    await pingli.client.stop();

    const spec = { id: pingli.id, jurisdictionId: PINGLI, operatorId: pingli.operatorId, clock };
    const fresh = openTestWorkstation(hub, spec);
    expect(await signIn(fresh)).toBe(true);
    const after = recordCall(fresh, '重装后接警');
    await synced(fresh);

    expect(before).not.toContain(after);
    const numbers = numbersOnServer(hub);
    expect(new Set(numbers).size, numbers.join(', ')).toBe(numbers.length);
  });

  it('a store restored from a backup does not give the numbers taken after the backup again', async () => {
    const clock = scriptedClock();
    const { hub, pingli } = await cityAndPingli(clock);
    recordCall(pingli, '备份前');
    await synced(pingli);
    const backup = pingli.db.serialize();
    const taken = recordCall(pingli, '备份后');
    await synced(pingli);
    await pingli.client.stop();

    const spec = { id: pingli.id, jurisdictionId: PINGLI, operatorId: pingli.operatorId, clock };
    const restored = openTestWorkstation(hub, spec, backup);
    expect(await signIn(restored)).toBe(true);
    const after = recordCall(restored, '恢复后接警');
    await synced(restored);

    expect(after).not.toBe(taken);
    const numbers = numbersOnServer(hub);
    expect(new Set(numbers).size, numbers.join(', ')).toBe(numbers.length);
  });

  it('a case made with its calls keeps them once the server sends it back', async () => {
    const clock = scriptedClock();
    const { hub, pingli } = await cityAndPingli(clock);
    const incident = pingli.desk.command(pingli.actor, 'incident.create', {
      source: 'call_110',
      category: 'burglary',
      priority: 2,
      address: '平利县长安镇',
      summary: '入室盗窃',
      location: CHANGAN,
      countyId: PINGLI,
    });
    const made = pingli.desk.command(pingli.actor, 'case.create', {
      title: '系列盗窃案',
      incidentIds: [incident.id],
    });
    await synced(pingli);
    await synced(pingli);

    expect(pingli.desk.query(pingli.actor, 'case.get', { id: made.id }).incidentIds).toEqual([incident.id]);
    const onServer = hub.db
      .prepare('SELECT incident_id FROM case_incidents WHERE case_id = ?')
      .pluck()
      .all(made.id);
    expect(onServer).toEqual([incident.id]);
  });

  it('a partition downloaded again does not announce its top-priority calls and warnings a second time', async () => {
    const clock = scriptedClock();
    const { city, pingli } = await cityAndPingli(clock);
    const heard: string[] = [];
    city.desk.events.on('incident.created', ({ incident }: EventPayloads['incident.created']) =>
      heard.push(`incident ${incident.id}`),
    );
    city.desk.events.on('warning.raised', ({ warning }: EventPayloads['warning.raised']) =>
      heard.push(`warning ${warning.id}`),
    );
    const urgent = pingli.desk.command(pingli.actor, 'incident.create', burglaryCall({ priority: 1 }));
    const checkpoint = pingli.desk.query(pingli.actor, 'checkpoint.list', { countyId: PINGLI })[0]!;
    pingli.desk.command(pingli.actor, 'watch.add', { kind: 'plate', value: '陕G7M352', reason: '盗抢车辆' });
    const check = pingli.desk.command(pingli.actor, 'checkpoint.logCheck', {
      checkpointId: checkpoint.id,
      plate: '陕G7M352',
    });
    expect(check.warnings).toHaveLength(1);
    await synced(pingli);
    await synced(city);
    const once = [`incident ${urgent.id}`, `warning ${check.warnings[0]!.id}`].sort();
    expect([...heard].sort()).toEqual(once);

    // A record of the Pingli partition changed behind sync's back: the city downloads the partition again.
    withWriteMode(city.db, 'restore', () => {
      city.db.prepare("UPDATE incidents SET summary = '本地损坏' WHERE id = ?").run(urgent.id);
    });
    clock.advance(61_000);
    await synced(city);
    expect(city.desk.query(city.actor, 'incident.get', { id: urgent.id }).summary).not.toBe('本地损坏');
    expect([...heard].sort(), 'nothing announced again').toEqual(once);
  });

  it('a case made on a console whose clock runs a day ahead takes the server time the server gave it', async () => {
    const clock = scriptedClock();
    const hub = createHub(clock);
    const ahead = openTestWorkstation(hub, {
      id: 'ws-pingli-ahead',
      jurisdictionId: PINGLI,
      operatorId: 'op-610926',
      clock: () => clock() + 24 * 3_600_000,
    });
    expect(await signIn(ahead)).toBe(true);
    const made = ahead.desk.command(ahead.actor, 'case.create', { title: '诈骗案' });
    await synced(ahead);
    await synced(ahead);

    const onServer = hub.db.prepare('SELECT created_at FROM cases WHERE id = ?').pluck().get(made.id);
    expect(onServer, 'the server clamps a time a day ahead').toBe(clock());
    expect(ahead.desk.query(ahead.actor, 'case.get', { id: made.id }).createdAt).toBe(onServer);
    expect(partitionDump(ahead.db, PINGLI)).toEqual(partitionDump(hub.db, PINGLI));
  });

  it('a conflict the server sends replaces the copy a console recorded, every field', () => {
    const db = openDatabase(':memory:');
    const mine: Conflict = {
      id: 'c1.conflict1',
      kind: 'incident',
      entityId: 'i1',
      field: 'priority',
      mine: 1,
      theirs: 3,
      commandId: 'c1',
      operatorId: 'op-610926',
      at: MORNING + 86_400_000,
      resolvedAt: null,
      resolution: null,
      resolvedBy: null,
    };
    putConflict(db, mine);
    const theirs: Conflict = { ...mine, theirs: 2, at: MORNING };
    putConflict(db, theirs);
    expect(getConflict(db, mine.id)).toEqual(theirs);
  });

  it('a backup older than a reinstall renumbers its pending calls that the stores since numbered again', async () => {
    const clock = scriptedClock();
    const { hub, pingli } = await cityAndPingli(clock);
    recordCall(pingli, '第一起');
    await synced(pingli);
    pingli.transport.setDown(true);
    const lost = recordCall(pingli, '备份中待发'); // pending in the backup only
    const backup = pingli.db.serialize();
    await pingli.client.stop();

    const spec = { id: pingli.id, jurisdictionId: PINGLI, operatorId: pingli.operatorId, clock };
    const reinstalled = openTestWorkstation(hub, spec);
    expect(await signIn(reinstalled)).toBe(true);
    const again = recordCall(reinstalled, '重装后接警');
    expect(again, 'the reinstalled store never saw the pending call: same number').toBe(lost);
    await synced(reinstalled);
    await reinstalled.client.stop();

    const restored = openTestWorkstation(hub, spec, backup);
    expect(await signIn(restored)).toBe(true);
    await synced(restored);
    await synced(restored);
    expect(restored.desk.query(restored.actor, 'sync.rejections', {})).toEqual([]);
    const numbers = numbersOnServer(hub);
    expect(numbers).toHaveLength(3);
    expect(new Set(numbers).size, numbers.join(', ')).toBe(3);
    expect(partitionDump(restored.db, PINGLI)).toEqual(partitionDump(hub.db, PINGLI));
  });

  it('an incident moving to another county keeps the children its new partition already brought', async () => {
    const clock = scriptedClock();
    const { hub, city, pingli } = await cityAndPingli(clock);
    const incident = pingli.desk.command(pingli.actor, 'incident.create', burglaryCall());
    pingli.desk.command(pingli.actor, 'incident.addNote', { id: incident.id, text: '现场有监控' });
    await synced(pingli);
    await synced(city);
    const timeline = (db: typeof city.db) =>
      db.prepare('SELECT id FROM timeline WHERE incident_id = ? ORDER BY id').pluck().all(incident.id);
    const entries = timeline(city.db);
    expect(entries.length).toBeGreaterThan(1);

    // One answer of a catch-up in pages, as the server sends a move to Langao: Langao's page brings the timeline
    // so far, Pingli's page the incident's delete; the incident's own put to Langao comes in a later answer.
    const rows = hub.db
      .prepare(
        "SELECT seq, partition, kind, id, op, record, hash FROM changes WHERE partition = ? AND kind = 'timeline'",
      )
      .all(PINGLI) as {
      seq: number;
      partition: string;
      kind: string;
      id: string;
      op: string;
      record: string;
      hash: string;
    }[];
    const deleted: Change[] = [];
    const checksum = new RunningChecksum(EMPTY_CHECKSUM);
    withWriteMode(city.db, 'server', () => {
      for (const row of rows)
        applyChange(
          city.db,
          { ...row, partition: LANGAO, record: JSON.parse(row.record) } as Change,
          checksum,
          deleted,
        );
      applyChange(
        city.db,
        {
          seq: 999,
          partition: PINGLI,
          kind: 'incident',
          id: incident.id,
          op: 'delete',
          record: null,
          hash: '',
        } as Change,
        checksum,
        deleted,
      );
      removeUnheld(city.db, deleted);
    });
    expect(timeline(city.db), 'the entries Langao holds stay').toEqual(entries);
  });
});
