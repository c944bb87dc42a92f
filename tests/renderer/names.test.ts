// Names in the operator's language: an order names its targets, and the incident's timeline names targets and
// units, in Chinese as the record was written; the English console shows the English names of the same records.
import { describe, expect, it } from 'vitest';
import { renderMessage, nameIn } from '../../src/renderer/i18n';
import { createDeskStore } from '../../src/renderer/store';
import { targetNames, timelineText } from '../../src/renderer/store/names';
import type { Order } from '../../src/shared/domain/model';
import { burglaryCall, makeDesk } from '../helpers/desk';

const HAN = /[\u4e00-\u9fff]/;

/** Pingli's operator sends 设卡盘查 to a checkpoint, the traffic brigade and a patrol unit; each acts on it. */
function pingliStory() {
  const t = makeDesk();
  const incident = t.desk.command(t.pingli, 'incident.create', burglaryCall());
  const unit = t.desk.query(t.pingli, 'unit.list', {}).find((u) => u.countyId === '610926');
  if (!unit) throw new Error('the demo region has no unit in Pingli');
  const order: Order = t.desk.command(t.pingli, 'order.issue', {
    incidentId: incident.id,
    template: 'checkpoint_search',
    title: '设卡盘查：长安镇',
    targets: [
      { targetKind: 'checkpoint', targetId: '610926-CP-02' },
      { targetKind: 'org', targetId: '610926-TB' },
      { targetKind: 'unit', targetId: unit.id },
    ],
  });
  t.desk.command(t.pingli, 'order.sign', { orderId: order.id, targetId: '610926-TB' });
  t.desk.command(t.pingli, 'order.feedback', {
    orderId: order.id,
    targetId: '610926-TB',
    text: '已在G316设卡',
  });
  const store = createDeskStore();
  const state = store.getState();
  state.setSession(t.pingli, t.desk.query(t.pingli, 'region.get', {}));
  state.setUnits(t.desk.query(t.pingli, 'unit.list', {}));
  state.setCheckpoints(t.desk.query(t.pingli, 'checkpoint.list', {}));
  return { t, store, order, incident };
}

describe('names of order targets', () => {
  it('are English in the English console for every kind of target, and Chinese in the Chinese one', () => {
    const { store, order } = pingliStory();
    const state = store.getState();
    for (const target of order.targets) {
      const names = targetNames(state, target.targetKind, target.targetId, target.name);
      expect(nameIn('zh-CN', names), `the ${target.targetKind} lost its Chinese name`).toBe(target.name);
      const english = nameIn('en', names);
      expect(
        english,
        `the ${target.targetKind} ${target.targetId} is shown as "${english}" in English`,
      ).not.toMatch(HAN);
    }
    expect(nameIn('en', targetNames(state, 'org', '610926-TB', '平利县公安局交通管理大队'))).toBe(
      'Pingli County PSB Traffic Management Brigade',
    );
  });

  it('fall back to the name the order carries for a target the console does not hold', () => {
    const { store } = pingliStory();
    expect(nameIn('en', targetNames(store.getState(), 'org', '610999-XX', '某单位'))).toBe('某单位');
  });

  it('name the target of an overdue alert in the language of the moment', () => {
    const { store, order } = pingliStory();
    const target = order.targets[1];
    if (!target) throw new Error('the order has no second target');
    const names = targetNames(store.getState(), target.targetKind, target.targetId, target.name);
    const message = {
      key: 'alert.overdueSign' as const,
      vars: {
        template: { key: 'template.checkpoint_search' as const },
        title: order.title,
        target: names,
        level: 1,
      },
    };
    expect(renderMessage('en', message)).toContain(names.nameEn);
    expect(renderMessage('zh-CN', message)).toContain(target.name);
  });
});

describe('the timeline in English', () => {
  it('names the signing and reporting organisation in English and keeps what was reported', () => {
    const { t, store, incident } = pingliStory();
    const entries = t.desk.query(t.pingli, 'incident.timeline', { id: incident.id });
    const signed = entries.find((entry) => entry.kind === 'order_signed');
    const feedback = entries.find((entry) => entry.kind === 'order_feedback');
    if (!signed || !feedback) throw new Error('the story left no signing or feedback in the timeline');
    const state = store.getState();
    expect(nameIn('en', timelineText(state, signed))).toBe('Pingli County PSB Traffic Management Brigade');
    expect(nameIn('en', timelineText(state, feedback))).toBe(
      'Pingli County PSB Traffic Management Brigade: 已在G316设卡',
    );
    expect(
      nameIn('zh-CN', timelineText(state, feedback)),
      'the Chinese entry should be left as written',
    ).toBe(feedback.text);
    const received = entries.find((entry) => entry.kind === 'received');
    if (!received) throw new Error('the timeline has no receipt');
    expect(
      nameIn('en', timelineText(state, received)),
      'an entry naming no target should be left as written',
    ).toBe(received.text);
  });
});
