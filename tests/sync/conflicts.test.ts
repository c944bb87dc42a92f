// Concurrent changes of an incident's priority or status by two workstations: the second to reach the server
// does not silently win; it becomes a conflict that both see and that the operator resolves.
import { describe, expect, it } from 'vitest';
import { PINGLI, scriptedClock } from '../helpers/desk';
import { createHub, openTestWorkstation, outboxSize, PINGLI_CALL, signIn } from './harness';

const CALL = PINGLI_CALL;

async function pair() {
  const clock = scriptedClock();
  const hub = createHub(clock);
  const city = openTestWorkstation(hub, {
    id: 'ws-city',
    jurisdictionId: '610900',
    operatorId: 'city-dispatcher',
    clock,
  });
  const pingli = openTestWorkstation(hub, {
    id: 'ws-pingli',
    jurisdictionId: PINGLI,
    operatorId: 'op-610926',
    clock,
  });
  await signIn(city);
  await signIn(pingli);
  const incident = city.desk.command(city.actor, 'incident.create', CALL);
  expect((await city.client.syncNow()).ok).toBe(true);
  expect((await pingli.client.syncNow()).ok).toBe(true);
  return { clock, hub, city, pingli, incident };
}

/** `pair()` and a second hall console where the same city dispatcher is signed in, caught up with the others. */
async function trio() {
  const { clock, hub, city, pingli, incident } = await pair();
  const hall = openTestWorkstation(hub, {
    id: 'ws-city-2',
    jurisdictionId: '610900',
    operatorId: 'city-dispatcher',
    clock,
  });
  await signIn(hall);
  expect((await hall.client.syncNow()).ok).toBe(true);
  return { clock, city, pingli, hall, incident };
}

describe('conflicts between workstations', () => {
  it('keeps the first priority, shows the second as a conflict on both ends, and applies the chosen value', async () => {
    const { clock, city, pingli, incident } = await pair();
    // Both change the priority from 2 while neither has seen the other's change.
    pingli.desk.command(pingli.actor, 'incident.update', { id: incident.id, patch: { priority: 1 } });
    clock.advance(1000);
    city.desk.command(city.actor, 'incident.update', { id: incident.id, patch: { priority: 3 } });
    expect((await city.client.syncNow()).ok).toBe(true);
    expect((await pingli.client.syncNow()).ok).toBe(true);
    expect((await city.client.syncNow()).ok).toBe(true);

    for (const ws of [city, pingli]) {
      expect(ws.desk.query(ws.actor, 'incident.get', { id: incident.id }).priority, `${ws.id} priority`).toBe(
        3,
      );
      const conflicts = ws.desk.query(ws.actor, 'sync.conflicts', {});
      expect(conflicts, `${ws.id} does not see the conflict`).toHaveLength(1);
      expect(conflicts[0]).toMatchObject({ entityId: incident.id, field: 'priority', mine: 1, theirs: 3 });
    }
    expect(outboxSize(pingli.db)).toBe(0);

    const [conflict] = pingli.desk.query(pingli.actor, 'sync.conflicts', {});
    if (!conflict) throw new Error('no conflict to resolve');
    pingli.desk.command(pingli.actor, 'conflict.resolve', { id: conflict.id, choice: 'mine' });
    expect((await pingli.client.syncNow()).ok).toBe(true);
    expect((await city.client.syncNow()).ok).toBe(true);
    for (const ws of [city, pingli]) {
      expect(
        ws.desk.query(ws.actor, 'incident.get', { id: incident.id }).priority,
        `${ws.id} after resolve`,
      ).toBe(1);
      expect(ws.desk.query(ws.actor, 'sync.conflicts', {}), `${ws.id} still lists the conflict`).toHaveLength(
        0,
      );
    }
  });

  it('does not raise a conflict for an operator following up their own change', async () => {
    const { city, pingli, incident } = await pair();
    pingli.desk.command(pingli.actor, 'incident.update', { id: incident.id, patch: { priority: 1 } });
    pingli.desk.command(pingli.actor, 'incident.update', { id: incident.id, patch: { priority: 4 } });
    pingli.desk.command(pingli.actor, 'incident.setStatus', { id: incident.id, status: 'handled' });
    expect((await pingli.client.syncNow()).ok).toBe(true);
    expect((await city.client.syncNow()).ok).toBe(true);
    const seen = city.desk.query(city.actor, 'incident.get', { id: incident.id });
    expect([seen.priority, seen.status]).toEqual([4, 'handled']);
    expect(city.desk.query(city.actor, 'sync.conflicts', {})).toHaveLength(0);
  });

  it('lets the same operator change a field on two consoles without a conflict: the last to reach the server wins', async () => {
    const { clock, city, pingli, hall, incident } = await trio();
    const kase = city.desk.command(city.actor, 'case.create', { title: '长安镇系列盗窃', countyId: PINGLI });
    expect((await city.client.syncNow()).ok).toBe(true);
    expect((await hall.client.syncNow()).ok).toBe(true);
    // The dispatcher works on one console, then on the other, which has not heard of the first's changes.
    city.desk.command(city.actor, 'incident.update', { id: incident.id, patch: { priority: 1 } });
    city.desk.command(city.actor, 'incident.setStatus', { id: incident.id, status: 'dispatched' });
    city.desk.command(city.actor, 'case.setStatus', { id: kase.id, status: 'investigating' });
    expect((await city.client.syncNow()).ok).toBe(true);
    clock.advance(1000);
    hall.desk.command(hall.actor, 'incident.update', { id: incident.id, patch: { priority: 3 } });
    hall.desk.command(hall.actor, 'incident.setStatus', { id: incident.id, status: 'handled' });
    hall.desk.command(hall.actor, 'case.setStatus', { id: kase.id, status: 'closed' });
    expect((await hall.client.syncNow()).ok).toBe(true);
    for (const ws of [city, pingli, hall]) expect((await ws.client.syncNow()).ok).toBe(true);

    for (const ws of [city, pingli, hall]) {
      const seen = ws.desk.query(ws.actor, 'incident.get', { id: incident.id });
      expect([seen.priority, seen.status], `${ws.id} incident`).toEqual([3, 'handled']);
      expect(ws.desk.query(ws.actor, 'case.get', { id: kase.id }).status, `${ws.id} case`).toBe('closed');
      expect(ws.desk.query(ws.actor, 'sync.conflicts', {}), `${ws.id} conflicts`).toHaveLength(0);
    }
    expect(hall.desk.query(hall.actor, 'sync.rejections', {})).toHaveLength(0);
  });

  it('still keeps a conflict when someone else changed the field after the same operator did', async () => {
    const { clock, city, pingli, hall, incident } = await trio();
    city.desk.command(city.actor, 'incident.update', { id: incident.id, patch: { priority: 1 } });
    city.desk.command(city.actor, 'incident.setStatus', { id: incident.id, status: 'dispatched' });
    expect((await city.client.syncNow()).ok).toBe(true);
    expect((await pingli.client.syncNow()).ok).toBe(true);
    clock.advance(1000);
    pingli.desk.command(pingli.actor, 'incident.update', { id: incident.id, patch: { priority: 4 } });
    pingli.desk.command(pingli.actor, 'incident.setStatus', { id: incident.id, status: 'on_scene' });
    expect((await pingli.client.syncNow()).ok).toBe(true);
    clock.advance(1000);
    // The dispatcher's second console still shows priority 2, received.
    hall.desk.command(hall.actor, 'incident.update', { id: incident.id, patch: { priority: 3 } });
    hall.desk.command(hall.actor, 'incident.setStatus', { id: incident.id, status: 'handled' });
    expect((await hall.client.syncNow()).ok).toBe(true);
    for (const ws of [city, pingli, hall]) expect((await ws.client.syncNow()).ok).toBe(true);

    for (const ws of [city, pingli, hall]) {
      const seen = ws.desk.query(ws.actor, 'incident.get', { id: incident.id });
      expect([seen.priority, seen.status], `${ws.id} incident`).toEqual([4, 'on_scene']);
      const conflicts = ws.desk.query(ws.actor, 'sync.conflicts', {});
      expect(
        conflicts.map((c) => [c.field, c.mine, c.theirs, c.operatorId]).sort(),
        `${ws.id} conflicts`,
      ).toEqual([
        ['priority', 3, 4, 'city-dispatcher'],
        ['status', 'handled', 'on_scene', 'city-dispatcher'],
      ]);
    }
  });
});
