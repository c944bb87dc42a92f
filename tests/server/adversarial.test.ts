// What a hostile or unlucky workstation could make the server do that the other server tests do not try: reach
// another county's records through a reference, take over another workstation's id, stamp data far in the future.
// Each case names the defect it guards against; what a refused command leaves must equal what was there before.
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { demoPassword, demoSecret } from '../../src/server/admin';
import { numberPrefixOf, SyncHub } from '../../src/server/hub';
import type { Session } from '../../src/server/auth';
import type { PushedCommand, PushResult } from '../../src/shared/sync';
import { burglaryCall, demoSession, demoDataDir, HANBIN, HANBIN_CENTRE, PINGLI, V } from './helpers';

const START = Date.UTC(2026, 10, 29, 2, 0, 0);
const CITY_WS = 'ws-city';
const PINGLI_WS = `ws-${PINGLI}`;
const DISPATCHER = 'city-dispatcher';
const PINGLI_OP = `op-${PINGLI}`;

const hubs: { hub: SyncHub; dir: string }[] = [];

afterEach(() => {
  for (const { hub, dir } of hubs.splice(0)) {
    hub.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

interface Desk {
  hub: SyncHub;
  city: Session;
  pingli: Session;
  /** Pushes one command as the named workstation's operator; its counter is the workstation's next. */
  send: (ws: 'city' | 'pingli', name: string, input: unknown, at?: number) => PushResult;
}

const signIn = demoSession;

function openDesk(now: () => number = () => START): Desk {
  const dir = demoDataDir();
  const hub = SyncHub.open(dir, { now });
  hubs.push({ hub, dir });
  const city = signIn(hub, DISPATCHER, CITY_WS);
  const pingli = signIn(hub, PINGLI_OP, PINGLI_WS);
  const counters = { city: 0, pingli: 0 };
  const send = (ws: 'city' | 'pingli', name: string, input: unknown, at = now()): PushResult => {
    counters[ws] += 1;
    const command: PushedCommand = {
      commandId: `cmd-${ws}-${counters[ws]}`,
      counter: counters[ws],
      name,
      input,
      operatorId: ws === 'city' ? DISPATCHER : PINGLI_OP,
      at,
    };
    const session = ws === 'city' ? city : pingli;
    const [result] = hub.push(session, {
      ...V,
      workstationId: session.workstationId,
      commands: [command],
    }).results;
    if (!result) throw new Error('push answered no result');
    return result;
  };
  return { hub, city, pingli, send };
}

/** Every row of the tables a command can write, except the outcomes the server keeps of each command. */
function dump(hub: SyncHub): Record<string, unknown[]> {
  const tables = [
    'incidents',
    'timeline',
    'units',
    'checkpoints',
    'orders',
    'order_targets',
    'changes',
    'partitions',
  ];
  return Object.fromEntries(
    tables.map((table) => [table, hub.db.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all()]),
  );
}

function firstId(hub: SyncHub, table: 'units' | 'checkpoints' | 'orgs', countyId: string): string {
  const row = hub.db
    .prepare(`SELECT id FROM ${table} WHERE county_id = ? ORDER BY id LIMIT 1`)
    .get(countyId) as { id: string } | undefined;
  if (!row) throw new Error(`no ${table} in ${countyId}`);
  return row.id;
}

function hanbinIncident(desk: Desk, id = 'inc-hanbin'): string {
  const result = desk.send(
    'city',
    'incident.create',
    burglaryCall(id, { countyId: HANBIN, location: HANBIN_CENTRE, address: '汉滨区 测试地址' }),
  );
  expect(result.status, JSON.stringify(result)).toBe('applied');
  return id;
}

describe('county isolation through references', () => {
  it("refuses a Pingli unit assigned to a Hanbin incident: nothing is written on Hanbin's timeline", () => {
    const desk = openDesk();
    const incidentId = hanbinIncident(desk);
    const unitId = firstId(desk.hub, 'units', PINGLI);
    const before = dump(desk.hub);
    const result = desk.send('pingli', 'unit.setStatus', { id: unitId, status: 'dispatched', incidentId });
    expect(result.status).toBe('rejected');
    expect(result.error?.code).toBe('forbidden');
    expect(result.error?.message).toContain(incidentId);
    expect(dump(desk.hub)).toEqual(before);
    // The city covers both counties and may send a Pingli unit to help in Hanbin.
    expect(desk.send('city', 'unit.setStatus', { id: unitId, status: 'dispatched', incidentId }).status).toBe(
      'applied',
    );
  });

  it("refuses a Pingli checkpoint activated for a Hanbin order; the city's city-wide orders may be named", () => {
    const desk = openDesk();
    const order = desk.send('city', 'order.issue', {
      id: 'ord-hanbin',
      template: 'checkpoint_search',
      title: '设卡盘查',
      targets: [{ targetKind: 'org', targetId: firstId(desk.hub, 'orgs', HANBIN) }],
    });
    expect(order.status, JSON.stringify(order)).toBe('applied');
    const checkpointId = firstId(desk.hub, 'checkpoints', PINGLI);
    const before = dump(desk.hub);
    const result = desk.send('pingli', 'checkpoint.setActive', {
      id: checkpointId,
      active: true,
      orderId: 'ord-hanbin',
    });
    expect(result.status).toBe('rejected');
    expect(result.error?.code).toBe('forbidden');
    expect(result.error?.message).toContain('ord-hanbin');
    expect(dump(desk.hub)).toEqual(before);

    const cityWide = desk.send('city', 'order.issue', {
      id: 'ord-city',
      template: 'checkpoint_search',
      title: '全市设卡',
      targets: [
        { targetKind: 'org', targetId: firstId(desk.hub, 'orgs', HANBIN) },
        { targetKind: 'org', targetId: firstId(desk.hub, 'orgs', PINGLI) },
      ],
    });
    expect(cityWide.status, JSON.stringify(cityWide)).toBe('applied');
    const named = desk.send('pingli', 'checkpoint.setActive', {
      id: checkpointId,
      active: true,
      orderId: 'ord-city',
    });
    expect(named.status, JSON.stringify(named)).toBe('applied');
  });
});

describe('enrolment', () => {
  it("refuses a one-time token naming a workstation id that is enrolled already: the holder cannot take over its secret, jurisdiction and operators' sign-ins", () => {
    const desk = openDesk();
    const { token } = desk.hub.createEnrollToken(PINGLI);
    const workstations = () => desk.hub.db.prepare('SELECT * FROM workstations ORDER BY id').all();
    const before = workstations();
    expect(() => desk.hub.enroll({ ...V, enrollToken: token, workstationId: CITY_WS })).toThrow(
      /workstation ws-city is enrolled already/,
    );
    expect(workstations()).toEqual(before);
    // The city workstation still signs in with its own secret, as the city's.
    expect(signIn(desk.hub, DISPATCHER, CITY_WS).jurisdictionId).toBe('610900');
    // The token was not spent by the refusal: it enrols a new id.
    expect(desk.hub.enroll({ ...V, enrollToken: token, workstationId: 'ws-pingli-2' }).jurisdictionId).toBe(
      PINGLI,
    );
  });
});

describe('times in the future', () => {
  it("clamps an incident's receivedAt far ahead of the command's time as the command's own time is clamped", () => {
    let now = START;
    const desk = openDesk(() => now);
    const created = (id: string) =>
      desk.hub.db.prepare('SELECT received_at AS receivedAt FROM incidents WHERE id = ?').get(id) as {
        receivedAt: number;
      };
    // A console whose clock runs a day ahead: its completed input carries its own time as receivedAt.
    const ahead = START + 24 * 60 * 60_000;
    const skewed = desk.send(
      'pingli',
      'incident.create',
      burglaryCall('inc-skewed', { receivedAt: ahead }),
      ahead,
    );
    expect(skewed.status, JSON.stringify(skewed)).toBe('applied');
    expect(created('inc-skewed').receivedAt).toBe(START);
    // A hostile one: the latest time a Date can hold, on a command stamped now, and no number to derive from it.
    now += 1000;
    const { number: _number, ...unnumbered } = burglaryCall('inc-far', { receivedAt: 8.64e15 });
    const far = desk.send('pingli', 'incident.create', unnumbered);
    expect(far.status, JSON.stringify(far)).toBe('applied');
    expect(created('inc-far').receivedAt).toBe(now);
    // Within the allowed skew a console's receivedAt is kept as it sent it.
    const near = desk.send(
      'pingli',
      'incident.create',
      burglaryCall('inc-near', { receivedAt: now + 60_000 }),
    );
    expect(near.status).toBe('applied');
    expect(created('inc-near').receivedAt).toBe(now + 60_000);
  });
});

describe('incident number prefixes', () => {
  it('gives a workstation the prefix of its stored enrolment place, whatever rowid its row has now', () => {
    const desk = openDesk();
    const place = desk.hub.db.prepare('SELECT number_seq AS n FROM workstations WHERE id = ?');
    const { n } = place.get(PINGLI_WS) as { n: number };
    // A VACUUM may renumber the rowids of a table without an INTEGER PRIMARY KEY; here one is moved by hand.
    desk.hub.db.prepare('UPDATE workstations SET rowid = 1000 WHERE id = ?').run(PINGLI_WS);
    const answer = desk.hub.login({
      ...V,
      operatorId: PINGLI_OP,
      password: demoPassword(PINGLI_OP),
      workstationId: PINGLI_WS,
      workstationSecret: demoSecret(PINGLI_WS),
    });
    expect(answer.workstation.numberPrefix).toBe(numberPrefixOf(n));
  });
});

describe('sessions', () => {
  it("ends a disabled operator's session at once: no more pulls or pushes on the token they signed in with", () => {
    const desk = openDesk();
    const { token } = desk.hub.login({
      ...V,
      operatorId: PINGLI_OP,
      password: demoPassword(PINGLI_OP),
      workstationId: PINGLI_WS,
      workstationSecret: demoSecret(PINGLI_WS),
    });
    expect(desk.hub.session(token).operatorId).toBe(PINGLI_OP);
    desk.hub.setAccountActive(PINGLI_OP, false);
    expect(() => desk.hub.session(token)).toThrow(/operator op-610926 is disabled or unknown/);
    // Enabled again (addAccount re-activates), the same token serves until it expires.
    desk.hub.setAccountActive(PINGLI_OP, true);
    expect(desk.hub.session(token).workstationId).toBe(PINGLI_WS);
  });
});

describe('admin input', () => {
  it('refuses an account id that sign-in and pushes could never carry, naming it', () => {
    const desk = openDesk();
    const accounts = () => desk.hub.db.prepare('SELECT id FROM accounts ORDER BY id').all();
    const before = accounts();
    for (const id of ['张警官', 'op 1', 'x'.repeat(65), ''])
      expect(() =>
        desk.hub.addAccount({
          id,
          name: '值班员',
          role: 'county_operator',
          jurisdictionId: PINGLI,
          password: 'long-enough-pw',
        }),
      ).toThrow(/operator id/);
    expect(accounts()).toEqual(before);
  });

  it("refuses an account's organisation that does not exist or lies outside its jurisdiction, naming it", () => {
    const desk = openDesk();
    const accounts = () => desk.hub.db.prepare('SELECT * FROM accounts ORDER BY id').all();
    const before = accounts();
    const account = (orgId: string) => ({
      id: 'op-pingli-2',
      name: '平利值班员',
      role: 'county_operator' as const,
      jurisdictionId: PINGLI,
      orgId,
      password: 'long-enough-pw',
    });
    expect(() => desk.hub.addAccount(account('no-such-org'))).toThrow(
      /organisation no-such-org does not exist/,
    );
    const hanbinOrg = firstId(desk.hub, 'orgs', HANBIN);
    expect(() => desk.hub.addAccount(account(hanbinOrg))).toThrow(new RegExp(`organisation ${hanbinOrg}`));
    expect(accounts()).toEqual(before);
    desk.hub.addAccount(account(firstId(desk.hub, 'orgs', PINGLI)));
    expect(accounts()).toHaveLength(before.length + 1);
  });

  it('refuses an enrolment token lifetime that is not a positive number of milliseconds, naming it', () => {
    const desk = openDesk();
    const tokens = () => desk.hub.db.prepare('SELECT * FROM enroll_tokens').all();
    const before = tokens();
    for (const ttl of [Number.NaN, -3_600_000, 0, Number.POSITIVE_INFINITY])
      expect(() => desk.hub.createEnrollToken(PINGLI, ttl)).toThrow(/lifetime/);
    expect(tokens()).toEqual(before);
  });
});

describe('command ids', () => {
  it('refuses a command id so long that the records named after it could never be addressed again', () => {
    const desk = openDesk();
    const before = dump(desk.hub);
    const longId = `x${'0'.repeat(63)}`;
    const command: PushedCommand = {
      commandId: longId,
      counter: 1,
      name: 'case.create',
      input: { title: '系列盗窃' },
      operatorId: PINGLI_OP,
      at: START,
    };
    expect(() => desk.hub.push(desk.pingli, { ...V, workstationId: PINGLI_WS, commands: [command] })).toThrow(
      /commands\.0\.commandId: a command id has at most 48 characters/,
    );
    expect(dump(desk.hub)).toEqual(before);
    // A console's own ids (version 7 UUIDs, 36 characters) leave room for every suffix a record takes.
    const uuid = '019ad3c1-8e6f-7c2a-9b1d-3f5e7a9c1b2d';
    const [created] = desk.hub.push(desk.pingli, {
      ...V,
      workstationId: PINGLI_WS,
      commands: [{ ...command, commandId: uuid, counter: 100 }],
    }).results;
    expect(created?.status, JSON.stringify(created)).toBe('applied');
    expect(
      desk.send('pingli', 'case.setStatus', { id: `${uuid}.case1`, status: 'investigating' }).status,
    ).toBe('applied');
  });
});

describe('roles', () => {
  it("refuses an analyst settling an incident's conflict: it would change the incident's priority, which an analyst may not", () => {
    const desk = openDesk();
    const analyst = signIn(desk.hub, 'city-analyst', CITY_WS);
    const created = desk.send('city', 'incident.create', burglaryCall('inc-conflict', { countyId: PINGLI }));
    expect(created.status).toBe('applied');
    expect(desk.send('city', 'incident.update', { id: 'inc-conflict', patch: { priority: 2 } }).status).toBe(
      'applied',
    );
    // Made by Pingli on a copy that still showed priority 1: kept as a conflict instead of overwriting 2.
    const stale = desk.send('pingli', 'incident.update', {
      id: 'inc-conflict',
      patch: { priority: 3 },
      expected: { priority: 1 },
    });
    expect(stale.status).toBe('applied');
    const { id: conflictId } = desk.hub.db.prepare('SELECT id FROM conflicts').get() as { id: string };
    const before = dump(desk.hub);
    const [result] = desk.hub.push(analyst, {
      ...V,
      workstationId: CITY_WS,
      commands: [
        {
          commandId: 'cmd-analyst-1',
          counter: 90,
          name: 'conflict.resolve',
          input: { id: conflictId, choice: 'mine' },
          operatorId: 'city-analyst',
          at: START,
        },
      ],
    }).results;
    expect(result?.status).toBe('rejected');
    expect(result?.error?.code).toBe('forbidden');
    expect(result?.error?.message).toContain('incident.update');
    expect(dump(desk.hub)).toEqual(before);
    // The dispatcher who may change priorities settles it.
    expect(desk.send('city', 'conflict.resolve', { id: conflictId, choice: 'mine' }).status).toBe('applied');
  });

  it("lets an analyst settle a case's status conflict, which an analyst may set, and refuses a supervisor", () => {
    const desk = openDesk();
    const analyst = signIn(desk.hub, 'city-analyst', CITY_WS);
    const supervisor = signIn(desk.hub, 'city-supervisor', CITY_WS);
    const created = desk.send('city', 'case.create', {
      id: 'case-conflict',
      title: '系列盗窃',
      countyId: PINGLI,
    });
    expect(created.status, JSON.stringify(created)).toBe('applied');
    expect(desk.send('city', 'case.setStatus', { id: 'case-conflict', status: 'investigating' }).status).toBe(
      'applied',
    );
    // Made by Pingli on a copy that still showed the case open: kept as a conflict instead of closing it.
    const stale = desk.send('pingli', 'case.setStatus', {
      id: 'case-conflict',
      status: 'closed',
      expected: { status: 'open' },
    });
    expect(stale.status).toBe('applied');
    const { id: conflictId } = desk.hub.db.prepare('SELECT id FROM conflicts').get() as { id: string };
    const resolve = (session: Session, operatorId: string, counter: number): PushResult => {
      const [result] = desk.hub.push(session, {
        ...V,
        workstationId: CITY_WS,
        commands: [
          {
            commandId: `cmd-${operatorId}-${counter}`,
            counter,
            name: 'conflict.resolve',
            input: { id: conflictId, choice: 'mine' },
            operatorId,
            at: START,
          },
        ],
      }).results;
      if (!result) throw new Error('push answered no result');
      return result;
    };
    const caseStatus = () =>
      (desk.hub.db.prepare("SELECT status FROM cases WHERE id = 'case-conflict'").get() as { status: string })
        .status;
    const refused = resolve(supervisor, 'city-supervisor', 90);
    expect(refused.status).toBe('rejected');
    expect(refused.error?.code).toBe('forbidden');
    expect(refused.error?.message).toContain('conflict.resolve');
    expect(caseStatus(), 'the refused supervisor changed nothing').toBe('investigating');
    const settled = resolve(analyst, 'city-analyst', 91);
    expect(settled.status, JSON.stringify(settled)).toBe('applied');
    expect(caseStatus(), "the analyst's choice of 'mine' closed the case").toBe('closed');
  });
});

describe('reserved operator ids', () => {
  it('refuses commands in the name of a system: account made before the ids were reserved, even one that signed in then', () => {
    const desk = openDesk();
    // Written straight into the store, as an account and a sign-in from before the reservation would be.
    desk.hub.db
      .prepare(
        `INSERT INTO accounts (id, name, role, jurisdiction_id, org_id, salt, hash, active, created_at)
           VALUES ('system:clock', '旧账号', 'city_commander', '610900', NULL, '00', '00', 1, ?)`,
      )
      .run(START);
    desk.hub.db
      .prepare(
        `INSERT INTO workstation_operators (workstation_id, operator_id, first_at, last_at) VALUES (?, 'system:clock', ?, ?)`,
      )
      .run(CITY_WS, START, START);
    const before = dump(desk.hub);
    const [result] = desk.hub.push(desk.city, {
      ...V,
      workstationId: CITY_WS,
      commands: [
        {
          commandId: 'cmd-system-clock-1',
          counter: 70,
          name: 'incident.create',
          input: burglaryCall('inc-system', { countyId: PINGLI }),
          operatorId: 'system:clock',
          at: START,
        },
      ],
    }).results;
    expect(result?.status).toBe('rejected');
    expect(result?.error?.code).toBe('forbidden');
    expect(result?.error?.message).toContain('reserved');
    expect(dump(desk.hub)).toEqual(before);
  });
});
