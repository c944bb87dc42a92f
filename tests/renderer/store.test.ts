// The console store's slices: pure state changes, no DOM.
import { describe, expect, it } from 'vitest';
import type { Incident, OrderTarget } from '../../src/shared/domain/model';
import { createDeskStore, getEmptyState, persistPreferences } from '../../src/renderer/store';
import { ageLevel, queueOf } from '../../src/renderer/store/incidents';
import { DEFAULT_LAYOUT, restoreLayout, slotContents } from '../../src/renderer/store/layout';
import { countdownOf, formatCountdown } from '../../src/renderer/store/orders';
import { missingIntakeFields, blankIntake } from '../../src/renderer/store/intake';
import { visibleRange } from '../../src/renderer/components/VirtualList';

const MORNING = Date.UTC(2026, 10, 29, 2, 0, 0);

function incident(overrides: Partial<Incident>): Incident {
  return {
    id: 'i1',
    number: '610926-1',
    countyId: '610926',
    source: 'call_110',
    category: 'burglary',
    priority: 2,
    status: 'received',
    callerName: '',
    callerPhone: '',
    address: '长安镇中心街',
    summary: '入室盗窃',
    notes: '',
    location: { lng: 109.28, lat: 32.47 },
    receivedAt: MORNING,
    updatedAt: MORNING,
    disposition: '',
    assignedOrgId: null,
    mergedIntoId: null,
    caseId: null,
    createdBy: 'op',
    ...overrides,
  };
}

describe('incident queue', () => {
  it('filters by status, priority and county, and sorts newest first by default', () => {
    const store = createDeskStore();
    store
      .getState()
      .setIncidents(
        [
          incident({ id: 'a', priority: 1, receivedAt: MORNING }),
          incident({ id: 'b', priority: 3, receivedAt: MORNING + 60_000 }),
          incident({ id: 'c', priority: 2, status: 'closed', receivedAt: MORNING + 120_000 }),
          incident({ id: 'd', priority: 2, countyId: '610902', receivedAt: MORNING + 180_000 }),
        ],
        4,
      );
    const s = store.getState();
    expect(queueOf(s.incidents, s.incidentFilter, s.incidentSort, MORNING).map((i) => i.id)).toEqual([
      'd',
      'b',
      'a',
    ]);
    store.getState().setIncidentFilter({ maxPriority: 2, countyId: '610926' });
    const t = store.getState();
    expect(queueOf(t.incidents, t.incidentFilter, t.incidentSort, MORNING).map((i) => i.id)).toEqual(['a']);
  });

  it('sorts by a column and flips direction when the same column is chosen again', () => {
    const store = createDeskStore();
    store
      .getState()
      .setIncidents([incident({ id: 'a', priority: 3 }), incident({ id: 'b', priority: 1 })], 2);
    store.getState().setIncidentSort('priority');
    let s = store.getState();
    expect(queueOf(s.incidents, s.incidentFilter, s.incidentSort, MORNING).map((i) => i.id)).toEqual([
      'b',
      'a',
    ]);
    store.getState().setIncidentSort('priority');
    s = store.getState();
    expect(queueOf(s.incidents, s.incidentFilter, s.incidentSort, MORNING).map((i) => i.id)).toEqual([
      'a',
      'b',
    ]);
  });

  it('never lets a late, older copy of an incident overwrite a newer one', () => {
    const store = createDeskStore();
    store.getState().upsertIncidents([incident({ id: 'a', status: 'dispatched', updatedAt: MORNING + 10 })]);
    store.getState().upsertIncidents([incident({ id: 'a', status: 'received', updatedAt: MORNING })]);
    expect(store.getState().incidents.a?.status).toBe('dispatched');
    expect(store.getState().incidentTotal).toBe(1);
  });

  it('colours the wait of an unhandled incident amber after 5 minutes and red after 15', () => {
    const waiting = incident({ receivedAt: MORNING });
    expect(ageLevel(waiting, MORNING + 4 * 60_000)).toBe('fresh');
    expect(ageLevel(waiting, MORNING + 6 * 60_000)).toBe('amber');
    expect(ageLevel(waiting, MORNING + 16 * 60_000)).toBe('red');
    expect(ageLevel({ ...waiting, status: 'dispatched' }, MORNING + 16 * 60_000)).toBe('none');
  });
});

describe('order draft and countdowns', () => {
  it('starts from a proposal, lets targets be unticked and added, and clears', () => {
    const store = createDeskStore();
    store.getState().startDraft(
      {
        template: 'checkpoint_search',
        center: { lng: 109.28, lat: 32.47 },
        countyId: '610926',
        title: '设卡盘查',
        content: '',
        targets: [
          {
            targetKind: 'checkpoint',
            targetId: 'cp1',
            countyId: '610926',
            name: '卡点1',
            nameEn: 'CP 1',
            location: { lng: 109.3, lat: 32.5 },
            distanceKm: 2,
            reason: 'checkpoint_in_radius',
          },
        ],
      },
      'i1',
    );
    store.getState().toggleDraftTarget('cp1');
    expect(store.getState().draft?.targets[0]?.included).toBe(false);
    store.getState().addDraftTarget({
      targetKind: 'unit',
      targetId: 'u1',
      name: '平利巡01',
      nameEn: 'P01',
      location: null,
    });
    store.getState().addDraftTarget({
      targetKind: 'checkpoint',
      targetId: 'cp1',
      name: '卡点1',
      nameEn: 'CP 1',
      location: null,
    });
    expect(store.getState().draft?.targets.map((t) => [t.targetId, t.included])).toEqual([
      ['cp1', true],
      ['u1', true],
    ]);
    store.getState().clearDraft();
    expect(store.getState().draft).toBeNull();
  });

  it('counts down to the sign deadline until signed, then to the finish deadline, red once late', () => {
    const target = {
      state: 'issued',
      signDeadline: MORNING + 5 * 60_000,
      finishDeadline: MORNING + 60 * 60_000,
      overdue: 'none',
    } as OrderTarget;
    expect(countdownOf(target, MORNING)).toEqual({ deadline: 'sign', remainingMs: 300_000, overdue: false });
    expect(countdownOf(target, MORNING + 6 * 60_000).overdue).toBe(true);
    expect(countdownOf({ ...target, state: 'signed' }, MORNING + 6 * 60_000)).toMatchObject({
      deadline: 'finish',
      overdue: false,
    });
    expect(formatCountdown(299_000)).toBe('4:59');
    expect(formatCountdown(-61_000)).toBe('-1:01');
  });
});

describe('layout, settings and alerts', () => {
  it('moves a panel to another slot and shows it there, and survives a reload through storage', () => {
    const saved = new Map<string, string>();
    const storage = {
      getItem: (k: string) => saved.get(k) ?? null,
      setItem: (k: string, v: string) => void saved.set(k, v),
    };
    const first = createDeskStore();
    const undo = persistPreferences(first, storage);
    first.getState().movePanel('units', 'left-top');
    first.getState().resizeSplit(0, 0.3);
    first.getState().setLanguage('en');
    first.getState().toggleMute();
    undo();
    const second = createDeskStore();
    persistPreferences(second, storage);
    const state = second.getState();
    expect(slotContents(state.layout, 'left-top')).toEqual({ panels: ['queue', 'units'], active: 'units' });
    expect(state.layout.splits[0]).toBe(0.3);
    expect(state.language).toBe('en');
    expect(state.muted).toBe(true);
  });

  it('stops saving once its undo is called', () => {
    const saved = new Map<string, string>();
    const storage = {
      getItem: (k: string) => saved.get(k) ?? null,
      setItem: (k: string, v: string) => void saved.set(k, v),
    };
    const store = createDeskStore();
    persistPreferences(store, storage)();
    store.getState().setLanguage('en');
    expect(saved.size).toBe(0);
  });

  it('falls back to the default layout for a damaged stored layout', () => {
    expect(restoreLayout('garbage')).toEqual(DEFAULT_LAYOUT);
    const layout = restoreLayout({
      columns: [0.9, 0.9, 0.9],
      panels: { map: 'nowhere', queue: 'right-top' },
    });
    expect(layout.columns).toEqual(DEFAULT_LAYOUT.columns);
    expect(layout.panels.map).toBe('center-top');
    expect(layout.panels.queue).toBe('right-top');
  });

  it('keeps column widths summing to one and each above the minimum when resized', () => {
    const store = createDeskStore();
    store.getState().resizeColumns(0, 0.01);
    const [a, b, c] = store.getState().layout.columns;
    expect(a).toBeCloseTo(0.1);
    expect(a + b + c).toBeCloseTo(1);
  });

  it('sounds for alarms only, and a repeated escalation replaces its notice', () => {
    const store = createDeskStore();
    const base = { message: { key: 'common.none' as const }, at: MORNING, ref: null };
    store.getState().pushAlert({ ...base, id: 'overdue-o1-t1', kind: 'overdue' });
    store.getState().pushAlert({ ...base, id: 'overdue-o1-t1', kind: 'overdue' });
    store.getState().pushAlert({ ...base, id: 'e1', kind: 'error' });
    expect(store.getState().alerts.map((a) => a.id)).toEqual(['e1', 'overdue-o1-t1']);
    expect(store.getState().alarmSeq).toBe(2);
    store.getState().acknowledgeAll();
    expect(store.getState().alerts.every((a) => a.acknowledged)).toBe(true);
  });

  it('resets to the empty state', () => {
    const store = createDeskStore();
    store.getState().select({ kind: 'incident', id: 'a' });
    store.getState().editIntake({ callerName: '王' });
    store.setState(getEmptyState());
    expect(store.getState().selection).toBeNull();
    expect(store.getState().intake.callerName).toBe('');
    expect(typeof store.getState().select).toBe('function');
  });
});

describe('intake and virtual list', () => {
  it('names what is missing before an incident can be saved', () => {
    expect(missingIntakeFields(blankIntake, true)).toEqual(['location', 'address', 'summary', 'countyId']);
    expect(
      missingIntakeFields(
        { ...blankIntake, location: { lng: 1, lat: 2 }, address: 'a', summary: 's' },
        false,
      ),
    ).toEqual([]);
  });

  it('renders only the rows in view plus the overscan', () => {
    expect(visibleRange(0, 300, 30, 100_000, 5)).toEqual({ first: 0, last: 15 });
    expect(visibleRange(30_000, 300, 30, 100_000, 5)).toEqual({ first: 995, last: 1015 });
    expect(visibleRange(0, 300, 30, 3, 5)).toEqual({ first: 0, last: 3 });
  });
});
