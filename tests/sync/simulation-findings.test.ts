// Defects the randomized simulation (simulation.test.ts) found, each shrunk to the few steps that show it.
import { describe, expect, it } from 'vitest';
import type { SyncHub } from '../../src/server/hub';
import { CHANGAN, PINGLI, scriptedClock } from '../helpers/desk';
import { cityAndPingli, openTestWorkstation, signIn, synced, type TestWorkstation } from './harness';

function recordCall(ws: TestWorkstation, summary: string): string {
  return ws.desk.command(ws.actor, 'incident.create', {
    source: 'call_110',
    category: 'burglary',
    priority: 2,
    address: '平利县长安镇',
    summary,
    location: CHANGAN,
    countyId: PINGLI,
  }).number;
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
});
