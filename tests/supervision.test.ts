// Supervision: a target past its deadline is escalated once per level, survives restarts, and never when signed in time.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EventPayloads } from '../src/shared/contract';
import type { Order } from '../src/shared/domain/model';
import { DeskError } from '../src/shared/errors';
import type { Desk } from '../src/main/api/desk';
import { listOutbox } from '../src/main/db/outbox';
import { setMeta } from '../src/main/db/region';
import {
  escalationLevel,
  SUPERVISION_OPERATOR_ID,
  SupervisionService,
} from '../src/main/core/supervision/timer';
import { openWorkstation } from '../src/main/host';
import { actorFor, makeDesk, MORNING, PINGLI, scriptedClock } from './helpers/desk';

const MINUTE = 60_000;

function issue(desk: Desk, operator: Parameters<Desk['command']>[0], targets: string[], signMin = 5): Order {
  return desk.command(operator, 'order.issue', {
    template: 'custom',
    title: '设卡盘查',
    targets: targets.map((targetId) => ({ targetKind: 'org', targetId })),
    signDeadlineMin: signMin,
    finishDeadlineMin: 60,
  });
}

function overdueEvents(desk: Desk): EventPayloads['order.overdue'][] {
  const seen: EventPayloads['order.overdue'][] = [];
  desk.events.on('order.overdue', (payload) => seen.push(payload));
  return seen;
}

function escalationRows(
  desk: Desk,
): { order_id: string; target_id: string; overdue: string; level: number }[] {
  return desk.db
    .prepare(
      'SELECT order_id, target_id, overdue, level FROM escalations ORDER BY order_id, target_id, level',
    )
    .all() as { order_id: string; target_id: string; overdue: string; level: number }[];
}

const dirs: string[] = [];
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the escalation level rule', () => {
  it('is 1 at the deadline, 2 after another deadline-length, 3 after three, and never more', () => {
    const span = 5 * MINUTE;
    expect(escalationLevel(-1, span)).toBe(0);
    expect(escalationLevel(0, span)).toBe(1);
    expect(escalationLevel(span - 1, span)).toBe(1);
    expect(escalationLevel(span, span)).toBe(2);
    expect(escalationLevel(3 * span - 1, span)).toBe(2);
    expect(escalationLevel(3 * span, span)).toBe(3);
    expect(escalationLevel(100 * span, span)).toBe(3);
  });
});

describe('supervision of sign deadlines', () => {
  it('escalates an unsigned target once, announces it once, and leaves the target signed in time alone', () => {
    const t = makeDesk();
    const events = overdueEvents(t.desk);
    const order = issue(t.desk, t.pingli, ['610926-TB', '610926-PS-02']);
    t.clock.advance(3 * MINUTE);
    t.desk.command(t.pingli, 'order.sign', { orderId: order.id, targetId: '610926-PS-02' });
    const supervision = new SupervisionService(t.desk);

    t.clock.advance(1 * MINUTE);
    expect(supervision.tick().escalated, 'nothing is overdue before the deadline').toEqual([]);

    t.clock.set(MORNING + 5 * MINUTE);
    const first = supervision.tick();
    expect(first.escalated).toEqual([
      { orderId: order.id, targetId: '610926-TB', overdue: 'sign', level: 1 },
    ]);
    expect(first.refused).toEqual([]);
    expect(events.map((e) => [e.target.targetId, e.overdue, e.level])).toEqual([['610926-TB', 'sign', 1]]);

    const stored = t.desk.query(t.city, 'order.get', { id: order.id });
    expect(stored.status, 'an escalated order is under supervision').toBe('supervised');
    const late = stored.targets.find((target) => target.targetId === '610926-TB');
    const onTime = stored.targets.find((target) => target.targetId === '610926-PS-02');
    expect(late).toMatchObject({ overdue: 'sign', escalationLevel: 1 });
    expect(onTime, 'the station signed in time and is never escalated').toMatchObject({
      overdue: 'none',
      escalationLevel: 0,
    });

    const audit = t.desk.query(t.supervisor, 'audit.list', { entityId: order.id });
    expect(audit[0]).toMatchObject({ command: 'order.escalate', operatorId: SUPERVISION_OPERATOR_ID });
    expect(t.desk.query(t.city, 'order.overdue', {}).map((item) => item.target.targetId)).toEqual([
      '610926-TB',
    ]);
  });

  it('does not repeat an escalation on later ticks, and writes nothing to the outbox for them', () => {
    const t = makeDesk();
    const events = overdueEvents(t.desk);
    issue(t.desk, t.pingli, ['610926-TB']);
    const supervision = new SupervisionService(t.desk);
    t.clock.advance(5 * MINUTE);
    expect(supervision.tick().escalated).toHaveLength(1);
    const outbox = listOutbox(t.db).length;

    for (const step of [10_000, 30_000, 60_000]) {
      t.clock.advance(step);
      expect(supervision.tick().escalated, 'a level already announced is not announced again').toEqual([]);
    }
    expect(events).toHaveLength(1);
    expect(escalationRows(t.desk)).toHaveLength(1);
    expect(listOutbox(t.db), 'quiet ticks send nothing to the server').toHaveLength(outbox);
  });

  it('raises the level as the target gets later: 2 after double lateness, 3 after four times, then stops', () => {
    const t = makeDesk();
    const events = overdueEvents(t.desk);
    const order = issue(t.desk, t.pingli, ['610926-TB']);
    const supervision = new SupervisionService(t.desk);
    const levelsAt = (minutes: number): number[] => {
      t.clock.set(MORNING + minutes * MINUTE);
      return supervision.tick().escalated.map((e) => e.level);
    };
    expect(levelsAt(5)).toEqual([1]);
    expect(levelsAt(9)).toEqual([]);
    expect(levelsAt(10), 'late by one more deadline-length').toEqual([2]);
    expect(levelsAt(19)).toEqual([]);
    expect(levelsAt(20), 'late by three deadline-lengths').toEqual([3]);
    expect(levelsAt(59), 'the level is capped at 3').toEqual([]);
    expect(events.map((e) => e.level)).toEqual([1, 2, 3]);
    const target = t.desk.query(t.city, 'order.get', { id: order.id }).targets[0];
    expect(target).toMatchObject({ overdue: 'sign', escalationLevel: 3 });
  });

  it('escalates a target that is signed but not finished by its finish deadline', () => {
    const t = makeDesk();
    const order = issue(t.desk, t.pingli, ['610926-TB']);
    t.clock.advance(MINUTE);
    t.desk.command(t.pingli, 'order.sign', { orderId: order.id, targetId: '610926-TB' });
    const supervision = new SupervisionService(t.desk);
    t.clock.set(MORNING + 59 * MINUTE);
    expect(supervision.tick().escalated).toEqual([]);
    t.clock.set(MORNING + 60 * MINUTE);
    expect(supervision.tick().escalated).toEqual([
      { orderId: order.id, targetId: '610926-TB', overdue: 'finish', level: 1 },
    ]);
  });

  it('leaves alone the targets outside its jurisdiction, rather than being refused at every tick', () => {
    const t = makeDesk();
    // This workstation supervises Pingli only; a Hanbin order that reached it is not its to escalate.
    setMeta(t.db, 'jurisdiction', PINGLI);
    issue(t.desk, t.hanbin, ['610902-TB'], 2);
    const pingliOrder = issue(t.desk, t.pingli, ['610926-TB'], 5);
    const supervision = new SupervisionService(t.desk);
    t.clock.advance(6 * MINUTE);
    const result = supervision.tick();
    expect(result.refused).toEqual([]);
    expect(result.escalated.map((e) => e.orderId)).toEqual([pingliOrder.id]);
    expect(escalationRows(t.desk).map((row) => row.order_id)).toEqual([pingliOrder.id]);
  });

  it('keeps escalating the others when one escalation is refused', () => {
    const t = makeDesk();
    const first = issue(t.desk, t.pingli, ['610926-TB'], 2);
    const second = issue(t.desk, t.pingli, ['610926-PS-02'], 5);
    const command = t.desk.command.bind(t.desk);
    vi.spyOn(t.desk, 'command').mockImplementation((actor, name, input) => {
      if ((input as { orderId?: string }).orderId === first.id)
        throw new DeskError('internal', 'the store refused the write');
      return command(actor, name, input);
    });
    t.clock.advance(6 * MINUTE);
    const result = new SupervisionService(t.desk).tick();
    expect(result.refused.map((r) => [r.orderId, r.error.message])).toEqual([
      [first.id, 'the store refused the write'],
    ]);
    expect(result.escalated.map((e) => e.orderId)).toEqual([second.id]);
    expect(escalationRows(t.desk).map((row) => row.order_id)).toEqual([second.id]);
  });

  it('ticks at once and then on its interval until stopped', () => {
    vi.useFakeTimers();
    const t = makeDesk();
    const events = overdueEvents(t.desk);
    issue(t.desk, t.pingli, ['610926-TB'], 1);
    issue(t.desk, t.pingli, ['610926-PS-02'], 3);
    t.clock.advance(MINUTE);
    const stop = new SupervisionService(t.desk).start(15_000);
    const seen = (): string[] => events.map((e) => `${e.target.targetId} L${e.level}`);
    expect(seen(), 'the first tick runs on start').toEqual(['610926-TB L1']);
    t.clock.advance(2 * MINUTE);
    vi.advanceTimersByTime(15_000);
    expect(seen()).toEqual(['610926-TB L1', '610926-TB L2', '610926-PS-02 L1']);
    stop();
    t.clock.advance(10 * MINUTE);
    vi.advanceTimersByTime(60_000);
    expect(events, 'no tick after stop').toHaveLength(3);
  });
});

describe('supervision across a restart', () => {
  it('neither repeats nor loses an escalation when the workstation is closed and reopened', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'desk-supervision-'));
    dirs.push(dataDir);
    const clock = scriptedClock(MORNING);

    const before = openWorkstation({ dataDir, clock });
    const pingli = actorFor(before.db, `op-${PINGLI}`, before.workstationId);
    const early = issue(before.desk, pingli, ['610926-TB']);
    clock.set(MORNING + 2 * MINUTE);
    const late = issue(before.desk, pingli, ['610926-PS-02']);
    clock.set(MORNING + 6 * MINUTE);
    expect(new SupervisionService(before.desk).tick().escalated.map((e) => e.orderId)).toEqual([early.id]);
    const outboxBefore = listOutbox(before.db).length;
    before.close();

    // Down from minute 6 to minute 8: the second order's sign deadline (minute 7) passes while it is closed.
    clock.set(MORNING + 8 * MINUTE);
    const after = openWorkstation({ dataDir, clock });
    const events = overdueEvents(after.desk);
    const result = new SupervisionService(after.desk).tick();
    expect(result.escalated, 'only the escalation missed while down is made').toEqual([
      { orderId: late.id, targetId: '610926-PS-02', overdue: 'sign', level: 1 },
    ]);
    expect(events.map((e) => e.order.id)).toEqual([late.id]);
    const rows = escalationRows(after.desk).map((row) => [row.order_id, row.level]);
    expect(rows).toHaveLength(2);
    expect(rows).toEqual(
      expect.arrayContaining([
        [early.id, 1],
        [late.id, 1],
      ]),
    );
    expect(listOutbox(after.db)).toHaveLength(outboxBefore + 1);
    expect(new SupervisionService(after.desk).tick().escalated, 'a second tick finds nothing new').toEqual(
      [],
    );
    after.close();
  });
});
