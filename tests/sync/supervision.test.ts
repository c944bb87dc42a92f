// Supervision (督) across the city hall and a county substation: both consoles run the supervision timer, so an
// overdue target of a Pingli order is escalated by two timers, maybe one of them offline. The server keeps one
// escalation per (target, kind, level) and answers the other applied with no change; nothing is rejected, and each
// console announces each level once — not once per tick.
import { describe, expect, it } from 'vitest';
import { SupervisionService } from '../../src/main/core/supervision/timer';
import type { DB } from '../../src/main/db/connection';
import { supervisionScope } from '../../src/main/host';
import type { EventPayloads } from '../../src/shared/contract';
import { CITY_ID, type Order } from '../../src/shared/domain/model';
import { burglaryCall, MORNING, PINGLI, scriptedClock } from '../helpers/desk';
import {
  cityAndPingli,
  createHub,
  hubEndpoint,
  openTestWorkstation,
  outboxSize,
  partitionDump,
  signIn,
  synced,
  type TestWorkstation,
} from './harness';

const MINUTE = 60_000;
const BRIGADE = '610926-TB';
const STATION = '610926-PS-02';

/** What a console's timer does at each tick: the service startSupervision runs, scoped as the hosts scope it. */
function timerOf(ws: TestWorkstation): SupervisionService {
  return new SupervisionService(ws.desk, supervisionScope(ws.actor));
}

function heard(ws: TestWorkstation): string[] {
  const seen: string[] = [];
  ws.desk.events.on('order.overdue', (e: EventPayloads['order.overdue']) =>
    seen.push(`${e.target.targetId} ${e.overdue} L${e.level}`),
  );
  return seen;
}

function escalations(db: DB): string[] {
  return (
    db
      .prepare('SELECT target_id, overdue, level FROM escalations ORDER BY target_id, overdue, level')
      .all() as { target_id: string; overdue: string; level: number }[]
  ).map((row) => `${row.target_id} ${row.overdue} L${row.level}`);
}

function overdueNotes(db: DB, incidentId: string): number {
  return (
    db
      .prepare("SELECT count(*) AS n FROM timeline WHERE incident_id = ? AND kind = 'order_overdue'")
      .get(incidentId) as { n: number }
  ).n;
}

function rejections(ws: TestWorkstation): unknown[] {
  return ws.desk.query(ws.actor, 'sync.rejections', {});
}

/** Pingli's 110 call and its order to the traffic brigade and a station: sign within 5 minutes. */
async function pingliOrder(
  city: TestWorkstation,
  pingli: TestWorkstation,
): Promise<{ order: Order; incidentId: string }> {
  const incident = pingli.desk.command(pingli.actor, 'incident.create', burglaryCall());
  const order = pingli.desk.command(pingli.actor, 'order.issue', {
    incidentId: incident.id,
    template: 'custom',
    title: '设卡盘查',
    targets: [
      { targetKind: 'org', targetId: BRIGADE },
      { targetKind: 'org', targetId: STATION },
    ],
    signDeadlineMin: 5,
    finishDeadlineMin: 60,
  });
  await synced(pingli);
  await synced(city);
  return { order, incidentId: incident.id };
}

describe('supervision on a synced city hall and county substation', () => {
  it('escalates each level once everywhere when both consoles tick and sync, with nothing rejected', async () => {
    const clock = scriptedClock();
    const { hub, city, pingli } = await cityAndPingli(clock);
    const { order, incidentId } = await pingliOrder(city, pingli);
    const timers = [timerOf(city), timerOf(pingli)];
    const atCity = heard(city);
    const atPingli = heard(pingli);
    // The station signs in time; the brigade never does.
    clock.set(MORNING + 3 * MINUTE);
    pingli.desk.command(pingli.actor, 'order.sign', { orderId: order.id, targetId: STATION });
    await synced(pingli);

    // Ticks every 15 s around each level's moment (5, 10 and 20 minutes late), both consoles ticking before
    // either syncs, then several sync rounds in turn, the order of who goes first changing.
    const minutes = [4.75, 5, 5.25, 5.5, 7, 10, 10.25, 10.5, 15, 20, 20.25, 20.5, 30];
    for (const [round, at] of minutes.entries()) {
      clock.set(MORNING + at * MINUTE);
      const ticking = round % 2 === 0 ? timers : [...timers].reverse();
      for (const timer of ticking) expect(timer.tick().refused).toEqual([]);
      const turn = round % 2 === 0 ? [city, pingli] : [pingli, city];
      for (let n = 0; n < 2; n += 1) for (const ws of turn) await synced(ws);
    }

    const levels = [`${BRIGADE} sign L1`, `${BRIGADE} sign L2`, `${BRIGADE} sign L3`];
    expect(rejections(city), 'the city has nothing rejected').toEqual([]);
    expect(rejections(pingli), 'Pingli has nothing rejected').toEqual([]);
    expect(escalations(hub.db), 'one escalation per level on the server').toEqual(levels);
    expect(escalations(city.db), 'one per level on the city workstation').toEqual(levels);
    expect(escalations(pingli.db), 'one per level on the Pingli workstation').toEqual(levels);
    expect(atCity, 'the city console announces each level once').toEqual(levels);
    expect(atPingli, 'the Pingli console announces each level once').toEqual(levels);
    for (const db of [hub.db, city.db, pingli.db])
      expect(overdueNotes(db, incidentId), 'one timeline note per level').toBe(3);

    // Each console sent each level once (one of the two found it done), all of them applied.
    const received = hub.db
      .prepare(
        "SELECT workstation_id AS ws, operator_id AS op, status FROM received_commands WHERE name = 'order.escalate'",
      )
      .all() as { ws: string; op: string; status: string }[];
    expect(received).toHaveLength(6);
    expect(new Set(received.map((r) => `${r.op} ${r.status}`))).toEqual(
      new Set(['system:supervision applied']),
    );

    const onServer = hub.db.prepare('SELECT status FROM orders WHERE id = ?').get(order.id);
    expect(onServer).toEqual({ status: 'supervised' });
    expect(outboxSize(city.db) + outboxSize(pingli.db)).toBe(0);
    expect(partitionDump(city.db, PINGLI), 'both consoles hold the same Pingli records').toEqual(
      partitionDump(pingli.db, PINGLI),
    );

    // Later ticks find nothing: no command, no alarm.
    clock.set(MORNING + 45 * MINUTE);
    for (const timer of timers) expect(timer.tick().escalated).toEqual([]);
    expect(outboxSize(city.db) + outboxSize(pingli.db)).toBe(0);
    expect(atCity.length + atPingli.length).toBe(6);
  });

  it('escalates on an offline substation, and the server accepts it once when the link returns', async () => {
    const clock = scriptedClock();
    const { hub, city, pingli } = await cityAndPingli(clock);
    const { order } = await pingliOrder(city, pingli);
    const timer = timerOf(pingli);
    const atPingli = heard(pingli);

    pingli.transport.faults.down = true;
    for (const at of [5, 5.25, 5.5, 6]) {
      clock.set(MORNING + at * MINUTE);
      timer.tick();
      expect((await pingli.client.syncNow()).ok, 'offline, nothing is sent').toBe(false);
    }
    const both = [`${STATION} sign L1`, `${BRIGADE} sign L1`]; // as the tables sort them
    expect(atPingli.toSorted(), 'escalated and announced locally, once').toEqual(both);
    expect(outboxSize(pingli.db), 'one escalation per target waits in the outbox').toBe(2);
    expect(pingli.desk.query(pingli.actor, 'order.get', { id: order.id }).status).toBe('supervised');

    clock.set(MORNING + 7 * MINUTE);
    pingli.transport.faults.down = false;
    await synced(pingli);
    expect(outboxSize(pingli.db)).toBe(0);
    expect(rejections(pingli)).toEqual([]);
    expect(escalations(hub.db)).toEqual(both);
    const audit = hub.db
      .prepare(
        "SELECT operator_id AS op, workstation_id AS ws FROM audit WHERE command = 'order.escalate' AND entity_id = ?",
      )
      .all(order.id);
    expect(audit, 'the server applied each escalation once, as the Pingli workstation timer').toEqual([
      { op: 'system:supervision', ws: 'ws-pingli' },
      { op: 'system:supervision', ws: 'ws-pingli' },
    ]);

    await synced(city);
    const atCity = city.desk.query(city.actor, 'order.get', { id: order.id });
    expect(atCity.status).toBe('supervised');
    expect(atCity.targets.map((t) => [t.targetId, t.overdue, t.escalationLevel])).toEqual([
      [BRIGADE, 'sign', 1],
      [STATION, 'sign', 1],
    ]);

    // Back online, the next ticks of the same level find it done.
    clock.set(MORNING + 8 * MINUTE);
    expect(timer.tick().escalated).toEqual([]);
    await synced(pingli);
    expect(atPingli.toSorted()).toEqual(both);
    expect(escalations(pingli.db)).toEqual(both);
  });

  it('answers an offline escalation the city made first applied, with no new change', async () => {
    const clock = scriptedClock();
    const { hub, city, pingli } = await cityAndPingli(clock);
    const { order, incidentId } = await pingliOrder(city, pingli);
    const atCity = heard(city);
    const atPingli = heard(pingli);

    pingli.transport.faults.down = true;
    clock.set(MORNING + 5 * MINUTE);
    timerOf(pingli).tick();
    timerOf(city).tick();
    await synced(city);
    const head = hub.partitionState(PINGLI).head;

    pingli.transport.faults.down = false;
    clock.set(MORNING + 6 * MINUTE);
    await synced(pingli);
    expect(rejections(pingli)).toEqual([]);
    expect(hub.partitionState(PINGLI).head, 'Pingli’s late escalations changed nothing on the server').toBe(
      head,
    );
    expect(
      hub.db
        .prepare(
          "SELECT status FROM received_commands WHERE workstation_id = 'ws-pingli' AND name = 'order.escalate'",
        )
        .all(),
    ).toEqual([{ status: 'applied' }, { status: 'applied' }]);
    const both = [`${STATION} sign L1`, `${BRIGADE} sign L1`]; // as the tables sort them
    expect(escalations(hub.db)).toEqual(both);
    expect(overdueNotes(pingli.db, incidentId), 'Pingli keeps the city’s notes, not a second pair').toBe(2);

    for (const at of [6.25, 6.5]) {
      clock.set(MORNING + at * MINUTE);
      expect(timerOf(pingli).tick().escalated).toEqual([]);
      expect(timerOf(city).tick().escalated).toEqual([]);
      await synced(pingli);
      await synced(city);
    }
    expect(atCity.toSorted()).toEqual(both);
    expect(atPingli.toSorted()).toEqual(both);
    expect(partitionDump(city.db, PINGLI)).toEqual(partitionDump(pingli.db, PINGLI));
    expect(city.desk.query(city.actor, 'order.get', { id: order.id }).status).toBe('supervised');
  });

  it("escalates on a county console only its own county's targets of a city-wide order", async () => {
    const clock = scriptedClock();
    const { hub, city, pingli } = await cityAndPingli(clock);
    // A city order to Pingli's and Hanbin's brigades lives in the city partition, which Pingli holds too.
    const order = city.desk.command(city.actor, 'order.issue', {
      template: 'custom',
      title: '全市设卡',
      targets: [
        { targetKind: 'org', targetId: BRIGADE },
        { targetKind: 'org', targetId: '610902-TB' },
      ],
      signDeadlineMin: 5,
      finishDeadlineMin: 60,
    });
    await synced(city);
    await synced(pingli);
    expect(pingli.desk.query(pingli.actor, 'order.get', { id: order.id }).targets).toHaveLength(2);

    clock.set(MORNING + 6 * MINUTE);
    const atPingli = timerOf(pingli).tick();
    expect(atPingli.refused, 'Hanbin’s target is left alone, not refused at every tick').toEqual([]);
    expect(atPingli.escalated.map((e) => e.targetId)).toEqual([BRIGADE]);
    await synced(pingli);
    expect(
      timerOf(city)
        .tick()
        .escalated.map((e) => e.targetId),
    ).toEqual([BRIGADE, '610902-TB']);
    await synced(city);
    await synced(pingli);
    expect(rejections(pingli)).toEqual([]);
    expect(rejections(city)).toEqual([]);
    expect(escalations(hub.db)).toEqual(['610902-TB sign L1', `${BRIGADE} sign L1`]);
    expect(escalations(pingli.db), 'Pingli escalated its own brigade only').toEqual([`${BRIGADE} sign L1`]);
  });

  it('lets an escalation made on a stale copy change nothing once the target was signed elsewhere', async () => {
    const clock = scriptedClock();
    const { hub, city, pingli } = await cityAndPingli(clock);
    const { order } = await pingliOrder(city, pingli);

    // The brigade signs a moment after its deadline on Pingli; the city has not pulled that yet when it ticks.
    clock.set(MORNING + 5 * MINUTE + 5_000);
    pingli.desk.command(pingli.actor, 'order.sign', { orderId: order.id, targetId: BRIGADE });
    await synced(pingli);
    const escalated = timerOf(city).tick().escalated;
    expect(escalated.map((e) => e.targetId)).toEqual([BRIGADE, STATION]);
    await synced(city);

    expect(rejections(city), 'a moot escalation is not an operator’s rejection').toEqual([]);
    expect(escalations(hub.db), 'only the station, still unsigned, is escalated').toEqual([
      `${STATION} sign L1`,
    ]);
    const onServer = hub.db
      .prepare(
        'SELECT state, overdue, escalation_level AS level FROM order_targets WHERE order_id = ? AND target_id = ?',
      )
      .get(order.id, BRIGADE);
    expect(onServer).toEqual({ state: 'signed', overdue: 'none', level: 0 });
    const brigade = city.desk
      .query(city.actor, 'order.get', { id: order.id })
      .targets.find((t) => t.targetId === BRIGADE);
    expect(brigade, 'the city now shows the brigade signed, not overdue').toMatchObject({
      state: 'signed',
      overdue: 'none',
      escalationLevel: 0,
    });
    // Nor is it escalated again at the next tick.
    clock.advance(15_000);
    expect(timerOf(city).tick().escalated).toEqual([]);
  });

  // The city's link runs `duringPull` as its pull reaches the server: a command made then is still pending when the
  // answer is applied, so the rebase puts the order back and replays the command on top.
  it.each([
    ['a dispatcher’s', 'by hand'],
    ['the timer’s own', 'timer'],
  ] as const)('keeps %s pending escalation shown when a rebase replays it', async (_, by) => {
    const clock = scriptedClock();
    const hub = createHub(clock);
    let duringPull: (() => void) | null = null;
    const endpoint = hubEndpoint(hub);
    const city = openTestWorkstation(
      hub,
      { id: 'ws-city', jurisdictionId: CITY_ID, operatorId: 'city-dispatcher', clock },
      undefined,
      {
        ...endpoint,
        pull: (token, request) => {
          duringPull?.();
          duringPull = null;
          return endpoint.pull(token, request);
        },
      },
    );
    const pingli = openTestWorkstation(hub, {
      id: 'ws-pingli',
      jurisdictionId: PINGLI,
      operatorId: `op-${PINGLI}`,
      clock,
    });
    for (const ws of [city, pingli]) expect(await signIn(ws)).toBe(true);
    const { order, incidentId } = await pingliOrder(city, pingli);

    clock.set(MORNING + 6 * MINUTE);
    pingli.desk.command(pingli.actor, 'incident.addNote', { id: incidentId, text: '嫌疑车辆向西逃离' });
    await synced(pingli);
    duringPull =
      by === 'timer'
        ? () => expect(timerOf(city).tick().escalated.length).toBeGreaterThan(0)
        : () =>
            city.desk.command(city.actor, 'order.escalate', {
              orderId: order.id,
              targetId: BRIGADE,
              overdue: 'sign',
              level: 1,
            });
    await synced(city);
    expect(duringPull, 'the command was made during the pull').toBeNull();
    expect(outboxSize(city.db), 'the escalation is still pending').toBeGreaterThan(0);
    const shown = city.desk
      .query(city.actor, 'order.get', { id: order.id })
      .targets.find((t) => t.targetId === BRIGADE);
    expect(shown, 'the rebase replayed it: the operator still sees it').toMatchObject({
      overdue: 'sign',
      escalationLevel: 1,
    });
    await synced(city);
    expect(outboxSize(city.db)).toBe(0);
    const held = escalations(hub.db);
    // By hand only the brigade is escalated; the timer escalates every overdue target, each once.
    if (by === 'by hand') expect(held).toEqual([`${BRIGADE} sign L1`]);
    else expect(held).toEqual([...new Set(held)].filter((row) => row.endsWith('sign L1')));
    expect(held).toContain(`${BRIGADE} sign L1`);
    expect(rejections(city)).toEqual([]);
  });
});
