// The warning of DESIGN.md's story across a server and two workstations: a plate on the city's watch list is
// checked at a Pingli checkpoint while Pingli is offline; the warning is raised there at once, re-derived by the
// server when the check arrives, and raised on the city's console after sync — one warning everywhere, announced
// once per console; its status then only moves forward, whoever moves it.
import { describe, expect, it } from 'vitest';
import type { EventPayloads } from '../../src/shared/contract';
import { CITY_ID } from '../../src/shared/domain/model';
import { PINGLI, scriptedClock } from '../helpers/desk';
import { cityAndPingli, outboxSize, partitionDump, synced, type TestWorkstation } from './harness';

const PLATE = '陕G7M352';
const CHANGAN_TOLL = '610926-CP-02';

function announced(ws: TestWorkstation): EventPayloads['warning.raised'][] {
  const seen: EventPayloads['warning.raised'][] = [];
  ws.desk.events.on('warning.raised', (payload) => seen.push(payload));
  return seen;
}

describe('a warning raised offline at a county checkpoint', () => {
  it('reaches the server and the city once, the same warning everywhere', async () => {
    const clock = scriptedClock();
    const { hub, city, pingli } = await cityAndPingli(clock);
    const atCity = announced(city);
    const atPingli = announced(pingli);

    // The city hall puts the plate on the city-wide watch list; Pingli receives it with the city partition.
    const entry = city.desk.command(city.actor, 'watch.add', {
      kind: 'plate',
      value: PLATE,
      label: '白色五菱面包车',
      reason: '入室盗窃嫌疑车辆',
      level: 1,
    });
    await synced(city);
    await synced(pingli);
    expect(pingli.desk.query(pingli.actor, 'watch.list', {}).items.map((e) => e.id)).toEqual([entry.id]);

    // The link to the city is down; the checkpoint checks the van anyway.
    pingli.transport.faults.down = true;
    clock.advance(60_000);
    const { check, warnings } = pingli.desk.command(pingli.actor, 'checkpoint.logCheck', {
      checkpointId: CHANGAN_TOLL,
      plate: '陕G 7M352',
    });
    expect(warnings, 'the warning is raised on the Pingli console at once').toHaveLength(1);
    const warningId = warnings[0]?.id;
    expect(atPingli.map((e) => e.warning.id)).toEqual([warningId]);
    expect((await pingli.client.syncNow()).ok, 'offline, nothing is sent').toBe(false);
    expect(outboxSize(pingli.db)).toBe(1);

    // The link returns: the server applies the check and raises the same warning itself.
    pingli.transport.faults.down = false;
    await synced(pingli);
    expect(outboxSize(pingli.db)).toBe(0);
    const onServer = hub.db.prepare('SELECT id, check_id, status FROM warnings').all();
    expect(onServer, 'the server holds exactly the one warning').toEqual([
      { id: warningId, check_id: check.id, status: 'new' },
    ]);
    expect(atPingli, 'Pingli is not told twice when its own warning comes back').toHaveLength(1);

    await synced(city);
    const cityList = city.desk.query(city.actor, 'warning.list', {});
    expect(cityList.items.map((w) => [w.id, w.countyId, w.status])).toEqual([[warningId, PINGLI, 'new']]);
    expect(
      atCity.map((e) => e.warning.id),
      'the city console is told once',
    ).toEqual([warningId]);
    await synced(city);
    await synced(pingli);
    expect(atCity).toHaveLength(1);
    expect(atPingli).toHaveLength(1);
    expect(city.desk.query(city.actor, 'checkpoint.checks', {}).items.map((c) => c.id)).toEqual([check.id]);
    for (const partition of [PINGLI, CITY_ID])
      expect(partitionDump(city.db, partition), `partition ${partition} differs`).toEqual(
        partitionDump(pingli.db, partition),
      );
  });

  it('moves forward only when the city signs for it and an offline Pingli handles it', async () => {
    const clock = scriptedClock();
    const { city, pingli } = await cityAndPingli(clock);
    pingli.desk.command(pingli.actor, 'watch.add', { kind: 'plate', value: PLATE, reason: '盗窃', level: 1 });
    const [warning] = pingli.desk.command(pingli.actor, 'checkpoint.logCheck', {
      checkpointId: CHANGAN_TOLL,
      plate: PLATE,
    }).warnings;
    if (!warning) throw new Error('no warning was raised');
    await synced(pingli);
    await synced(city);

    // Pingli handles it offline; meanwhile the city signs for it. Then Pingli's handling arrives.
    pingli.transport.faults.down = true;
    clock.advance(30_000);
    pingli.desk.command(pingli.actor, 'warning.handle', { id: warning.id, note: '已拦停，嫌疑人控制' });
    clock.advance(30_000);
    city.desk.command(city.actor, 'warning.acknowledge', { id: warning.id });
    await synced(city);
    pingli.transport.faults.down = false;
    await synced(pingli);
    await synced(city);
    // The city signing for it again after it was handled does not bring it back.
    city.desk.command(city.actor, 'warning.acknowledge', { id: warning.id });
    await synced(city);
    await synced(pingli);

    for (const ws of [city, pingli]) {
      const seen = ws.desk.query(ws.actor, 'warning.get', { id: warning.id });
      expect([seen.status, seen.acknowledgedBy, seen.handledBy, seen.handleNote], ws.id).toEqual([
        'handled',
        'city-dispatcher',
        'op-610926',
        '已拦停，嫌疑人控制',
      ]);
      expect(ws.desk.query(ws.actor, 'sync.rejections', {}), `${ws.id} has nothing rejected`).toEqual([]);
    }
  });
});
