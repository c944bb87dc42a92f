// The story of DESIGN.md, run as commands on the real region: call at 16:08, order, signatures, arrest at 16:27, close, case.
import { beforeAll, describe, expect, it } from 'vitest';
import type { EventPayloads } from '../src/shared/contract';
import { listOutbox } from '../src/main/db/outbox';
import { runStory, STORY_PLATE, type StoryResult } from '../src/main/core/demo/story';
import { SupervisionService } from '../src/main/core/supervision/timer';
import { makeDesk, type TestDesk } from './helpers/desk';

const DATE = '2026-11-29';
const MINUTE = 60_000;
const at = (time: string): number => Date.parse(`${DATE}T${time}+08:00`);

let t: TestDesk;
let story: StoryResult;
const created: EventPayloads['incident.created'][] = [];
const raised: EventPayloads['warning.raised'][] = [];
let changedEvents = 0;

beforeAll(() => {
  t = makeDesk();
  t.desk.events.on('incident.created', (payload) => created.push(payload));
  t.desk.events.on('warning.raised', (payload) => raised.push(payload));
  t.desk.events.on('entity.changed', () => (changedEvents += 1));
  story = runStory(t.desk, { date: DATE });
});

describe('the story', () => {
  it('records a 110 burglary call in Pingli at 16:08, by the Pingli operator', () => {
    const incident = t.desk.query(t.city, 'incident.get', { id: story.incidentId });
    expect(incident).toMatchObject({
      countyId: '610926',
      source: 'call_110',
      category: 'burglary',
      priority: 1,
      receivedAt: at('16:08:00'),
      createdBy: 'op-610926',
    });
    expect(incident.address).toContain('平利县长安镇');
    expect(story.calledAt).toBe(at('16:08:00'));
  });

  it('ends with the incident closed with a disposition and linked to its case', () => {
    const incident = t.desk.query(t.city, 'incident.get', { id: story.incidentId });
    expect(incident.status).toBe('closed');
    expect(incident.disposition).not.toBe('');
    expect(incident.caseId).toBe(story.caseId);
    const record = t.desk.query(t.city, 'case.get', { id: story.caseId });
    expect(record.incidentIds, 'the case links the incident').toEqual([story.incidentId]);
    expect(record.status).toBe('investigating');
    const vehicle = t.db
      .prepare("SELECT data FROM refs WHERE entity_kind = 'case' AND entity_id = ? AND kind = 'vehicle'")
      .get(story.caseId) as { data: string } | undefined;
    expect(vehicle && JSON.parse(vehicle.data), 'the suspect vehicle is on the case').toMatchObject({
      plate: STORY_PLATE,
    });
  });

  it('sends one 设卡盘查 order to the traffic brigade, two stations and the checkpoints, all signed in time', () => {
    const order = t.desk.query(t.city, 'order.get', { id: story.orderId });
    expect(order).toMatchObject({
      template: 'checkpoint_search',
      status: 'concluded',
      issuedBy: 'op-610926',
    });
    expect(order.incidentId).toBe(story.incidentId);
    const orgs = t.desk.query(t.city, 'region.get', {}).orgs;
    const kindOf = (id: string): string | undefined => orgs.find((org) => org.id === id)?.kind;
    const orgTargets = order.targets.filter((target) => target.targetKind === 'org');
    expect(orgTargets.map((target) => kindOf(target.targetId)).sort()).toEqual([
      'station',
      'station',
      'traffic_brigade',
    ]);
    const checkpoints = order.targets.filter((target) => target.targetKind === 'checkpoint');
    expect(checkpoints.length, 'checkpoints on the escape routes').toBeGreaterThanOrEqual(2);
    for (const target of order.targets) {
      expect(target.state, `${target.name} finished its part`).toBe('completed');
      expect(target.signedAt, `${target.name} signed`).not.toBeNull();
      expect(target.signedAt ?? Infinity, `${target.name} signed before its deadline`).toBeLessThan(
        target.signDeadline,
      );
      expect(target.signedAt ?? 0).toBeGreaterThanOrEqual(at('16:10:00'));
      expect(target.signedAt ?? Infinity).toBeLessThanOrEqual(at('16:13:00'));
      expect(target.overdue, `${target.name} was never overdue`).toBe('none');
    }
    const stoodDown = t.desk
      .query(t.city, 'checkpoint.list', { countyId: '610926' })
      .filter((checkpoint) => story.checkpointIds.includes(checkpoint.id));
    expect(
      stoodDown.every((checkpoint) => !checkpoint.active),
      'checkpoints stand down when the order concludes',
    ).toBe(true);
  });

  it('takes exactly 19 minutes from the call to the arrest reported back', () => {
    const feedback = t.desk.query(t.city, 'order.feedbackList', { orderId: story.orderId });
    const plateCheck = feedback.find((item) => item.text.includes(STORY_PLATE));
    const arrest = feedback.find((item) => item.text.includes('抓获'));
    expect(plateCheck, 'a checkpoint reported the plate check').toBeDefined();
    expect(plateCheck?.at).toBeGreaterThanOrEqual(at('16:20:00'));
    expect(plateCheck?.at).toBeLessThan(at('16:27:00'));
    expect(arrest, 'the arrest was reported back').toBeDefined();
    expect((arrest?.at ?? 0) - story.calledAt).toBe(19 * MINUTE);
    expect(story.arrestAt).toBe(arrest?.at);
    expect(feedback.length, 'every target reported back').toBeGreaterThanOrEqual(story.targetIds.length);
  });

  it('puts the van’s plate on the watch list, and the checkpoint’s check at 16:21 raises one warning', () => {
    const entry = t.desk.query(t.city, 'watch.list', {}).items;
    expect(entry.map((e) => [e.id, e.kind, e.value, e.level, e.countyId, e.incidentId])).toEqual([
      [story.watchId, 'plate', STORY_PLATE, 1, '610926', story.incidentId],
    ]);
    expect(entry[0]?.active, 'the plate comes off the list once the van is seized').toBe(false);
    const checks = t.desk.query(t.city, 'checkpoint.checks', { checkpointId: story.hitCheckpointId });
    expect(checks.items.map((c) => [c.plate, c.at])).toEqual([[STORY_PLATE, at('16:21:00')]]);
    const warnings = t.desk.query(t.city, 'warning.list', {}).items;
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      id: story.warningId,
      checkpointId: story.hitCheckpointId,
      countyId: '610926',
      value: STORY_PLATE,
      level: 1,
      raisedAt: story.warningAt,
      incidentId: story.incidentId,
      status: 'handled',
      acknowledgedAt: at('16:21:10'),
      handledAt: at('16:27:30'),
    });
    expect(story.warningAt, 'the warning comes before the arrest').toBeLessThan(story.arrestAt);
    expect(
      raised.map((event) => event.warning.id),
      'the console is told once',
    ).toEqual([story.warningId]);
  });

  it('keeps every step on the timeline, in time order, from 16:08 to the close', () => {
    const timeline = t.desk.query(t.city, 'incident.timeline', { id: story.incidentId });
    const times = timeline.map((entry) => entry.at);
    expect(times, 'timeline in time order').toEqual([...times].sort((a, b) => a - b));
    expect(timeline[0]).toMatchObject({ kind: 'received', at: at('16:08:00') });
    expect(timeline[timeline.length - 1]).toMatchObject({ kind: 'closed', at: story.closedAt });
    const kinds = timeline.map((entry) => entry.kind);
    const firstOf = (kind: string): number => kinds.indexOf(kind);
    for (const kind of [
      'order_issued',
      'order_signed',
      'warning_raised',
      'order_feedback',
      'warning_handled',
      'order_completed',
      'case_linked',
    ])
      expect(kinds, `the timeline shows ${kind}`).toContain(kind);
    expect(kinds.filter((kind) => kind === 'order_signed')).toHaveLength(story.targetIds.length);
    expect(firstOf('received')).toBeLessThan(firstOf('order_issued'));
    expect(firstOf('order_issued')).toBeLessThan(firstOf('order_signed'));
    expect(firstOf('on_scene')).toBeLessThan(firstOf('order_feedback'));
    expect(firstOf('warning_raised'), 'the warning is on the timeline before the feedback').toBeLessThan(
      firstOf('order_feedback'),
    );
    expect(firstOf('handled')).toBeLessThan(firstOf('closed'));
  });

  it('leaves an audit chain that verifies', () => {
    const result = t.desk.query(t.supervisor, 'audit.verify', {});
    expect(result.ok, `audit chain broken: ${JSON.stringify(result.firstBroken)}`).toBe(true);
    expect(result.checked).toBeGreaterThanOrEqual(story.steps.length);
    const entries = t.desk.query(t.supervisor, 'audit.list', { entityId: story.orderId, limit: 1000 });
    expect(new Set(entries.map((entry) => entry.operatorId))).toEqual(new Set(['op-610926']));
  });

  it('puts every command in the outbox, in order, at its scripted time', () => {
    const outbox = listOutbox(t.db);
    expect(outbox.map((entry) => [entry.name, entry.at])).toEqual(
      story.steps.map((step) => [step.name, step.at]),
    );
    const counters = outbox.map((entry) => entry.counter);
    expect(counters).toEqual([...counters].sort((a, b) => a - b));
    const times = outbox.map((entry) => entry.at);
    expect(times, 'the script never goes back in time').toEqual([...times].sort((a, b) => a - b));
  });

  it('tells the desk’s subscribers what happened', () => {
    expect(created.map((event) => event.incident.id)).toEqual([story.incidentId]);
    expect(changedEvents).toBeGreaterThanOrEqual(story.steps.length);
  });

  it('gives supervision nothing to escalate', () => {
    t.clock.set(story.closedAt);
    expect(new SupervisionService(t.desk).tick()).toEqual({ escalated: [], refused: [] });
  });

  it('refuses a date that is not YYYY-MM-DD', () => {
    const other = makeDesk();
    expect(() => runStory(other.desk, { date: '29.11.2026' })).toThrow(/YYYY-MM-DD/);
    expect(listOutbox(other.db), 'nothing was written').toHaveLength(0);
  });
});
