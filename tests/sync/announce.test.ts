// A top-priority (一级) incident taken on one console is announced on the others once sync brings it: once,
// only while it is recent and open, and never for lower priorities.
import { describe, expect, it } from 'vitest';
import type { EventPayloads } from '../../src/shared/contract';
import type { Incident } from '../../src/shared/domain/model';
import { ANNOUNCE_AT_ONCE } from '../../src/main/api/desk';
import { burglaryCall, PINGLI, scriptedClock } from '../helpers/desk';
import { cityAndPingli, synced, type TestWorkstation } from './harness';

function announced(ws: TestWorkstation): string[] {
  const seen: string[] = [];
  ws.desk.events.on('incident.created', ({ incident }: EventPayloads['incident.created']) =>
    seen.push(incident.id),
  );
  return seen;
}

describe('a top-priority incident taken at the city hall', () => {
  it('is announced on the Pingli console once, while recent and open', async () => {
    const clock = scriptedClock();
    const { city, pingli } = await cityAndPingli(clock);
    const atPingli = announced(pingli);
    const atCity = announced(city);
    const create = (priority: number): Incident =>
      city.desk.command(city.actor, 'incident.create', burglaryCall({ countyId: PINGLI, priority }));

    const urgent = create(1);
    const routine = create(3);
    expect(atCity, 'the city announced its own incidents when it took them').toEqual([urgent.id, routine.id]);
    await synced(city);
    await synced(pingli);
    expect(atPingli, 'Pingli announces the top-priority one only').toEqual([urgent.id]);
    expect(pingli.desk.query(pingli.actor, 'incident.get', { id: routine.id })?.id).toBe(routine.id);

    // Changed and synced again: already held, not announced again; and the city does not announce its echo.
    city.desk.command(city.actor, 'incident.update', {
      id: urgent.id,
      patch: { summary: '嫌疑车辆向G6911逃窜' },
    });
    await synced(city);
    await synced(pingli);
    expect(atPingli).toEqual([urgent.id]);
    expect(atCity).toEqual([urgent.id, routine.id]);

    // One that reaches Pingli more than half an hour after the call is listed, not announced.
    const late = create(1);
    await synced(city);
    clock.advance(31 * 60_000);
    await synced(pingli);
    expect(pingli.desk.query(pingli.actor, 'incident.get', { id: late.id })?.id).toBe(late.id);
    expect(atPingli).toEqual([urgent.id]);
  });

  it('announces only the newest few when one pull brings many', async () => {
    const clock = scriptedClock();
    const { city, pingli } = await cityAndPingli(clock);
    const atPingli = announced(pingli);
    const urgent: string[] = [];
    for (let i = 0; i < ANNOUNCE_AT_ONCE + 5; i += 1) {
      clock.advance(1_000);
      urgent.push(
        city.desk.command(city.actor, 'incident.create', burglaryCall({ countyId: PINGLI, priority: 1 })).id,
      );
    }
    // The newest one is cancelled before Pingli hears of it: listed, not announced, and it does not use a place.
    const closed = urgent.at(-1) ?? '';
    city.desk.command(city.actor, 'incident.setStatus', {
      id: closed,
      status: 'cancelled',
      disposition: '误报',
    });
    await synced(city);
    await synced(pingli);
    expect(atPingli, 'the newest open ones, newest first').toEqual(urgent.slice(4, -1).reverse());
    expect(pingli.desk.query(pingli.actor, 'incident.get', { id: urgent[0] ?? '' })?.id).toBe(urgent[0]);
  });
});
