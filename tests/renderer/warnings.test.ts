// The console's warnings: the list the panel shows (open first, most urgent level first, newest first), a live
// change that never goes back, the alarm a raised warning sounds, and a live link that leaves nothing behind.
import { describe, expect, it } from 'vitest';
import type { DeskClient, EventName, EventPayloads } from '../../src/shared/contract';
import type { Warning } from '../../src/shared/domain/model';
import { startWarningsLive } from '../../src/renderer/app/warnings';
import type { ConsoleClient } from '../../src/renderer/client';
import { renderMessage } from '../../src/renderer/i18n';
import { createDeskStore } from '../../src/renderer/store';
import { unacknowledged } from '../../src/renderer/store/alerts';
import { newWarningCount, warningList } from '../../src/renderer/store/warnings';

const MORNING = Date.UTC(2026, 10, 29, 2, 0, 0);

function warning(id: string, overrides: Partial<Warning> = {}): Warning {
  return {
    id,
    watchId: 'watch-1',
    checkId: `check-${id}`,
    checkpointId: '610926-CP-02',
    countyId: '610926',
    location: { lng: 109.2752, lat: 32.4802 },
    kind: 'plate',
    value: '陕G7M352',
    label: '白色五菱面包车',
    reason: '入室盗窃嫌疑车辆',
    level: 1,
    status: 'new',
    raisedAt: MORNING,
    acknowledgedAt: null,
    acknowledgedBy: null,
    handledAt: null,
    handledBy: null,
    handleNote: '',
    incidentId: null,
    updatedAt: MORNING,
    ...overrides,
  };
}

describe('the warnings list', () => {
  it('puts new before signed-for, red before yellow, newest first, and hides handled ones unless asked', () => {
    const store = createDeskStore();
    store
      .getState()
      .setWarnings([
        warning('old-red', { raisedAt: MORNING }),
        warning('new-red', { raisedAt: MORNING + 60_000 }),
        warning('yellow', { level: 3, raisedAt: MORNING + 120_000 }),
        warning('signed', { status: 'acknowledged', raisedAt: MORNING + 180_000 }),
        warning('done', { status: 'handled', raisedAt: MORNING + 240_000 }),
      ]);
    const { warnings } = store.getState();
    expect(warningList(warnings, 'open').map((w) => w.id)).toEqual([
      'new-red',
      'old-red',
      'yellow',
      'signed',
    ]);
    expect(warningList(warnings, 'all').map((w) => w.id)).toEqual([
      'new-red',
      'old-red',
      'yellow',
      'signed',
      'done',
    ]);
    expect(newWarningCount(warnings)).toBe(3);
  });

  it('keeps the newer copy when an older one arrives late (a warning never goes back)', () => {
    const store = createDeskStore();
    store.getState().upsertWarnings([warning('w', { status: 'handled', updatedAt: MORNING + 5000 })]);
    const before = store.getState().warnings;
    store.getState().upsertWarnings([warning('w', { status: 'new', updatedAt: MORNING })]);
    expect(store.getState().warnings['w']?.status).toBe('handled');
    expect(store.getState().warnings, 'nothing changed, so no store update').toBe(before);
  });
});

/** A core that serves the warning and watch lists and lets the test fire events. */
function fakeCore(items: Warning[]) {
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  const asked: string[] = [];
  let served = items;
  const client: ConsoleClient = {
    command: () => Promise.reject(new Error('no commands in this test')),
    query: ((name: string) => {
      asked.push(name);
      if (name === 'warning.list') return Promise.resolve({ items: served, total: served.length });
      if (name === 'watch.list') return Promise.resolve({ items: [], total: 0 });
      return Promise.reject(new Error(`not served here: ${name}`));
    }) as DeskClient['query'],
    subscribe: ((event: EventName, listener: (payload: unknown) => void) => {
      const set = listeners.get(event) ?? new Set();
      set.add(listener);
      listeners.set(event, set);
      return () => set.delete(listener);
    }) as DeskClient['subscribe'],
    onConnection: () => () => undefined,
    state: 'open',
  };
  const fire = <E extends EventName>(event: E, payload: EventPayloads[E]): void =>
    listeners.get(event)?.forEach((listener) => listener(payload));
  const listening = (): number => [...listeners.values()].reduce((n, set) => n + set.size, 0);
  return {
    client,
    asked,
    fire,
    listening,
    serve: (next: Warning[]) => {
      served = next;
    },
  };
}

const settle = (ms = 0): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('warnings kept live', () => {
  it('sounds and shows an alarm for a raised warning, leading to it, once per warning', async () => {
    const core = fakeCore([]);
    const store = createDeskStore();
    const stop = startWarningsLive(core.client, store);
    await settle();
    const raised = warning('w1');
    core.fire('warning.raised', { warning: raised });
    const state = store.getState();
    expect(state.warnings['w1']).toEqual(raised);
    expect(state.alarmSeq, 'the alarm sounds').toBe(1);
    const [alert] = unacknowledged(state.alerts);
    expect(alert).toMatchObject({ kind: 'warning', ref: { kind: 'warning', id: 'w1' }, at: MORNING });
    expect(alert && renderMessage('zh-CN', alert.message)).toBe(
      '红色预警：610926-CP-02 盘查命中车辆 陕G7M352（入室盗窃嫌疑车辆）',
    );
    expect(alert && renderMessage('en', alert.message)).toBe(
      'Red warning: 610926-CP-02 checked the watched plate 陕G7M352 (入室盗窃嫌疑车辆)',
    );
    stop();
  });

  it('reads the warnings again when sync changes them, and stops listening when stopped', async () => {
    const core = fakeCore([warning('w1')]);
    const store = createDeskStore();
    const stop = startWarningsLive(core.client, store);
    await settle();
    expect(Object.keys(store.getState().warnings)).toEqual(['w1']);
    core.serve([warning('w1', { status: 'acknowledged', updatedAt: MORNING + 1 }), warning('w2')]);
    core.fire('entity.changed', { kind: 'warning', ids: ['w1', 'w2'], countyIds: [] });
    core.fire('entity.changed', { kind: 'unit', ids: ['u1'], countyIds: [] });
    await settle(400);
    expect(store.getState().warnings['w1']?.status).toBe('acknowledged');
    expect(Object.keys(store.getState().warnings).sort()).toEqual(['w1', 'w2']);
    expect(core.asked.filter((name) => name === 'warning.list')).toHaveLength(2);
    stop();
    expect(core.listening(), 'no listener is left behind').toBe(0);
  });

  it('counts a change of checks so the open list of checks is read again', async () => {
    const core = fakeCore([]);
    const store = createDeskStore();
    const stop = startWarningsLive(core.client, store);
    core.fire('entity.changed', { kind: 'check', ids: ['c1'], countyIds: [] });
    await settle(400);
    expect(store.getState().checkVersion).toBe(1);
    stop();
  });
});
