// Smoke: a city and a Pingli workstation exchange an incident through the in-process hub.
import { describe, expect, it } from 'vitest';
import { CITY_ID } from '../../src/shared/domain/model';
import { CHANGAN, PINGLI, scriptedClock } from '../helpers/desk';
import { createHub, openTestWorkstation, outboxSize, partitionDump, signIn } from './harness';

describe('sync smoke', () => {
  it('an incident recorded by the city reaches Pingli', async () => {
    const clock = scriptedClock();
    const hub = createHub(clock);
    const city = openTestWorkstation(hub, {
      id: 'ws-city',
      jurisdictionId: CITY_ID,
      operatorId: 'city-dispatcher',
      clock,
    });
    const pingli = openTestWorkstation(hub, {
      id: 'ws-pingli',
      jurisdictionId: PINGLI,
      operatorId: 'op-610926',
      clock,
    });
    expect(await signIn(city)).toBe(true);
    expect(await signIn(pingli)).toBe(true);
    const incident = city.desk.command(city.actor, 'incident.create', {
      source: 'call_110',
      category: 'burglary',
      priority: 1,
      address: '长安镇',
      summary: '入室盗窃',
      location: CHANGAN,
      countyId: PINGLI,
    });
    const first = await city.client.syncNow();
    expect(first.error).toBeUndefined();
    const second = await pingli.client.syncNow();
    expect(second.error).toBeUndefined();
    expect(pingli.desk.query(pingli.actor, 'incident.get', { id: incident.id }).number).toBe(incident.number);
    expect(outboxSize(city.db)).toBe(0);
    expect(partitionDump(pingli.db, PINGLI)).toEqual(partitionDump(hub.db, PINGLI));
    expect(partitionDump(city.db, PINGLI)).toEqual(partitionDump(hub.db, PINGLI));
  });
});
