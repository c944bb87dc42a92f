// A console whose clock was reset (a flat CMOS battery reads 1970, a firmware its default date such as 2000-01-01)
// stamps its commands decades back. Taken as sent, its orders were overdue at once and every console's supervision
// escalated them, its top-priority call was never announced elsewhere (announced calls are recent ones) and its
// timeline read 1970. The server takes its receive time instead, as it does for a clock far ahead. A console that
// was offline for days, or used before it was enrolled, sends old times that are true: those stay.
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { SupervisionService } from '../../src/main/core/supervision/timer';
import { getIncident } from '../../src/main/db/incidents';
import { getOrder } from '../../src/main/db/orders';
import { listTimeline } from '../../src/main/db/timeline';
import { getWarning } from '../../src/main/db/warnings';
import { getWatchEntry } from '../../src/main/db/watch-entries';
import { supervisionScope } from '../../src/main/host';
import { SyncHub, type LogLevel } from '../../src/server/hub';
import type { EventPayloads } from '../../src/shared/contract';
import { CITY_ID, type Order } from '../../src/shared/domain/model';
import { makeDesk, MORNING, scriptedClock, type ScriptedClock } from '../helpers/desk';
import {
  openTestWorkstation,
  outboxSize,
  partitionDump,
  PINGLI_CALL,
  signIn,
  synced,
  type TestWorkstation,
} from '../sync/harness';
import { demoDataDir, PINGLI } from './helpers';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const PINGLI_OP = `op-${PINGLI}`;
const BRIGADE = '610926-TB';
const CHANGAN_TOLL = '610926-CP-02';
const PLATE = '陕G7M352';

interface Logged {
  level: LogLevel;
  msg: string;
  fields: Record<string, unknown>;
}

const hubs: { hub: SyncHub; dir: string }[] = [];

afterEach(() => {
  for (const { hub, dir } of hubs.splice(0)) {
    hub.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** The demo server store on the test's clock, with what it logs kept. */
function openHub(clock: ScriptedClock): { hub: SyncHub; logged: Logged[] } {
  const dir = demoDataDir();
  const logged: Logged[] = [];
  const hub = SyncHub.open(dir, {
    now: clock,
    log: (level, msg, fields = {}) => logged.push({ level, msg, fields }),
  });
  hubs.push({ hub, dir });
  return { hub, logged };
}

function clampLines(logged: Logged[]): Record<string, unknown>[] {
  return logged.filter((line) => line.msg === 'command time clamped').map((line) => line.fields);
}

function received(hub: SyncHub, workstationId: string): unknown[] {
  return hub.db
    .prepare(
      `SELECT name, at, received_at AS receivedAt, at_clamped AS clamped FROM received_commands
        WHERE workstation_id = ? ORDER BY counter`,
    )
    .all(workstationId);
}

/** Pingli's 110 call and its order to the traffic brigade: sign within 5 minutes, finish within an hour. */
function callAndOrder(ws: TestWorkstation, priority = 2): { incidentId: string; order: Order } {
  const incident = ws.desk.command(ws.actor, 'incident.create', { ...PINGLI_CALL, priority });
  const order = ws.desk.command(ws.actor, 'order.issue', {
    incidentId: incident.id,
    template: 'custom',
    title: '设卡盘查',
    targets: [{ targetKind: 'org', targetId: BRIGADE }],
    signDeadlineMin: 5,
    finishDeadlineMin: 60,
  });
  return { incidentId: incident.id, order };
}

/** An order as made `by` milliseconds later: every time it carries moved, nothing else. */
function movedBy(order: Order, by: number): Order {
  return {
    ...order,
    issuedAt: order.issuedAt + by,
    updatedAt: order.updatedAt + by,
    targets: order.targets.map((target) => ({
      ...target,
      signDeadline: target.signDeadline + by,
      finishDeadline: target.finishDeadline + by,
    })),
  };
}

describe('a console whose clock was reset', () => {
  it.each([
    ['to 0 (1970-01-01)', 0],
    ['to its firmware default 2000-01-01', Date.UTC(2000, 0, 1)],
  ])('reset %s: the server takes its receive time for every time the push carries', async (_label, reset) => {
    const clock = scriptedClock();
    const { hub, logged } = openHub(clock);
    const city = openTestWorkstation(hub, {
      id: 'ws-city-hall',
      jurisdictionId: CITY_ID,
      operatorId: 'city-dispatcher',
      clock,
    });
    const pingli = openTestWorkstation(hub, {
      id: 'ws-pingli-reset',
      jurisdictionId: PINGLI,
      operatorId: PINGLI_OP,
      clock: () => reset + (clock() - MORNING),
    });
    for (const ws of [city, pingli]) expect(await signIn(ws), `${ws.id} signs in online`).toBe(true);
    const calls: string[] = [];
    const warnings: string[] = [];
    city.desk.events.on('incident.created', (e: EventPayloads['incident.created']) =>
      calls.push(e.incident.id),
    );
    city.desk.events.on('warning.raised', (e: EventPayloads['warning.raised']) =>
      warnings.push(e.warning.id),
    );

    // A top-priority call, its order, a plate put on the watch list and a check that matches it, all stamped
    // with the reset clock on the console.
    const { incidentId, order } = callAndOrder(pingli, 1);
    const entry = pingli.desk.command(pingli.actor, 'watch.add', {
      kind: 'plate',
      value: PLATE,
      reason: '盗窃',
    });
    const { warnings: raised } = pingli.desk.command(pingli.actor, 'checkpoint.logCheck', {
      checkpointId: CHANGAN_TOLL,
      plate: PLATE,
    });
    const mine = getIncident(pingli.db, incidentId);
    expect(mine?.receivedAt, "the console's own copy carries its clock").toBe(reset);
    clock.advance(30_000);
    const now = clock();
    await synced(pingli);
    expect(outboxSize(pingli.db)).toBe(0);

    expect(received(hub, pingli.id), 'the receive time instead of each time sent, marked clamped').toEqual(
      ['incident.create', 'order.issue', 'watch.add', 'checkpoint.logCheck'].map((name) => ({
        name,
        at: now,
        receivedAt: now,
        clamped: 1,
      })),
    );
    expect(clampLines(logged), 'one warning line per clamped command, naming the direction').toEqual(
      [1, 2, 3, 4].map((counter) => ({
        workstationId: pingli.id,
        counter,
        commandId: expect.any(String) as string,
        direction: 'past',
        at: reset,
        receivedAt: now,
      })),
    );
    expect(logged.filter((line) => line.msg === 'command time clamped').map((line) => line.level)).toEqual(
      Array<LogLevel>(4).fill('warn'),
    );

    // The records differ from the console's copies in their times only, and those are the receive time.
    const moved = now - reset;
    expect(getIncident(hub.db, incidentId)).toEqual({ ...mine, receivedAt: now, updatedAt: now });
    expect(getOrder(hub.db, order.id)).toEqual(movedBy(order, moved));
    expect(getOrder(hub.db, order.id)?.targets[0]).toMatchObject({
      signDeadline: now + 5 * MINUTE,
      finishDeadline: now + 60 * MINUTE,
    });
    expect(getWatchEntry(hub.db, entry.id)).toEqual({ ...entry, createdAt: now, updatedAt: now });
    const warningId = raised[0]?.id ?? '';
    expect(getWarning(hub.db, warningId)).toEqual({ ...raised[0], raisedAt: now, updatedAt: now });
    const timeline = listTimeline(hub.db, incidentId);
    expect(timeline.length).toBeGreaterThan(1);
    expect(new Set(timeline.map((e) => e.at)), 'no timeline entry reads 1970').toEqual(new Set([now]));
    const audited = hub.db
      .prepare(
        `SELECT DISTINCT a.at FROM audit a JOIN received_commands r ON r.command_id = a.command_id
          WHERE r.workstation_id = ?`,
      )
      .pluck()
      .all(pingli.id);
    expect(audited).toEqual([now]);

    // Both consoles end with the server's copies: the call is announced on the city's console like any new one,
    // and one minute on, no console's supervision finds the order overdue.
    await synced(pingli);
    await synced(city);
    for (const ws of [pingli, city])
      expect(partitionDump(ws.db, PINGLI)).toEqual(partitionDump(hub.db, PINGLI));
    expect(calls, "the city hears the reset console's top-priority call").toEqual([incidentId]);
    expect(warnings, 'and its warning').toEqual([warningId]);
    clock.advance(MINUTE);
    for (const ws of [city, pingli])
      expect(new SupervisionService(ws.desk, supervisionScope(ws.actor)).tick(), ws.id).toEqual({
        escalated: [],
        refused: [],
      });
  });

  it('sends a call received before any console on a command stamped now: the call takes the command time', async () => {
    const clock = scriptedClock();
    const { hub, logged } = openHub(clock);
    const pingli = openTestWorkstation(hub, {
      id: 'ws-pingli-hostile',
      jurisdictionId: PINGLI,
      operatorId: PINGLI_OP,
      clock,
    });
    expect(await signIn(pingli)).toBe(true);
    const sent = clock();
    for (const receivedAt of [0, Date.UTC(2000, 0, 1)]) {
      const made = pingli.desk.command(pingli.actor, 'incident.create', { ...PINGLI_CALL, receivedAt });
      expect(made.receivedAt, 'the console takes the command time too').toBe(sent);
      // The outbox sends the completed input: a hostile console puts its receivedAt back.
      pingli.db
        .prepare(
          "UPDATE outbox SET input = json_set(input, '$.receivedAt', ?) WHERE counter = (SELECT max(counter) FROM outbox)",
        )
        .run(receivedAt);
    }
    clock.advance(1000);
    await synced(pingli);
    const calls = hub.db
      .prepare('SELECT received_at FROM incidents WHERE created_by = ?')
      .pluck()
      .all(PINGLI_OP);
    expect(calls, 'each call takes its command time, not 1970 or 2000').toEqual([sent, sent]);
    expect(received(hub, pingli.id)).toEqual([
      { name: 'incident.create', at: sent, receivedAt: sent + 1000, clamped: 0 },
      { name: 'incident.create', at: sent, receivedAt: sent + 1000, clamped: 0 },
    ]);
    expect(clampLines(logged), 'the command times were right').toEqual([]);
  });
  it('refuses a check dated before any console, on the console and on the server, naming the time', async () => {
    const clock = scriptedClock();
    const { hub } = openHub(clock);
    const pingli = openTestWorkstation(hub, {
      id: 'ws-pingli-checks',
      jurisdictionId: PINGLI,
      operatorId: PINGLI_OP,
      clock,
    });
    expect(await signIn(pingli)).toBe(true);
    const check = { checkpointId: CHANGAN_TOLL, plate: PLATE };
    expect(() => pingli.desk.command(pingli.actor, 'checkpoint.logCheck', { ...check, at: 0 })).toThrow(
      /at \(1970-01-01T00:00:00.000Z\) is before any console existed/,
    );
    // A hostile console sends it anyway: the server refuses it and stores no check.
    pingli.desk.command(pingli.actor, 'checkpoint.logCheck', check);
    pingli.db.prepare("UPDATE outbox SET input = json_set(input, '$.at', 0)").run();
    await synced(pingli);
    const [refused] = pingli.desk.query(pingli.actor, 'sync.rejections', {});
    expect(refused?.error).toMatchObject({ code: 'invalid_input' });
    expect(refused?.error.message).toMatch(/before any console existed/);
    expect(hub.db.prepare('SELECT count(*) FROM checkpoint_checks').pluck().get()).toBe(0);
  });
});

describe('old times that are true stay', () => {
  it('a console offline for six days after its enrolment keeps every time it sends', async () => {
    const clock = scriptedClock();
    const { hub, logged } = openHub(clock);
    const pingli = openTestWorkstation(hub, {
      id: 'ws-pingli-away',
      jurisdictionId: PINGLI,
      operatorId: PINGLI_OP,
      clock,
    });
    expect(await signIn(pingli)).toBe(true);
    pingli.transport.faults.down = true;
    clock.advance(MINUTE);
    const madeAt = clock();
    const { incidentId, order } = callAndOrder(pingli);
    const mine = getIncident(pingli.db, incidentId);
    clock.advance(6 * DAY);
    pingli.transport.faults.down = false;
    await synced(pingli);

    const enrolledAt = hub.db
      .prepare('SELECT enrolled_at FROM workstations WHERE id = ?')
      .pluck()
      .get(pingli.id) as number;
    expect(enrolledAt).toBeLessThan(madeAt);
    expect(received(hub, pingli.id)).toEqual([
      { name: 'incident.create', at: madeAt, receivedAt: madeAt + 6 * DAY, clamped: 0 },
      { name: 'order.issue', at: madeAt, receivedAt: madeAt + 6 * DAY, clamped: 0 },
    ]);
    expect(getIncident(hub.db, incidentId)).toEqual(mine);
    expect(getOrder(hub.db, order.id), 'its deadlines six days past stay past').toEqual(order);
    expect(clampLines(logged)).toEqual([]);
    await synced(pingli);
    expect(partitionDump(pingli.db, PINGLI)).toEqual(partitionDump(hub.db, PINGLI));
  });

  it('a console used before it was enrolled pushes that work six days later with its times', async () => {
    // Every command goes to the outbox, synced or not: the store was used standalone, then enrolled and signed in.
    const standalone = makeDesk(':memory:', MORNING);
    const incident = standalone.desk.command(standalone.pingli, 'incident.create', PINGLI_CALL);
    const image = standalone.db.serialize();
    standalone.db.close();

    const clock = scriptedClock(MORNING + 6 * DAY);
    const { hub, logged } = openHub(clock);
    const pingli = openTestWorkstation(
      hub,
      { id: 'ws-pingli-late', jurisdictionId: PINGLI, operatorId: PINGLI_OP, clock },
      image,
    );
    expect(await signIn(pingli)).toBe(true);
    await synced(pingli);

    const enrolledAt = hub.db
      .prepare('SELECT enrolled_at FROM workstations WHERE id = ?')
      .pluck()
      .get(pingli.id) as number;
    expect(enrolledAt - incident.receivedAt, 'made six days before its enrolment').toBe(6 * DAY);
    expect(received(hub, pingli.id)).toEqual([
      { name: 'incident.create', at: MORNING, receivedAt: MORNING + 6 * DAY, clamped: 0 },
    ]);
    expect(getIncident(hub.db, incident.id)?.receivedAt).toBe(MORNING);
    expect(clampLines(logged)).toEqual([]);
  });
});
