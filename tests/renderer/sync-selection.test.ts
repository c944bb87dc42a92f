// The console's sync slice (status bar, rejection inbox, conflicts), notices translated when shown, the
// capped map focus, and the selection shared between windows over a BroadcastChannel.
import { afterEach, describe, expect, it } from 'vitest';
import type { Rejection, SyncStatus } from '../../src/shared/contract';
import type { Conflict } from '../../src/shared/sync';
import { createDeskStore, type DeskStore } from '../../src/renderer/store';
import { formatAge, renderMessage } from '../../src/renderer/i18n';
import { FOCUS_MAX_ZOOM, FOCUS_MIN_ZOOM, focusZoom } from '../../src/renderer/store/map';
import {
  linkSelection,
  parseSelectionMessage,
  type ChannelLike,
} from '../../src/renderer/store/selection-sync';
import { oldestPendingAge, STANDALONE, syncAttention } from '../../src/renderer/store/sync';

const NOW = Date.UTC(2026, 10, 29, 2, 0, 0);

function rejection(overrides: Partial<Rejection>): Rejection {
  return {
    commandId: 'c1',
    counter: 1,
    name: 'order.sign',
    input: {},
    operatorId: 'op-610926',
    at: NOW - 60_000,
    error: { code: 'illegal_transition', message: 'order o1 is already concluded' },
    rejectedAt: NOW,
    dismissed: false,
    ...overrides,
  };
}

function conflict(overrides: Partial<Conflict>): Conflict {
  return {
    id: 'k1',
    kind: 'incident',
    entityId: 'i1',
    field: 'status',
    mine: 'closed',
    theirs: 'on_scene',
    commandId: 'c2',
    operatorId: 'op',
    at: NOW,
    resolvedAt: null,
    resolution: null,
    resolvedBy: null,
    ...overrides,
  };
}

describe('sync slice', () => {
  it('starts standalone with an empty inbox', () => {
    const state = createDeskStore().getState();
    expect(state.sync.mode, 'a fresh console must not claim to be online').toBe('standalone');
    expect(state.rejections).toEqual([]);
    expect(state.conflicts).toEqual([]);
  });

  it('keeps only undismissed rejections and unresolved conflicts in the inbox', () => {
    const store = createDeskStore();
    store
      .getState()
      .setRejections([rejection({ commandId: 'a' }), rejection({ commandId: 'b', dismissed: true })]);
    store.getState().setConflicts([conflict({ id: 'x' }), conflict({ id: 'y', resolvedAt: NOW })]);
    expect(
      store.getState().rejections.map((r) => r.commandId),
      'a dismissed rejection must leave the inbox',
    ).toEqual(['a']);
    expect(
      store.getState().conflicts.map((c) => c.id),
      'a resolved conflict must leave the list',
    ).toEqual(['x']);
  });

  it('gives the age of the oldest pending command only while commands wait', () => {
    const online: SyncStatus = { ...STANDALONE, mode: 'online', pending: 3, oldestPendingAt: NOW - 90_000 };
    expect(oldestPendingAge(online, NOW)).toBe(90_000);
    expect(oldestPendingAge({ ...online, pending: 0 }, NOW), 'an empty queue has no oldest age').toBeNull();
    expect(oldestPendingAge({ ...online, oldestPendingAt: NOW + 5_000 }, NOW)).toBe(0);
  });

  it('counts what awaits the operator from the lists or the newer status counts', () => {
    const status: SyncStatus = { ...STANDALONE, mode: 'offline', rejections: 2, conflicts: 1 };
    expect(syncAttention(status, [rejection({})], [])).toBe(3);
    expect(syncAttention(STANDALONE, [rejection({}), rejection({ commandId: 'c9' })], [conflict({})])).toBe(
      3,
    );
  });
});

describe('notices follow the language', () => {
  it('renders one notice in Chinese, then in English after the switch', () => {
    const store = createDeskStore();
    store.getState().pushAlert({
      id: 'n1',
      kind: 'info',
      message: {
        key: 'orders.issued',
        vars: { template: { key: 'template.checkpoint_search' }, title: 'x', count: 4 },
      },
      at: NOW,
      ref: null,
    });
    const notice = store.getState().alerts[0];
    expect(notice).toBeDefined();
    if (!notice) return;
    const zh = renderMessage('zh-CN', notice.message);
    const en = renderMessage('en', notice.message);
    expect(zh).toContain('指令已下达');
    expect(en, 'an English console must not show the Chinese notice').toBe(
      'Order issued: Checkpoint search (4 recipients)',
    );
    expect(en).not.toMatch(/[\u4e00-\u9fff]/);
  });

  it('joins translated lists and picks the name in the language', () => {
    const message = {
      key: 'intake.missing' as const,
      vars: { fields: { list: ['intake.field.callerName' as const, 'intake.field.address' as const] } },
    };
    expect(renderMessage('en', message)).toBe('Still needed: Caller, Address');
    expect(renderMessage('zh-CN', message)).not.toMatch(/[A-Za-z]/);
    const overdue = {
      key: 'alert.overdueSign' as const,
      vars: {
        template: { key: 'template.checkpoint_search' as const },
        title: '设卡盘查',
        target: { name: '平利县公安局', nameEn: 'Pingli County PSB' },
        level: 1,
      },
    };
    expect(renderMessage('en', overdue)).toBe(
      'Order not signed in time: Checkpoint search — Pingli County PSB (level 1)',
    );
    expect(renderMessage('zh-CN', overdue)).toContain('平利县公安局');
  });
});

describe('map focus', () => {
  it('never flies deeper than town scale', () => {
    expect(focusZoom(7.6, null), 'from the city overview, selecting zooms in to town scale').toBe(
      FOCUS_MIN_ZOOM,
    );
    expect(FOCUS_MIN_ZOOM, 'town scale starts around zoom 10.5–11').toBeGreaterThanOrEqual(10.5);
    expect(focusZoom(11.5, null), 'at town scale the zoom is kept').toBe(11.5);
    expect(focusZoom(16, null), 'from a close-up the map comes back out').toBe(FOCUS_MAX_ZOOM);
    expect(focusZoom(8, 13), 'an asked-for zoom is capped too').toBe(FOCUS_MAX_ZOOM);
    expect(focusZoom(8, 10)).toBe(10);
  });
});

/** An in-memory BroadcastChannel: delivers to every other channel of the hub, synchronously. */
function hub(): () => ChannelLike {
  const members = new Set<{ deliver: (data: unknown) => void }>();
  return () => {
    const listeners = new Set<(event: { data: unknown }) => void>();
    const self = { deliver: (data: unknown) => listeners.forEach((l) => l({ data: structuredClone(data) })) };
    members.add(self);
    return {
      postMessage: (message) => members.forEach((m) => m !== self && m.deliver(message)),
      addEventListener: (_type, listener) => listeners.add(listener),
      removeEventListener: (_type, listener) => listeners.delete(listener),
      close: () => members.delete(self),
    };
  };
}

describe('selection shared between windows', () => {
  const undo: (() => void)[] = [];
  afterEach(() => undo.splice(0).forEach((fn) => fn()));

  function windows(n: number): DeskStore[] {
    const open = hub();
    return Array.from({ length: n }, (_, i) => {
      const store = createDeskStore();
      undo.push(linkSelection(store, open(), `w${i}`));
      return store;
    });
  }

  it('selecting an incident in one window selects it in the others', () => {
    const [main, queue, map] = windows(3);
    queue?.getState().select({ kind: 'incident', id: 'i42' });
    expect(main?.getState().selection, 'the main window must follow the popped-out queue').toEqual({
      kind: 'incident',
      id: 'i42',
    });
    expect(map?.getState().selection).toEqual({ kind: 'incident', id: 'i42' });
    main?.getState().select(null);
    expect(queue?.getState().selection, 'clearing the selection clears it everywhere').toBeNull();
  });

  it('carries where the map should look, with its zoom', () => {
    const [main, queue] = windows(2);
    queue?.getState().focusOn({ lng: 109.28, lat: 32.47 }, 12);
    expect(main?.getState().focus?.at).toEqual({ lng: 109.28, lat: 32.47 });
    expect(main?.getState().focus?.zoom).toBe(12);
  });

  it('does not echo a received selection back (one change, one message)', () => {
    const open = hub();
    const sent: unknown[] = [];
    const spy = open();
    spy.addEventListener('message', (event) => sent.push(event.data));
    const a = createDeskStore();
    const b = createDeskStore();
    undo.push(linkSelection(a, open(), 'a'), linkSelection(b, open(), 'b'), () => spy.close());
    sent.length = 0;
    a.getState().select({ kind: 'unit', id: 'u1' });
    expect(sent.filter((m) => parseSelectionMessage(m)?.type === 'select')).toHaveLength(1);
  });

  it('a window that opens later is told what is selected', () => {
    const open = hub();
    const main = createDeskStore();
    undo.push(linkSelection(main, open(), 'main'));
    main.getState().select({ kind: 'checkpoint', id: 'cp7' });
    const popped = createDeskStore();
    undo.push(linkSelection(popped, open(), 'popped'));
    expect(popped.getState().selection).toEqual({ kind: 'checkpoint', id: 'cp7' });
  });

  it('ignores malformed messages instead of applying them', () => {
    expect(
      parseSelectionMessage({ type: 'select', from: 'x', selection: { kind: 'bomb', id: '1' } }),
    ).toBeNull();
    expect(parseSelectionMessage({ type: 'focus', from: 'x', at: { lng: 'a', lat: 1 } })).toBeNull();
    expect(parseSelectionMessage('select')).toBeNull();
    const [main] = windows(1);
    const rogue = hub()();
    rogue.postMessage({ type: 'select', from: 'r', selection: { kind: 'incident' } });
    expect(main?.getState().selection).toBeNull();
  });

  it('works over a real BroadcastChannel', async () => {
    const a = createDeskStore();
    const b = createDeskStore();
    undo.push(
      linkSelection(a, new BroadcastChannel('test-selection') as unknown as ChannelLike, 'a'),
      linkSelection(b, new BroadcastChannel('test-selection') as unknown as ChannelLike, 'b'),
    );
    const arrived = new Promise<void>((resolve) => {
      const stop = b.subscribe((state) => {
        if (state.selection) {
          stop();
          resolve();
        }
      });
    });
    a.getState().select({ kind: 'incident', id: 'i7' });
    await arrived;
    expect(b.getState().selection).toEqual({ kind: 'incident', id: 'i7' });
  });
});

describe('ages in the language', () => {
  it('shows waiting times in Chinese units in Chinese and English units in English', () => {
    expect(formatAge('en', 45_000)).toBe('45s');
    expect(formatAge('zh-CN', 45_000)).toBe('45秒');
    expect(formatAge('en', 12 * 60_000)).toBe('12m');
    expect(formatAge('zh-CN', (3 * 60 + 5) * 60_000)).toBe('3时05');
    expect(formatAge('en', 3 * 86_400_000)).toBe('3d');
  });
});
