// The city sends another county's units to a county's call (cross-county support): the order must reach the
// call's county as well as the targets', and each county works only its own part of it.
import { describe, expect, it } from 'vitest';
import { CITY_ID } from '../../src/shared/domain/model';
import { HANBIN, PINGLI, scriptedClock } from '../helpers/desk';
import { cityAndPingli, openTestWorkstation, PINGLI_CALL, signIn, synced } from './harness';

describe('an order to one county for another county’s call', () => {
  it('reaches the call’s county and the targets’ county; each signs and reports only its own part', async () => {
    const clock = scriptedClock();
    const { hub, city, pingli } = await cityAndPingli(clock);
    const hanbin = openTestWorkstation(hub, {
      id: 'ws-hanbin',
      jurisdictionId: HANBIN,
      operatorId: `op-${HANBIN}`,
      clock,
    });
    await signIn(hanbin);
    const all = [city, pingli, hanbin];
    const incident = pingli.desk.command(pingli.actor, 'incident.create', PINGLI_CALL);
    await synced(pingli);
    await synced(city);
    // Only Hanbin's traffic brigade is sent, to Pingli's call.
    const order = city.desk.command(city.actor, 'order.issue', {
      incidentId: incident.id,
      template: 'custom',
      title: '协助设卡',
      targets: [{ targetKind: 'org', targetId: `${HANBIN}-TB` }],
    });
    expect(order.countyId).toBe(CITY_ID);
    await synced(city);
    for (const ws of all) await synced(ws);

    for (const ws of all)
      expect(ws.desk.query(ws.actor, 'order.get', { id: order.id }).title, `${ws.id} sees the order`).toBe(
        '协助设卡',
      );
    // Hanbin signs and reports its target; Pingli, whose call it is, follows it but may not act for Hanbin.
    const target = { orderId: order.id, targetId: `${HANBIN}-TB` };
    hanbin.desk.command(hanbin.actor, 'order.sign', target);
    hanbin.desk.command(hanbin.actor, 'order.feedback', { ...target, text: '已在G316设卡' });
    expect(() => pingli.desk.command(pingli.actor, 'order.sign', target)).toThrow(/610902/);
    await synced(hanbin);
    for (const ws of all) await synced(ws);
    for (const ws of all) {
      const seen = ws.desk.query(ws.actor, 'order.get', { id: order.id });
      expect(seen.targets[0]?.state, `${ws.id} target`).toBe('reported');
      const reports = ws.db.prepare('SELECT text FROM order_feedback WHERE order_id = ?').all(order.id);
      expect(reports, `${ws.id} reports`).toEqual([{ text: '已在G316设卡' }]);
    }
    const timeline = pingli.desk
      .query(pingli.actor, 'incident.timeline', { id: incident.id })
      .map((entry) => entry.kind);
    expect(timeline).toEqual(expect.arrayContaining(['order_issued', 'order_signed']));
    for (const ws of all) {
      expect(ws.desk.query(ws.actor, 'sync.rejections', {}), `${ws.id} rejections`).toEqual([]);
    }
  });

  it('keeps an order whose targets and call are all in one county in that county', async () => {
    const { city } = await cityAndPingli(scriptedClock());
    const incident = city.desk.command(city.actor, 'incident.create', PINGLI_CALL);
    const order = city.desk.command(city.actor, 'order.issue', {
      incidentId: incident.id,
      template: 'custom',
      title: '设卡盘查',
      targets: [{ targetKind: 'org', targetId: `${PINGLI}-TB` }],
    });
    expect(order.countyId).toBe(PINGLI);
  });
});
