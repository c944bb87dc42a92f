// Commands end to end through the Desk, on a store seeded with the real Ankang region: intake to closure,
// orders from the one-key templates, units, checkpoints, cases — each with its outbox row, audit and events.
import { beforeEach, describe, expect, it } from 'vitest';
import type { EventName, EventPayloads, ProposedTarget } from '../src/shared/contract';
import type { Incident, Order } from '../src/shared/domain/model';
import { DeskError } from '../src/shared/errors';
import { listAudit } from '../src/main/db/audit';
import { listOutbox } from '../src/main/db/outbox';
import { getTimelineEntry } from '../src/main/db/timeline';
import { listIncidentLinks } from '../src/main/db/incidents';
import { distanceKm } from '../src/shared/geo';
import {
  burglaryCall,
  CHANGAN,
  HANBIN,
  HANBIN_CENTRE,
  makeDesk,
  MORNING,
  PINGLI,
  type TestDesk,
} from './helpers/desk';

const MINUTE = 60_000;

let t: TestDesk;
let events: { name: EventName; payload: unknown }[];

beforeEach(() => {
  t = makeDesk();
  events = [];
  for (const name of ['entity.changed', 'incident.created', 'order.overdue'] as const) {
    t.desk.events.on(name, (payload) => events.push({ name, payload }));
  }
});

function eventsNamed<E extends EventName>(name: E): EventPayloads[E][] {
  return events.filter((e) => e.name === name).map((e) => e.payload as EventPayloads[E]);
}

function refusal(run: () => unknown): DeskError {
  try {
    run();
  } catch (error) {
    if (error instanceof DeskError) return error;
    throw error;
  }
  throw new Error('the command was accepted but should have been refused');
}

function createPingliBurglary(overrides: Record<string, unknown> = {}): Incident {
  return t.desk.command(t.pingli, 'incident.create', burglaryCall(overrides));
}

function auditOf(commandId: string): { entityKind: string; entityId: string }[] {
  return listAudit(t.db, { limit: 1000, offset: 0 })
    .reverse()
    .filter((entry) => entry.commandId === commandId)
    .map((entry) => ({ entityKind: entry.entityKind, entityId: entry.entityId }));
}

function lastOutbox(): { commandId: string; name: string; input: Record<string, unknown> } {
  const rows = listOutbox(t.db);
  const last = rows[rows.length - 1];
  if (!last) throw new Error('the outbox is empty');
  return { commandId: last.commandId, name: last.name, input: last.input as Record<string, unknown> };
}

describe('incident intake (接警)', () => {
  it('numbers incidents per county per day: county-yyyymmdd-nnnn', () => {
    const first = createPingliBurglary();
    const second = createPingliBurglary({ address: '平利县城关镇正街5号' });
    const hanbin = t.desk.command(t.hanbin, 'incident.create', {
      ...burglaryCall(),
      address: '汉滨区巴山路12号',
      location: HANBIN_CENTRE,
    });
    expect(first.number).toBe(`${PINGLI}-20261129-0001`);
    expect(second.number).toBe(`${PINGLI}-20261129-0002`);
    expect(hanbin.number, 'each county counts its own calls').toBe(`${HANBIN}-20261129-0001`);

    // 00:30 China Standard Time on the 30th is still the 29th in UTC: the day is the centre's day.
    t.clock.set(Date.UTC(2026, 10, 29, 16, 30));
    const nextDay = createPingliBurglary();
    expect(nextDay.number).toBe(`${PINGLI}-20261130-0001`);
  });

  it('records the call in the operator’s county, with its timeline entry, outbox row, audit entry and events', () => {
    const incident = createPingliBurglary();
    expect(incident).toMatchObject({
      countyId: PINGLI,
      status: 'received',
      receivedAt: MORNING,
      createdBy: t.pingli.operatorId,
    });
    expect(t.desk.query(t.pingli, 'incident.get', { id: incident.id })).toEqual(incident);
    const timeline = t.desk.query(t.pingli, 'incident.timeline', { id: incident.id });
    expect(timeline.map((entry) => entry.kind)).toEqual(['received']);

    const outbox = lastOutbox();
    expect(outbox.name).toBe('incident.create');
    expect(outbox.input, 'the outbox carries the generated id, number and time').toMatchObject({
      id: incident.id,
      number: incident.number,
      receivedAt: incident.receivedAt,
      address: incident.address,
    });
    expect(auditOf(outbox.commandId)).toEqual([{ entityKind: 'incident', entityId: incident.id }]);

    expect(eventsNamed('incident.created')).toEqual([{ incident }]);
    expect(eventsNamed('entity.changed')).toEqual([
      { kind: 'incident', ids: [incident.id], countyIds: [PINGLI] },
    ]);
  });

  it('asks a city-wide operator for the county, and keeps a county operator to their own', () => {
    expect(refusal(() => t.desk.command(t.city, 'incident.create', burglaryCall())).message).toMatch(
      /countyId is required/,
    );
    const byCity = t.desk.command(t.city, 'incident.create', burglaryCall({ countyId: PINGLI }));
    expect(byCity.countyId).toBe(PINGLI);
    const error = refusal(() =>
      t.desk.command(t.pingli, 'incident.create', burglaryCall({ countyId: HANBIN })),
    );
    expect(error.code).toBe('forbidden');
    expect(error.message).toMatch(new RegExp(`county ${HANBIN}.*outside op-${PINGLI}`));
  });
});

describe('incident updates and status', () => {
  it('updates fields and keeps the change on the timeline', () => {
    const incident = createPingliBurglary();
    t.clock.advance(MINUTE);
    const updated = t.desk.command(t.pingli, 'incident.update', {
      id: incident.id,
      patch: { priority: 2, summary: '两名嫌疑人入室盗窃', callerPhone: '13800001111' },
    });
    expect(updated).toMatchObject({
      priority: 2,
      summary: '两名嫌疑人入室盗窃',
      updatedAt: MORNING + MINUTE,
    });
    const last = t.desk.query(t.pingli, 'incident.timeline', { id: incident.id }).at(-1);
    expect(last).toMatchObject({ kind: 'updated', text: 'priority, callerPhone, summary' });
    // The FTS index follows the update.
    expect(t.desk.query(t.pingli, 'incident.search', { text: '00001111' }).map((i) => i.id)).toEqual([
      incident.id,
    ]);
    expect(t.desk.query(t.pingli, 'incident.search', { text: '13912345678' })).toEqual([]);
  });

  it('lets the city move an incident to another county, and refuses it to a county operator', () => {
    const incident = createPingliBurglary();
    const error = refusal(() =>
      t.desk.command(t.pingli, 'incident.update', { id: incident.id, patch: { countyId: HANBIN } }),
    );
    expect(error.code).toBe('forbidden');
    expect(error.message).toMatch(new RegExp(`moving incident ${incident.id} to county ${HANBIN}`));
    expect(t.desk.query(t.pingli, 'incident.get', { id: incident.id }).countyId).toBe(PINGLI);

    events.length = 0;
    const moved = t.desk.command(t.city, 'incident.update', { id: incident.id, patch: { countyId: HANBIN } });
    expect(moved.countyId).toBe(HANBIN);
    expect(eventsNamed('entity.changed')[0]?.countyIds.sort(), 'both counties hear of the move').toEqual(
      [PINGLI, HANBIN].sort(),
    );
    expect(refusal(() => t.desk.query(t.pingli, 'incident.get', { id: incident.id })).code).toBe('forbidden');
    expect(t.desk.query(t.hanbin, 'incident.get', { id: incident.id }).number).toBe(incident.number);
  });

  it('walks 接警 → 派警 → 到场 → 处置完毕 → 结警, and closing needs a disposition', () => {
    const incident = createPingliBurglary();
    const step = (status: Incident['status'], disposition?: string) =>
      t.desk.command(t.pingli, 'incident.setStatus', {
        id: incident.id,
        status,
        ...(disposition ? { disposition } : {}),
      });
    const early = refusal(() => step('closed', '已处理'));
    expect(early.code).toBe('illegal_transition');
    expect(early.message).toMatch(new RegExp(`incident ${incident.id} is received: cannot close`));

    expect(step('dispatched').status).toBe('dispatched');
    expect(step('on_scene').status).toBe('on_scene');
    expect(step('handled').status).toBe('handled');
    const bare = refusal(() => step('closed'));
    expect(bare.code).toBe('illegal_transition');
    expect(bare.message).toMatch(/cannot close without a disposition/);
    const closed = step('closed', '嫌疑人已抓获，移交刑侦大队');
    expect(closed).toMatchObject({ status: 'closed', disposition: '嫌疑人已抓获，移交刑侦大队' });

    expect(refusal(() => step('dispatched')).code).toBe('illegal_transition');
    expect(
      refusal(() => t.desk.command(t.pingli, 'incident.update', { id: incident.id, patch: { priority: 3 } }))
        .code,
    ).toBe('illegal_transition');
    const kinds = t.desk.query(t.pingli, 'incident.timeline', { id: incident.id }).map((e) => e.kind);
    expect(kinds).toEqual(['received', 'dispatched', 'on_scene', 'handled', 'closed']);
  });

  it('refuses to merge through setStatus', () => {
    const incident = createPingliBurglary();
    const error = refusal(() =>
      t.desk.command(t.pingli, 'incident.setStatus', { id: incident.id, status: 'merged' }),
    );
    expect(error.code).toBe('invalid_input');
    expect(error.message).toMatch(/use incident.merge/);
  });
});

describe('links, merges and notes', () => {
  it('links two incidents both ways and tells both timelines', () => {
    const a = createPingliBurglary();
    const b = createPingliBurglary({ address: '平利县长安镇高峰村' });
    const outboxBefore = listOutbox(t.db).length;
    t.desk.command(t.pingli, 'incident.link', { id: a.id, otherId: b.id });
    expect(listIncidentLinks(t.db, a.id).map((l) => [l.otherId, l.kind])).toEqual([[b.id, 'related']]);
    expect(listIncidentLinks(t.db, b.id).map((l) => [l.otherId, l.kind])).toEqual([[a.id, 'related']]);
    expect(t.desk.query(t.pingli, 'incident.timeline', { id: b.id }).at(-1)).toMatchObject({
      kind: 'linked',
      text: a.number,
    });
    expect(listOutbox(t.db).length).toBe(outboxBefore + 1);
    // Both incidents changed (their links and timelines): both are audited and announced.
    expect(auditOf(lastOutbox().commandId)).toEqual([
      { entityKind: 'incident', entityId: a.id },
      { entityKind: 'incident', entityId: b.id },
    ]);
    expect(eventsNamed('entity.changed').at(-1)?.ids).toEqual([a.id, b.id]);
    expect(refusal(() => t.desk.command(t.pingli, 'incident.link', { id: a.id, otherId: a.id })).code).toBe(
      'invalid_input',
    );
  });

  it('merges a repeat call into the first one', () => {
    const first = createPingliBurglary();
    const repeat = createPingliBurglary({ callerName: '李女士', callerPhone: '13700000000' });
    const merged = t.desk.command(t.pingli, 'incident.merge', { id: repeat.id, intoId: first.id });
    expect(merged).toMatchObject({ status: 'merged', mergedIntoId: first.id });
    expect(t.desk.query(t.pingli, 'incident.timeline', { id: first.id }).at(-1)).toMatchObject({
      kind: 'absorbed',
      text: repeat.number,
    });
    expect(auditOf(lastOutbox().commandId)).toEqual([
      { entityKind: 'incident', entityId: repeat.id },
      { entityKind: 'incident', entityId: first.id },
    ]);
    // A merged incident is final; merging into a closed one is refused.
    expect(
      refusal(() => t.desk.command(t.pingli, 'incident.merge', { id: repeat.id, intoId: first.id })).code,
    ).toBe('illegal_transition');
  });

  it('adds a note that full-text search then finds', () => {
    const incident = createPingliBurglary();
    const note = t.desk.command(t.pingli, 'incident.addNote', {
      id: incident.id,
      text: '嫌疑车辆为白色面包车',
    });
    expect(note).toMatchObject({ incidentId: incident.id, kind: 'note', text: '嫌疑车辆为白色面包车' });
    expect(t.desk.query(t.pingli, 'incident.get', { id: incident.id }).notes).toBe('嫌疑车辆为白色面包车');
    expect(t.desk.query(t.pingli, 'incident.search', { text: '白色面包车' }).map((i) => i.id)).toEqual([
      incident.id,
    ]);
    const timeline = t.desk.query(t.pingli, 'incident.timeline', { id: incident.id });
    expect(timeline.map((e) => e.id)).toContain(note.id);
  });
});

describe('duplicate-call detection', () => {
  it('offers a same-category call 300 m and 10 minutes away, not one 5 km away or of another category', () => {
    const near = createPingliBurglary();
    const far = createPingliBurglary({
      address: '平利县长安镇外5公里',
      location: { lng: CHANGAN.lng, lat: CHANGAN.lat + 5 / 111.32 },
    });
    const otherKind = createPingliBurglary({ category: 'traffic_accident', address: '长安镇路口' });
    t.clock.advance(10 * MINUTE);
    const call = { lng: CHANGAN.lng, lat: CHANGAN.lat + 0.3 / 111.32 };
    expect(distanceKm(call, CHANGAN)).toBeCloseTo(0.3, 2);

    const found = t.desk.query(t.pingli, 'incident.duplicates', { category: 'burglary', location: call });
    expect(found.map((c) => c.incident.id)).toEqual([near.id]);
    expect(found[0]?.distanceKm).toBeCloseTo(0.3, 2);
    expect(found[0]?.minutesApart).toBeCloseTo(10, 5);
    expect(found.map((c) => c.incident.id)).not.toContain(far.id);
    expect(found.map((c) => c.incident.id)).not.toContain(otherKind.id);

    // Excluding the incident itself (editing it) and other counties' eyes.
    expect(
      t.desk.query(t.pingli, 'incident.duplicates', {
        category: 'burglary',
        location: call,
        excludeId: near.id,
      }),
    ).toEqual([]);
    expect(t.desk.query(t.hanbin, 'incident.duplicates', { category: 'burglary', location: call })).toEqual(
      [],
    );
  });
});

describe('full-text search', () => {
  it('finds a place name, a partial phone number and two-character words, within the jurisdiction', () => {
    const incident = createPingliBurglary();
    createPingliBurglary({
      address: '平利县城关镇正街5号',
      summary: '电动车被盗',
      callerPhone: '18600002222',
      category: 'theft',
      location: { lng: 109.3619, lat: 32.3889 },
    });
    const ids = (text: string, actor = t.pingli) =>
      t.desk.query(actor, 'incident.search', { text }).map((i) => i.id);
    expect(ids('长安镇')).toEqual([incident.id]);
    expect(ids('1234')).toEqual([incident.id]);
    expect(ids('5678')).toEqual([incident.id]);
    expect(ids('长安')).toEqual([incident.id]);
    expect(ids('盗窃')).toEqual([incident.id]);
    expect(ids('被盗')).toHaveLength(1);
    expect(ids('平利县')).toHaveLength(2);
    expect(ids('不存在的地方')).toEqual([]);
    expect(ids('长安镇', t.hanbin), 'Hanbin does not see Pingli’s calls').toEqual([]);
    expect(ids('长安镇', t.city)).toEqual([incident.id]);
  });

  it('lists matches newest call first, up to the limit', () => {
    const calls = [3, 1, 2].map((hour) =>
      createPingliBurglary({ receivedAt: MORNING - hour * 3_600_000, summary: `第${hour}起入室盗窃` }),
    );
    const byTime = [...calls].sort((a, b) => b.receivedAt - a.receivedAt).map((i) => i.id);
    expect(t.desk.query(t.pingli, 'incident.search', { text: '入室盗窃' }).map((i) => i.id)).toEqual(byTime);
    expect(t.desk.query(t.pingli, 'incident.search', { text: '入室盗窃', limit: 2 })).toHaveLength(2);
    expect(t.desk.query(t.pingli, 'incident.search', { text: '盗窃' }).map((i) => i.id)).toEqual(byTime);
  });
});

describe('orders from the one-key templates', () => {
  it('设卡盘查 proposes checkpoints in the radius nearest first, the traffic brigade and the area station', () => {
    const incident = createPingliBurglary();
    const proposal = t.desk.query(t.pingli, 'dispatch.preview', {
      template: 'checkpoint_search',
      incidentId: incident.id,
      radiusKm: 15,
    });
    expect(proposal.countyId).toBe(PINGLI);
    const checkpoints = proposal.targets.filter((p) => p.reason === 'checkpoint_in_radius');
    expect(checkpoints.length).toBeGreaterThanOrEqual(2);
    const distances = checkpoints.map((p) => p.distanceKm);
    expect(distances, 'checkpoints come nearest first').toEqual([...distances].sort((a, b) => a - b));
    for (const p of checkpoints) {
      expect(p.targetKind).toBe('checkpoint');
      expect(p.distanceKm).toBeLessThanOrEqual(15);
      expect(p.distanceKm).toBeCloseTo(distanceKm(CHANGAN, p.location), 6);
    }
    expect(checkpoints[0]?.targetId, 'the 长安 toll station is nearest').toBe('610926-CP-02');
    const allCheckpoints = t.desk.query(t.pingli, 'checkpoint.list', { countyId: PINGLI });
    const inRadius = allCheckpoints.filter((cp) => distanceKm(CHANGAN, cp.location) <= 15).map((cp) => cp.id);
    expect(checkpoints.map((p) => p.targetId).sort()).toEqual(inRadius.sort());

    expect(proposal.targets.filter((p) => p.reason === 'traffic_brigade').map((p) => p.targetId)).toEqual([
      '610926-TB',
    ]);
    expect(proposal.targets.filter((p) => p.reason === 'area_station').map((p) => p.targetId)).toEqual([
      '610926-PS-02',
    ]);
    expect(proposal.title).toContain('设卡盘查');
  });

  it('the operator removes one proposed target and adds another before issuing; checkpoints activate', () => {
    const incident = createPingliBurglary();
    const proposal = t.desk.query(t.pingli, 'dispatch.preview', {
      template: 'checkpoint_search',
      incidentId: incident.id,
    });
    const farthest = proposal.targets
      .filter((p) => p.targetKind === 'checkpoint')
      .reduce((a, b) => (a.distanceKm > b.distanceKm ? a : b));
    const chosen: Pick<ProposedTarget, 'targetKind' | 'targetId'>[] = [
      ...proposal.targets.filter((p) => p.targetId !== farthest.targetId),
      { targetKind: 'org' as const, targetId: '610926-PS-01' },
    ].map(({ targetKind, targetId }) => ({ targetKind, targetId }));

    events.length = 0;
    const order = t.desk.command(t.pingli, 'order.issue', {
      incidentId: incident.id,
      template: 'checkpoint_search',
      title: proposal.title,
      content: proposal.content,
      targets: chosen,
      signDeadlineMin: 5,
      finishDeadlineMin: 60,
    });
    expect(order.status).toBe('issued');
    expect(order.countyId).toBe(PINGLI);
    expect(order.targets.map((x) => x.targetId)).toEqual(chosen.map((x) => x.targetId));
    expect(order.targets.map((x) => x.targetId)).not.toContain(farthest.targetId);
    for (const target of order.targets) {
      expect(target).toMatchObject({ state: 'issued', signDeadline: MORNING + 5 * MINUTE, overdue: 'none' });
      expect(target.finishDeadline).toBe(MORNING + 60 * MINUTE);
    }

    const checkpoints = t.desk.query(t.pingli, 'checkpoint.list', { countyId: PINGLI });
    for (const cp of checkpoints) {
      const targeted = chosen.some((c) => c.targetId === cp.id);
      expect(cp.active, `checkpoint ${cp.id} active`).toBe(targeted);
      expect(cp.orderId).toBe(targeted ? order.id : null);
    }
    expect(t.desk.query(t.pingli, 'incident.get', { id: incident.id }).status).toBe('dispatched');

    const outbox = lastOutbox();
    expect(outbox).toMatchObject({ name: 'order.issue', input: { id: order.id, incidentId: incident.id } });
    const audited = auditOf(outbox.commandId);
    expect(audited).toContainEqual({ entityKind: 'order', entityId: order.id });
    expect(audited).toContainEqual({ entityKind: 'incident', entityId: incident.id });
    const activated = chosen.filter((c) => c.targetKind === 'checkpoint').map((c) => c.targetId);
    for (const id of activated) expect(audited).toContainEqual({ entityKind: 'checkpoint', entityId: id });
    const kinds = eventsNamed('entity.changed').map((e) => e.kind);
    expect(kinds.sort()).toEqual(['checkpoint', 'incident', 'order']);
    expect(
      eventsNamed('entity.changed')
        .find((e) => e.kind === 'checkpoint')
        ?.ids.sort(),
    ).toEqual(activated.sort());
  });

  it('出警 proposes the nearest available units, and dispatched units are not proposed again', () => {
    const incident = createPingliBurglary();
    const proposal = t.desk.query(t.pingli, 'dispatch.preview', {
      template: 'dispatch',
      incidentId: incident.id,
      count: 2,
    });
    const units = t.desk.query(t.pingli, 'unit.list', { countyId: PINGLI, status: ['available'] });
    const nearest = units
      .map((u) => ({ id: u.id, d: distanceKm(CHANGAN, u.location) }))
      .sort((a, b) => a.d - b.d)
      .slice(0, 2)
      .map((u) => u.id);
    expect(proposal.targets.map((p) => p.targetId)).toEqual(nearest);
    expect(proposal.targets.every((p) => p.reason === 'nearest_unit' && p.targetKind === 'unit')).toBe(true);

    const order = t.desk.command(t.pingli, 'order.issue', {
      incidentId: incident.id,
      template: 'dispatch',
      title: proposal.title,
      targets: proposal.targets.map(({ targetKind, targetId }) => ({ targetKind, targetId })),
    });
    for (const id of nearest) {
      const unit = t.desk.query(t.pingli, 'unit.list', { countyId: PINGLI }).find((u) => u.id === id);
      expect(unit).toMatchObject({ status: 'dispatched', incidentId: incident.id });
    }
    const again = t.desk.query(t.pingli, 'dispatch.preview', {
      template: 'dispatch',
      incidentId: incident.id,
    });
    for (const id of nearest) expect(again.targets.map((p) => p.targetId)).not.toContain(id);
    expect(order.targets).toHaveLength(2);
  });
});

describe('the order closed loop (研 → 交 → 办 → 督 → 结)', () => {
  function issueCheckpointOrder(): { incident: Incident; order: Order } {
    const incident = createPingliBurglary();
    const order = t.desk.command(t.pingli, 'order.issue', {
      incidentId: incident.id,
      template: 'checkpoint_search',
      title: '设卡盘查：长安镇',
      targets: [
        { targetKind: 'checkpoint', targetId: '610926-CP-02' },
        { targetKind: 'org', targetId: '610926-TB' },
      ],
    });
    return { incident, order };
  }

  it('each target signs, starts, reports and completes; the order concludes and its checkpoints stand down', () => {
    const { incident, order } = issueCheckpointOrder();
    const run = (name: 'order.sign' | 'order.start' | 'order.complete', targetId: string) =>
      t.desk.command(t.pingli, name, { orderId: order.id, targetId });

    t.clock.advance(2 * MINUTE);
    const signed = run('order.sign', '610926-CP-02');
    expect(signed.status).toBe('in_progress');
    expect(signed.targets[0]).toMatchObject({
      state: 'signed',
      signedAt: MORNING + 2 * MINUTE,
      signedBy: t.pingli.operatorId,
    });
    const twice = refusal(() => run('order.sign', '610926-CP-02'));
    expect(twice.code).toBe('illegal_transition');
    expect(twice.message).toMatch(new RegExp(`order target ${order.id}/610926-CP-02 is signed: cannot sign`));
    const early = refusal(() => run('order.complete', '610926-CP-02'));
    expect(early.message, 'complete needs a report first').toMatch(/is signed: cannot complete/);

    expect(run('order.start', '610926-CP-02').targets[0]?.state).toBe('executing');
    const reported = t.desk.command(t.pingli, 'order.feedback', {
      orderId: order.id,
      targetId: '610926-CP-02',
      text: '已设卡，盘查车辆12辆，未发现可疑',
    });
    expect(reported.targets[0]?.state).toBe('reported');
    expect(t.desk.query(t.pingli, 'order.feedbackList', { orderId: order.id }).map((f) => f.text)).toEqual([
      '已设卡，盘查车辆12辆，未发现可疑',
    ]);
    expect(run('order.complete', '610926-CP-02').status, 'one target still open').toBe('in_progress');
    expect(
      t.desk.query(t.pingli, 'checkpoint.list', { countyId: PINGLI }).find((c) => c.id === '610926-CP-02')
        ?.active,
    ).toBe(true);

    run('order.sign', '610926-TB');
    t.desk.command(t.pingli, 'order.feedback', {
      orderId: order.id,
      targetId: '610926-TB',
      text: '交警已到位',
    });
    const concluded = run('order.complete', '610926-TB');
    expect(concluded.status).toBe('concluded');
    expect(concluded.targets.map((x) => x.state)).toEqual(['completed', 'completed']);
    const cp = t.desk
      .query(t.pingli, 'checkpoint.list', { countyId: PINGLI })
      .find((c) => c.id === '610926-CP-02');
    expect(cp, 'the checkpoint stands down when the order concludes').toMatchObject({
      active: false,
      orderId: null,
    });
    expect(refusal(() => run('order.sign', '610926-TB')).code).toBe('illegal_transition');

    const kinds = t.desk.query(t.pingli, 'incident.timeline', { id: incident.id }).map((e) => e.kind);
    expect(kinds).toEqual([
      'received',
      'order_issued',
      'order_signed',
      'order_started',
      'order_feedback',
      'order_completed',
      'order_signed',
      'order_feedback',
      'order_completed',
    ]);
  });

  it('a cancelled order releases its checkpoints and refuses further steps', () => {
    const { order } = issueCheckpointOrder();
    const cancelled = t.desk.command(t.pingli, 'order.cancel', {
      orderId: order.id,
      reason: '嫌疑人已在别处落网',
    });
    expect(cancelled).toMatchObject({ status: 'cancelled', cancelReason: '嫌疑人已在别处落网' });
    const cp = t.desk
      .query(t.pingli, 'checkpoint.list', { countyId: PINGLI })
      .find((c) => c.id === '610926-CP-02');
    expect(cp).toMatchObject({ active: false, orderId: null });
    const audited = auditOf(lastOutbox().commandId);
    expect(audited).toContainEqual({ entityKind: 'checkpoint', entityId: '610926-CP-02' });
    expect(
      refusal(() => t.desk.command(t.pingli, 'order.sign', { orderId: order.id, targetId: '610926-TB' }))
        .code,
    ).toBe('illegal_transition');
    expect(
      refusal(() => t.desk.command(t.pingli, 'order.cancel', { orderId: order.id, reason: 'again' })).code,
    ).toBe('illegal_transition');
  });

  it('fills the inbox of the county command centre and of the station that must act', () => {
    const { order } = issueCheckpointOrder();
    const unitOrder = t.desk.command(t.pingli, 'order.issue', {
      template: 'dispatch',
      title: '出警',
      targets: [{ targetKind: 'unit', targetId: '610926-U-01' }],
    });
    const centre = t.desk.query(t.pingli, 'order.inbox', {});
    expect(centre.map((i) => `${i.order.id}/${i.target.targetId}`).sort()).toEqual(
      [`${order.id}/610926-CP-02`, `${order.id}/610926-TB`, `${unitOrder.id}/610926-U-01`].sort(),
    );
    // 长安派出所 holds the 长安 checkpoint; 城关派出所 holds patrol car 01.
    const changan = t.desk.query(t.pingli, 'order.inbox', { orgId: '610926-PS-02' });
    expect(changan.map((i) => i.target.targetId)).toEqual(['610926-CP-02']);
    const chengguan = t.desk.query(t.pingli, 'order.inbox', { orgId: '610926-PS-01' });
    expect(chengguan.map((i) => i.target.targetId)).toEqual(['610926-U-01']);
    expect(t.desk.query(t.hanbin, 'order.inbox', {})).toEqual([]);
    expect(refusal(() => t.desk.query(t.hanbin, 'order.inbox', { orgId: '610926-CC' })).code).toBe(
      'forbidden',
    );

    // Done work leaves the inbox unless asked for.
    t.desk.command(t.pingli, 'order.cancel', { orderId: unitOrder.id, reason: '取消' });
    expect(t.desk.query(t.pingli, 'order.inbox', { orgId: '610926-PS-01' })).toEqual([]);
    expect(t.desk.query(t.pingli, 'order.inbox', { orgId: '610926-PS-01', includeDone: true })).toHaveLength(
      1,
    );
  });

  it('an unsigned target past its deadline is escalated once, listed overdue, and clears when signed', () => {
    const { order } = issueCheckpointOrder();
    expect(t.desk.query(t.city, 'order.overdue', {})).toEqual([]);
    const tooSoon = refusal(() =>
      t.desk.command(t.supervisor, 'order.escalate', {
        orderId: order.id,
        targetId: '610926-TB',
        overdue: 'sign',
        level: 1,
      }),
    );
    expect(tooSoon.code).toBe('illegal_transition');
    expect(tooSoon.message).toMatch(/not overdue for sign/);

    t.clock.advance(6 * MINUTE);
    events.length = 0;
    const escalate = () =>
      t.desk.command(t.supervisor, 'order.escalate', {
        orderId: order.id,
        targetId: '610926-TB',
        overdue: 'sign',
        level: 1,
      });
    const escalated = escalate();
    expect(escalated.status).toBe('supervised');
    expect(escalated.targets[1]).toMatchObject({ overdue: 'sign', escalationLevel: 1 });
    expect(eventsNamed('order.overdue')).toHaveLength(1);
    expect(eventsNamed('order.overdue')[0]).toMatchObject({
      overdue: 'sign',
      level: 1,
      target: { targetId: '610926-TB' },
    });

    events.length = 0;
    escalate();
    expect(eventsNamed('order.overdue'), 'a repeated escalation is not announced twice').toEqual([]);

    const overdue = t.desk.query(t.pingli, 'order.overdue', {});
    expect(overdue.map((i) => i.target.targetId)).toEqual(['610926-TB']);
    expect(t.desk.query(t.hanbin, 'order.overdue', {})).toEqual([]);

    t.desk.command(t.pingli, 'order.sign', { orderId: order.id, targetId: '610926-TB' });
    expect(t.desk.query(t.pingli, 'order.overdue', {})).toEqual([]);
  });
});

describe('units and checkpoints', () => {
  it('moves a unit through its statuses with the incident on its timeline', () => {
    const incident = createPingliBurglary();
    const set = (status: string) =>
      t.desk.command(t.pingli, 'unit.setStatus', { id: '610926-U-03', status, incidentId: incident.id });
    expect(refusal(() => set('on_scene')).message).toMatch(/unit 610926-U-03 is available: cannot on_scene/);
    expect(set('dispatched')).toMatchObject({ status: 'dispatched', incidentId: incident.id });
    expect(set('en_route').status).toBe('en_route');
    expect(set('on_scene').status).toBe('on_scene');
    const released = t.desk.command(t.pingli, 'unit.setStatus', { id: '610926-U-03', status: 'available' });
    expect(released).toMatchObject({ status: 'available', incidentId: null });
    const kinds = t.desk.query(t.pingli, 'incident.timeline', { id: incident.id }).map((e) => e.kind);
    expect(kinds).toEqual(['received', 'unit_assigned', 'unit_on_scene']);

    const moved = t.desk.command(t.pingli, 'unit.move', { id: '610926-U-03', location: CHANGAN });
    expect(moved.location).toEqual(CHANGAN);
    expect(
      t.desk.query(t.pingli, 'unit.list', { countyId: PINGLI }).find((u) => u.id === '610926-U-03')?.location,
    ).toEqual(CHANGAN);
  });

  it('activates and releases a checkpoint by hand', () => {
    const on = t.desk.command(t.pingli, 'checkpoint.setActive', { id: '610926-CP-04', active: true });
    expect(on).toMatchObject({ active: true, orderId: null });
    const off = t.desk.command(t.pingli, 'checkpoint.setActive', { id: '610926-CP-04', active: false });
    expect(off).toMatchObject({ active: false, orderId: null });
  });
});

describe('cases (案件)', () => {
  it('opens a case on incidents, links another, and moves it to closed', () => {
    const a = createPingliBurglary();
    const b = createPingliBurglary({ address: '平利县长安镇高峰村' });
    const record = t.desk.command(t.analyst, 'case.create', {
      title: '长安镇系列入室盗窃案',
      countyId: PINGLI,
      incidentIds: [a.id],
    });
    expect(record).toMatchObject({ countyId: PINGLI, status: 'open', incidentIds: [a.id] });
    expect(lastOutbox().input).toMatchObject({ id: record.id });
    expect(t.desk.query(t.pingli, 'incident.get', { id: a.id }).caseId).toBe(record.id);

    const linked = t.desk.command(t.pingli, 'case.linkIncident', { id: record.id, incidentId: b.id });
    expect(linked.incidentIds).toEqual([a.id, b.id].sort());
    expect(t.desk.query(t.pingli, 'incident.get', { id: b.id }).caseId).toBe(record.id);
    expect(t.desk.query(t.pingli, 'case.get', { id: record.id }).incidentIds).toEqual([a.id, b.id].sort());

    expect(
      refusal(() => t.desk.command(t.pingli, 'case.setStatus', { id: record.id, status: 'solved' })).code,
    ).toBe('illegal_transition');
    for (const status of ['investigating', 'solved', 'closed'] as const) {
      expect(t.desk.command(t.pingli, 'case.setStatus', { id: record.id, status }).status).toBe(status);
    }
    const c = createPingliBurglary({ address: '平利县长安镇' });
    const error = refusal(() =>
      t.desk.command(t.pingli, 'case.linkIncident', { id: record.id, incidentId: c.id }),
    );
    expect(error.code).toBe('illegal_transition');
    expect(error.message).toMatch(/is closed: cannot link/);
  });
});

describe('the command path', () => {
  it('writes exactly one outbox row per command, in order, and an audit entry for each effect', () => {
    const incident = createPingliBurglary();
    const order = t.desk.command(t.pingli, 'order.issue', {
      incidentId: incident.id,
      template: 'dispatch',
      title: '出警',
      targets: [{ targetKind: 'unit', targetId: '610926-U-03' }],
    });
    t.desk.command(t.pingli, 'order.sign', { orderId: order.id, targetId: '610926-U-03' });
    t.desk.command(t.pingli, 'incident.addNote', { id: incident.id, text: '现场已控制' });
    t.desk.command(t.pingli, 'unit.move', { id: '610926-U-03', location: CHANGAN });
    refusal(() => t.desk.command(t.pingli, 'order.sign', { orderId: order.id, targetId: '610926-U-03' }));
    t.desk.command(t.pingli, 'incident.setStatus', { id: incident.id, status: 'handled' });

    const outbox = listOutbox(t.db);
    expect(outbox.map((row) => row.name)).toEqual([
      'incident.create',
      'order.issue',
      'order.sign',
      'incident.addNote',
      'unit.move',
      'incident.setStatus',
    ]);
    expect(outbox.map((row) => row.counter)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(new Set(outbox.map((row) => row.commandId)).size).toBe(outbox.length);
    expect(outbox.every((row) => row.operatorId === t.pingli.operatorId && row.at === MORNING)).toBe(true);

    const audit = listAudit(t.db, { limit: 1000, offset: 0 }).reverse();
    expect(new Set(audit.map((entry) => entry.commandId))).toEqual(
      new Set(outbox.map((row) => row.commandId)),
    );
    expect(auditOf(outbox[1]!.commandId).sort((a, b) => a.entityKind.localeCompare(b.entityKind))).toEqual([
      { entityKind: 'incident', entityId: incident.id },
      { entityKind: 'order', entityId: order.id },
      { entityKind: 'unit', entityId: '610926-U-03' },
    ]);
    for (const entry of audit) {
      const row = outbox.find((o) => o.commandId === entry.commandId);
      expect(entry.command).toBe(row?.name);
      expect(entry.operatorId).toBe(t.pingli.operatorId);
      expect(entry.workstationId).toBe(t.pingli.workstationId);
    }
    expect(t.desk.query(t.supervisor, 'audit.verify', {})).toEqual({
      ok: true,
      checked: audit.length,
      firstBroken: null,
    });
  });

  it('emits no event and writes nothing for a refused command', () => {
    const incident = createPingliBurglary();
    events.length = 0;
    const outboxBefore = listOutbox(t.db).length;
    const auditBefore = listAudit(t.db, { limit: 1000, offset: 0 }).length;
    refusal(() => t.desk.command(t.pingli, 'incident.setStatus', { id: incident.id, status: 'closed' }));
    refusal(() => t.desk.command(t.hanbin, 'incident.addNote', { id: incident.id, text: '越权' }));
    refusal(() => t.desk.command(t.analyst, 'order.issue', { template: 'custom', title: 'x', targets: [] }));
    expect(events).toEqual([]);
    expect(listOutbox(t.db)).toHaveLength(outboxBefore);
    expect(listAudit(t.db, { limit: 1000, offset: 0 })).toHaveLength(auditBefore);
  });

  it('every subscription can be undone', () => {
    const before = t.desk.events.listenerCount();
    const off = t.desk.events.on('incident.created', () => undefined);
    expect(t.desk.events.listenerCount()).toBe(before + 1);
    off();
    expect(t.desk.events.listenerCount()).toBe(before);
  });
});

describe('incident.addNote', () => {
  it('answers with the timeline entry it wrote', () => {
    const incident = createPingliBurglary();
    const note = t.desk.command(t.pingli, 'incident.addNote', { id: incident.id, text: '现场已控制' });
    const stored = getTimelineEntry(t.db, note.id);
    expect(stored, 'the answered id names the stored entry').toEqual(note);
    expect(stored?.kind).toBe('note');
  });
});
