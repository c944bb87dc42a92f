// A workstation's commands are known to the server by (workstation id, counter). A store that is not the one the
// server heard from — a console reinstalled under its enrolled id, or its store restored from a backup — counts
// from where that store stopped, below what the server already holds: without the server's next counter at
// sign-in, every command it pushed was refused as a conflict and rolled back.
import { describe, expect, it } from 'vitest';
import { NUMBERS_USED_DAYS, type SyncHub } from '../../src/server/hub';
import { VERSIONS } from '../../src/main/sync/transport';
import { demoPassword } from '../../src/server/admin';
import { PINGLI, scriptedClock } from '../helpers/desk';
import {
  cityAndPingli,
  openTestWorkstation,
  outboxSize,
  signIn,
  synced,
  type TestWorkstation,
  recordPingliCall,
} from './harness';

function recordCall(ws: TestWorkstation, summary: string): string {
  return recordPingliCall(ws, summary).id;
}

function serverHas(hub: SyncHub, id: string): boolean {
  return hub.db.prepare('SELECT 1 FROM incidents WHERE id = ?').get(id) !== undefined;
}

describe('a workstation store that is not the one the server heard from', () => {
  it('pushes from the server next counter when the console is reinstalled under its enrolled id', async () => {
    const clock = scriptedClock();
    const { hub, pingli } = await cityAndPingli(clock);
    const before = [recordCall(pingli, '第一起'), recordCall(pingli, '第二起'), recordCall(pingli, '第三起')];
    await synced(pingli);
    await pingli.client.stop();

    // Reinstalled: a fresh store, the same enrolled id and secret. A call is taken before the link is back.
    const spec = { id: pingli.id, jurisdictionId: PINGLI, operatorId: pingli.operatorId, clock };
    const fresh = openTestWorkstation(hub, spec);
    fresh.transport.faults.down = true;
    const offline = recordCall(fresh, '断网时接警');
    fresh.transport.faults.down = false;
    expect(await signIn(fresh)).toBe(true);
    const online = recordCall(fresh, '恢复后接警');
    await synced(fresh);

    expect(fresh.desk.query(fresh.actor, 'sync.rejections', {})).toEqual([]);
    expect(outboxSize(fresh.db)).toBe(0);
    for (const id of [...before, offline, online]) expect(serverHas(hub, id), id).toBe(true);
    const counters = hub.db
      .prepare('SELECT counter FROM received_commands WHERE workstation_id = ? ORDER BY counter')
      .pluck()
      .all(pingli.id);
    expect(counters).toEqual([1, 2, 3, 4, 5]);
  });

  it('keeps the pending commands of a restored backup, and what was pushed after the backup, once each', async () => {
    const clock = scriptedClock();
    const { hub, pingli } = await cityAndPingli(clock);
    const first = recordCall(pingli, '备份前一');
    const second = recordCall(pingli, '备份前二');
    const backup = pingli.db.serialize();
    await synced(pingli);
    const third = recordCall(pingli, '备份后');
    await synced(pingli);
    await pingli.client.stop();

    const spec = { id: pingli.id, jurisdictionId: PINGLI, operatorId: pingli.operatorId, clock };
    const restored = openTestWorkstation(hub, spec, backup);
    expect(outboxSize(restored.db), 'the backup still holds the two calls as pending').toBe(2);
    expect(await signIn(restored)).toBe(true);
    const fourth = recordCall(restored, '恢复后');
    await synced(restored);

    expect(outboxSize(restored.db)).toBe(0);
    for (const id of [first, second, third, fourth]) expect(serverHas(hub, id), id).toBe(true);
    const applied = hub.db
      .prepare("SELECT count(*) FROM received_commands WHERE workstation_id = ? AND status = 'applied'")
      .pluck()
      .get(pingli.id);
    expect(applied, 'each call applied once').toBe(4);
    const rejected = hub.db
      .prepare("SELECT count(*) FROM received_commands WHERE status = 'rejected'")
      .pluck()
      .get();
    expect(rejected).toBe(0);
    expect(restored.desk.query(restored.actor, 'sync.rejections', {})).toEqual([]);
  });

  it('is told the numbers its id gave in the last days only, however long it has recorded calls', async () => {
    const clock = scriptedClock();
    const { hub, pingli } = await cityAndPingli(clock);
    const numberOf = (id: string) =>
      (hub.db.prepare('SELECT number FROM incidents WHERE id = ?').pluck().get(id) as string).split('-');
    const old = recordCall(pingli, '很久以前');
    await synced(pingli);
    clock.advance((NUMBERS_USED_DAYS + 1) * 86_400_000);
    const recent = recordCall(pingli, '最近');
    await synced(pingli);
    const answer = hub.login({
      ...VERSIONS,
      operatorId: pingli.operatorId,
      password: demoPassword(pingli.operatorId),
      workstationId: pingli.id,
      workstationSecret: `secret-of-${pingli.id}-0123456789`,
    });
    const [, recentDay] = numberOf(recent);
    const [, oldDay] = numberOf(old);
    expect(oldDay).not.toBe(recentDay);
    expect(answer.workstation.numbersUsed).toEqual([{ countyId: PINGLI, day: recentDay, last: 1 }]);
  });
});
