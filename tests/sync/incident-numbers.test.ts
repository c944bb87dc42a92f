// Incident numbers are handed out by the console that records the call, from its own per-county-day counter. Two
// consoles numbering calls of the same county on the same day — the city hall and the Pingli substation, or two
// substation desks, one of them offline — must never give the same number: each numbers with the prefix the server
// gave it at sign-in, kept for offline work and after a restart.
import { describe, expect, it } from 'vitest';
import { numberPrefixOf } from '../../src/server/hub';
import { PINGLI, scriptedClock } from '../helpers/desk';
import { demoPassword } from '../../src/server/admin';
import { VERSIONS } from '../../src/main/sync/transport';
import {
  cityAndPingli,
  createHub,
  openTestWorkstation,
  restart,
  signIn,
  synced,
  type TestWorkstation,
  recordPingliCall,
} from './harness';

function recordCall(ws: TestWorkstation, summary: string): string {
  return recordPingliCall(ws, summary).number;
}

describe('incident numbers across consoles', () => {
  it('gives each enrolled workstation its own prefix: A to Z, then AA', () => {
    expect([1, 2, 26, 27, 52, 53, 702, 703].map(numberPrefixOf)).toEqual([
      'A',
      'B',
      'Z',
      'AA',
      'AZ',
      'BA',
      'ZZ',
      'AAA',
    ]);
  });

  it('keeps a workstation its prefix when it enrols again and after a VACUUM; a new one takes the next', () => {
    const clock = scriptedClock();
    const hub = createHub(clock);
    const prefixOf = (id: string) =>
      hub.login({
        ...VERSIONS,
        operatorId: `op-${PINGLI}`,
        password: demoPassword(`op-${PINGLI}`),
        workstationId: id,
        workstationSecret: `secret-of-${id}-0123456789`,
      }).workstation.numberPrefix;
    hub.enrollDirect('ws-x', PINGLI, 'secret-of-ws-x-0123456789');
    const first = prefixOf('ws-x');
    expect(first).toMatch(/^[A-Z]+$/);
    hub.enrollDirect('ws-x', PINGLI, 'secret-of-ws-x-0123456789');
    hub.db.exec('VACUUM');
    expect(prefixOf('ws-x')).toBe(first);
    hub.enrollDirect('ws-y', PINGLI, 'secret-of-ws-y-0123456789');
    const places = hub.db.prepare('SELECT max(number_seq) AS n FROM workstations').get() as { n: number };
    expect(prefixOf('ws-y')).toBe(numberPrefixOf(places.n));
    expect(prefixOf('ws-y')).not.toBe(first);
  });

  it('never repeats a number between the city, Pingli and a second Pingli desk working offline', async () => {
    const clock = scriptedClock();
    const { hub, city, pingli } = await cityAndPingli(clock);
    const spec = { id: 'ws-pingli-2', jurisdictionId: PINGLI, operatorId: `op-${PINGLI}`, clock };
    let second = openTestWorkstation(hub, spec);
    expect(await signIn(second)).toBe(true);
    // The second desk loses its link and restarts while offline: its prefix is in its store.
    second.transport.faults.down = true;
    second = await restart(hub, second, spec);
    expect(await signIn(second), 'signed in offline').toBe(false);

    const numbers = new Map<string, string[]>();
    for (const ws of [city, pingli, second])
      numbers.set(
        ws.id,
        [1, 2, 3].map((n) => recordCall(ws, `${ws.id} 第${n}起`)),
      );
    const all = [...numbers.values()].flat();
    expect(new Set(all).size, `every number once: ${all.join(', ')}`).toBe(all.length);
    const prefixes = [...numbers.values()].map(
      (list) => /^610926-\d{8}-([A-Z]+)0001$/.exec(list[0] ?? '')?.[1],
    );
    expect(new Set(prefixes).size, 'three consoles, three prefixes').toBe(3);
    expect(prefixes.every((prefix) => prefix !== undefined)).toBe(true);

    // Once everything is synced, every console holds all nine, each under the number its console gave it.
    second.transport.faults.down = false;
    for (const ws of [city, pingli, second, city, pingli, second]) await synced(ws);
    for (const ws of [city, pingli, second]) {
      const held = (
        ws.db.prepare('SELECT number FROM incidents WHERE county_id = ?').all(PINGLI) as {
          number: string;
        }[]
      ).map((row) => row.number);
      for (const number of all) expect(held, `${ws.id} holds ${number}`).toContain(number);
    }
    const onServer = hub.db
      .prepare(
        'SELECT number, count(*) AS n FROM incidents WHERE number IN (SELECT value FROM json_each(?)) GROUP BY number',
      )
      .all(JSON.stringify(all)) as { number: string; n: number }[];
    expect(onServer).toHaveLength(all.length);
    expect(onServer.every((row) => row.n === 1)).toBe(true);
  });
});
