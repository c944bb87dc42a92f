// The console's loading under load: the queue's first page at once, the rest in a few batches, live changes
// read by id; and an order the core refuses stays open with the refusal shown.
import { afterEach, describe, expect, it } from 'vitest';
import type { DeskClient } from '../../src/shared/contract';
import type { Incident } from '../../src/shared/domain/model';
import { DeskError } from '../../src/shared/errors';
import { FIRST_PAGE, loadIncidents, startLive } from '../../src/renderer/app/live';
import type { ConsoleClient } from '../../src/renderer/client';
import { createDeskStore, deskStore, getEmptyState } from '../../src/renderer/store';
import { renderMessage } from '../../src/renderer/i18n';

const MORNING = Date.UTC(2026, 10, 29, 2, 0, 0);

function incident(n: number, overrides: Partial<Incident> = {}): Incident {
  return {
    id: `i${n}`,
    number: `610926-${n}`,
    countyId: '610926',
    source: 'call_110',
    category: 'burglary',
    priority: 2,
    status: 'received',
    callerName: '',
    callerPhone: '',
    address: '长安镇中心街',
    summary: '',
    notes: '',
    location: { lng: 109.28, lat: 32.47 },
    receivedAt: MORNING - n * 1000,
    updatedAt: MORNING - n * 1000,
    disposition: '',
    assignedOrgId: null,
    mergedIntoId: null,
    caseId: null,
    createdBy: 'op',
    ...overrides,
  };
}

/** A core holding `count` open incidents, newest first, that records what it is asked. */
function fakeCore(count: number) {
  const all = Array.from({ length: count }, (_, n) => incident(n));
  const asked: { name: string; input: unknown }[] = [];
  const client: DeskClient = {
    command: () => Promise.reject(new Error('no commands in this test')),
    query: ((name: string, input: { limit?: number; cursor?: string; id?: string }) => {
      asked.push({ name, input });
      if (name === 'incident.list') {
        // This fake's cursor is the position of the next row; the core's is opaque to the console too.
        const from = input.cursor === undefined ? 0 : Number(input.cursor);
        const to = from + (input.limit ?? 200);
        return Promise.resolve({
          items: all.slice(from, to),
          total: all.length,
          next: to < all.length ? String(to) : null,
        });
      }
      if (name === 'incident.get') {
        const found = all.find((item) => item.id === input.id);
        return found
          ? Promise.resolve({ ...found, status: 'dispatched', updatedAt: MORNING + 1 })
          : Promise.reject(new Error('gone'));
      }
      return Promise.reject(new Error(`not served here: ${name}`));
    }) as DeskClient['query'],
    subscribe: () => () => undefined,
  };
  return { client, asked, all };
}

describe('loading the incidents of a busy city', () => {
  it('shows the newest page at once, then puts the rest in with a handful of store updates', async () => {
    const { client, asked } = fakeCore(50_000);
    const store = createDeskStore();
    const sizes: number[] = [];
    store.subscribe((state, previous) => {
      if (state.incidents !== previous.incidents) sizes.push(Object.keys(state.incidents).length);
    });
    await loadIncidents(client, store, () => true);
    expect(sizes[0], 'the first store update should hold the newest page only').toBe(FIRST_PAGE);
    expect(Object.keys(store.getState().incidents), 'every open incident should end up loaded').toHaveLength(
      50_000,
    );
    expect(
      sizes.length,
      `50 pages should reach the store in a few batches, not one update per page (updates: ${sizes.join(', ')})`,
    ).toBeLessThanOrEqual(5);
    const pages = asked.map((call) => call.input as { cursor?: string });
    expect(pages[0]?.cursor, 'the newest page should be asked for first').toBeUndefined();
    expect(
      pages.slice(1).map((page) => page.cursor),
      'each later page should start from the cursor the page before it gave',
    ).toEqual(Array.from({ length: 50 }, (_, n) => String(FIRST_PAGE + n * 1000)));
  });

  it('stops putting pages in once a newer load has begun', async () => {
    const { client } = fakeCore(5_000);
    const store = createDeskStore();
    let current = true;
    const load = loadIncidents(client, store, () => current);
    current = false;
    await load;
    expect(Object.keys(store.getState().incidents), 'a superseded load should put nothing in').toHaveLength(
      0,
    );
  });

  it('never lets a page read before a live change undo that change', () => {
    const store = createDeskStore();
    const fresh = incident(1, { status: 'dispatched', updatedAt: MORNING + 5000 });
    store.getState().upsertIncidents([fresh]);
    store.getState().addIncidents([incident(1), incident(2)]);
    expect(store.getState().incidents.i1?.status, 'the dispatched incident reverted to received').toBe(
      'dispatched',
    );
    expect(store.getState().incidents.i2, 'the other incident of the page was not added').toBeDefined();
  });

  it('reads only the changed incidents by id when the core says they changed', async () => {
    const { client, asked } = fakeCore(3_000);
    const listeners = new Map<string, (payload: unknown) => void>();
    const live: ConsoleClient = {
      ...client,
      subscribe: ((event: string, listener: (payload: unknown) => void) => {
        listeners.set(event, listener);
        return () => listeners.delete(event);
      }) as DeskClient['subscribe'],
      onConnection: () => () => undefined,
      state: 'closed',
    };
    const store = createDeskStore();
    await loadIncidents(client, store, () => true);
    asked.length = 0;
    const stop = startLive(live, store);
    try {
      listeners.get('entity.changed')?.({ kind: 'incident', ids: ['i7', 'i9'] });
      await expect.poll(() => store.getState().incidents.i7?.status, { timeout: 5000 }).toBe('dispatched');
      expect(
        asked.filter((call) => call.name === 'incident.list'),
        'two changed incidents should not read the whole list again',
      ).toHaveLength(0);
      expect(asked.filter((call) => call.name === 'incident.get').map((call) => call.input)).toEqual([
        { id: 'i7' },
        { id: 'i9' },
      ]);
    } finally {
      stop();
    }
  });
});

describe('issuing an order the core refuses', () => {
  afterEach(() => {
    deskStore.setState(getEmptyState());
  });

  it('keeps the draft open and says why, in the operator language', async () => {
    const refusal = new DeskError('forbidden', '该卡点不在本单位辖区');
    const client: ConsoleClient = {
      command: () => Promise.reject(refusal),
      query: () => Promise.reject(new Error('no queries in this test')),
      subscribe: () => () => undefined,
      onConnection: () => () => undefined,
      state: 'open',
    };
    Object.assign(globalThis, { window: { desk: client } });
    const { issueDraft } = await import('../../src/renderer/app/actions');
    deskStore.getState().startDraft(
      {
        template: 'checkpoint_search',
        center: { lng: 109.0, lat: 32.7 },
        countyId: '610926',
        title: '设卡盘查',
        content: '',
        targets: [
          {
            targetKind: 'checkpoint',
            targetId: 'cp-1',
            name: '卡点一',
            nameEn: 'Checkpoint 1',
            location: { lng: 109.01, lat: 32.71 },
            countyId: '610926',
            distanceKm: 1,
            reason: 'checkpoint_in_radius',
          },
        ],
      },
      null,
    );
    expect(await issueDraft(), 'a refused order should not count as issued').toBe(false);
    const state = deskStore.getState();
    expect(state.draft?.title, 'the draft should stay open after the refusal').toBe('设卡盘查');
    expect(state.draftError, 'the refusal should be kept beside the draft').not.toBeNull();
    const shown = renderMessage('zh-CN', state.draftError ?? { key: 'common.none' });
    expect(shown, 'the refusal should name its kind and carry the core message').toContain(
      '该卡点不在本单位辖区',
    );
    expect(renderMessage('en', state.draftError ?? { key: 'common.none' })).toContain('Not allowed');
  });
});
