// Keeps the store in step with the workstation: first load, refetch on entity.changed, alarms on events.
import type { DeskClient, QueryResult } from '../../shared/contract';
import type { EntityKind, Incident } from '../../shared/domain/model';
import { toErrorInfo } from '../../shared/errors';
import type { Message, MessageKey } from '../i18n';
import type { ConsoleClient } from '../client';
import type { DeskStore } from '../store';
import { targetNames } from '../store/names';
import { conflictValueVar, echoOf } from '../store/sync';

/** The queue's first page: many screens of it, read and drawn at once while the map is still starting. */
export const FIRST_PAGE = 250;
const PAGE = 1000;
/** The map and queue hold at most this many incidents; beyond it the oldest pages are not loaded. */
const MAX_LOADED = 60_000;
const REFRESH_MS = 300;
/** Background pages are put into the store this many incidents at a time: every store update re-sorts the queue. */
const BATCH_ROWS = 16_000;
/** Past this many changed incidents in one burst, reading the list again is cheaper than one get each. */
const REFETCH_IDS_MAX = 2000;
const GETS_AT_ONCE = 50;
/** The longest the bulk load waits for the map's first drawing. */
const MAP_WAIT_MS = 10_000;

/**
 * Loads the incidents of the current scope: the newest page at once (the queue is usable on it), then the rest
 * in the background, page after page from each page's cursor (the core reads each page along an index, where
 * an offset made it sort and skip everything before), folded into one store update per batch so the console
 * never re-sorts per page.
 */
export async function loadIncidents(
  client: DeskClient,
  store: DeskStore,
  isCurrent: () => boolean,
): Promise<void> {
  const { incidentFilter } = store.getState();
  const scope = {
    status: incidentFilter.statuses.length > 0 ? incidentFilter.statuses : undefined,
    from:
      incidentFilter.withinHours !== null ? Date.now() - incidentFilter.withinHours * 3_600_000 : undefined,
  };
  const first = await client.query('incident.list', { ...scope, limit: FIRST_PAGE });
  if (!isCurrent()) return;
  store.getState().setIncidents(first.items, first.total);
  const end = Math.min(first.total, MAX_LOADED);
  let loaded = first.items.length;
  if (!first.next || loaded >= end) return;
  await mapDrawn(store);
  if (!isCurrent()) return;
  const read = (cursor: string): Promise<QueryResult<'incident.list'>> =>
    client.query('incident.list', { ...scope, limit: PAGE, cursor });
  let pending: Incident[] = [];
  let next: Promise<QueryResult<'incident.list'>> | null = read(first.next);
  while (next) {
    const page: QueryResult<'incident.list'> = await next;
    if (!isCurrent()) return;
    loaded += page.items.length;
    // The next page is asked for before this one is put away, so the core reads while the page works.
    next = page.next && loaded < end ? read(page.next) : null;
    for (const incident of page.items) pending.push(incident);
    if (pending.length >= BATCH_ROWS) {
      store.getState().addIncidents(pending);
      pending = [];
    }
  }
  if (pending.length > 0) store.getState().addIncidents(pending);
}

/**
 * Resolves once no map in this window is still drawing its basemap (or after a while regardless): the bulk of
 * the incidents can wait a moment, the map the operator looks at should not compete with them for the CPU.
 */
function mapDrawn(store: DeskStore): Promise<void> {
  if (store.getState().mapLoading !== 'loading') return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      unsubscribe();
      resolve();
    };
    const timer = setTimeout(done, MAP_WAIT_MS);
    const unsubscribe = store.subscribe((state) => {
      if (state.mapLoading !== 'loading') done();
    });
  });
}

/**
 * Reads the changed incidents one by one, a bounded number at a time, and puts them in with one update; those
 * the workstation no longer holds (not_found: moved out of this console's counties by sync) leave the store.
 */
async function refetchIncidents(client: DeskClient, store: DeskStore, ids: string[]): Promise<void> {
  const found: Incident[] = [];
  const gone: string[] = [];
  for (let start = 0; start < ids.length; start += GETS_AT_ONCE) {
    const batch = ids.slice(start, start + GETS_AT_ONCE);
    const results = await Promise.allSettled(batch.map((id) => client.query('incident.get', { id })));
    results.forEach((result, i) => {
      if (result.status === 'fulfilled') found.push(result.value);
      else if (toErrorInfo(result.reason).code === 'not_found') gone.push(batch[i] ?? '');
    });
  }
  if (found.length > 0 || gone.length > 0) store.getState().replaceIncidents(found, gone);
}

async function loadOrders(client: DeskClient, store: DeskStore): Promise<void> {
  const actor = store.getState().actor;
  const [orders, inbox, overdue] = await Promise.all([
    client.query('order.list', { limit: 500 }),
    actor?.orgId ? client.query('order.inbox', { includeDone: true }) : Promise.resolve([]),
    client.query('order.overdue', {}),
  ]);
  const state = store.getState();
  state.setOrders(orders.items);
  state.setInbox(inbox);
  state.setOverdue(overdue);
}

async function loadUnits(client: DeskClient, store: DeskStore): Promise<void> {
  store.getState().setUnits(await client.query('unit.list', {}));
}

async function loadCheckpoints(client: DeskClient, store: DeskStore): Promise<void> {
  store.getState().setCheckpoints(await client.query('checkpoint.list', {}));
}

/** Sync state, the rejection inbox and open conflicts; the lists only once a server is configured (#3). */
export async function loadSync(client: DeskClient, store: DeskStore): Promise<void> {
  const status = await client.query('sync.status', {});
  store.getState().setSync(status);
  if (status.mode === 'standalone' && status.rejections === 0 && status.conflicts === 0) {
    store.getState().setRejections([]);
    store.getState().setConflicts([]);
    return;
  }
  const [rejections, conflicts] = await Promise.all([
    client.query('sync.rejections', {}),
    client.query('sync.conflicts', {}),
  ]);
  const before = new Set(store.getState().conflicts.map((c) => c.id));
  store.getState().setRejections(rejections);
  store.getState().setConflicts(conflicts);
  // A 'mine' this console chose that came back as a new conflict (the field changed again meanwhile, here or on
  // the server): say so, or the operator takes the repeated row for one they already settled.
  const state = store.getState();
  for (const conflict of state.conflicts) {
    if (before.has(conflict.id) || !echoOf(conflict, state.settledMine)) continue;
    const incident = conflict.kind === 'incident' ? state.incidents[conflict.entityId] : undefined;
    const kind: MessageKey = `conflict.kind.${conflict.kind}`;
    notify(store, 'error', {
      key: 'conflict.echoNotice',
      vars: {
        subject: incident ? `${incident.number}` : { key: kind },
        field: { key: `conflict.field.${conflict.field}` },
        theirs: conflictValueVar(conflict, conflict.theirs, state.region?.orgs ?? []),
      },
    });
  }
}

/** A notice (error or confirmation) for the banner; translated when shown. */
export function notify(store: DeskStore, kind: 'error' | 'info', message: Message): void {
  store.getState().pushAlert({
    id: `${kind}-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`,
    kind,
    message,
    at: Date.now(),
    ref: null,
  });
}

/** A failed call: its kind in the operator's language, then the workstation's own words on it. */
export function reportError(store: DeskStore, error: unknown): void {
  notify(store, 'error', errorNotice(error));
}

/** A failed call as a message: its error code's label, then the workstation's (or server's) own words. */
export function errorNotice(error: unknown): Message {
  const info = toErrorInfo(error);
  const kind: MessageKey = `error.${info.code}`;
  return { key: 'error.notice', vars: { kind: { key: kind }, detail: info.message } };
}

/** Starts the live link; returns its undo (every subscription and timer). */
export function startLive(client: ConsoleClient, store: DeskStore): () => void {
  const undo: (() => void)[] = [];
  let generation = 0;
  const dirty = new Set<EntityKind>();
  const dirtyIncidents = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | null = null;

  const fail = (error: unknown): void => reportError(store, error);

  async function loadAll(): Promise<void> {
    const mine = ++generation;
    // Nothing below waits for the session: the map and the queue fill as soon as their own data arrives.
    const session = Promise.all([client.query('session.get', {}), client.query('region.get', {})]).then(
      ([actor, region]) => {
        if (mine === generation) store.getState().setSession(actor, region);
      },
    );
    await Promise.all([
      session,
      loadIncidents(client, store, () => mine === generation),
      loadUnits(client, store),
      loadCheckpoints(client, store),
      // The inbox depends on who is signed in.
      session.then(() => loadOrders(client, store)),
      loadSync(client, store).catch(() => undefined),
    ]);
  }

  async function flush(): Promise<void> {
    timer = null;
    const kinds = new Set(dirty);
    const ids = [...dirtyIncidents];
    dirty.clear();
    dirtyIncidents.clear();
    const work: Promise<unknown>[] = [];
    if (kinds.has('incident')) {
      if (ids.length > REFETCH_IDS_MAX) {
        const mine = ++generation;
        work.push(loadIncidents(client, store, () => mine === generation));
      } else work.push(refetchIncidents(client, store, ids));
    }
    if (kinds.has('unit')) work.push(loadUnits(client, store));
    if (kinds.has('checkpoint')) work.push(loadCheckpoints(client, store));
    if (kinds.has('order') || kinds.has('incident')) work.push(loadOrders(client, store));
    work.push(loadSync(client, store).catch(() => undefined));
    await Promise.all(work);
  }

  undo.push(
    client.subscribe('entity.changed', (payload) => {
      dirty.add(payload.kind);
      if (payload.kind === 'incident') payload.ids.forEach((id) => dirtyIncidents.add(id));
      // Bursts (a thousand units moving) are folded into one refetch per kind.
      timer ??= setTimeout(() => void flush().catch(fail), REFRESH_MS);
    }),
  );
  undo.push(
    client.subscribe('incident.created', ({ incident }) => {
      store.getState().upsertIncidents([incident]);
      if (incident.priority !== 1) return;
      store.getState().pushAlert({
        id: `p1-${incident.id}`,
        kind: 'priority1',
        message: { key: 'alert.priority1', vars: { number: incident.number, address: incident.address } },
        at: incident.receivedAt,
        ref: { kind: 'incident', id: incident.id },
      });
    }),
  );
  undo.push(
    client.subscribe('order.overdue', ({ order, target, overdue, level }) => {
      store.getState().upsertOrder(order);
      store.getState().pushAlert({
        id: `overdue-${order.id}-${target.targetId}`,
        kind: 'overdue',
        message: {
          key: overdue === 'sign' ? 'alert.overdueSign' : 'alert.overdueFinish',
          vars: {
            template: { key: `template.${order.template}` },
            title: order.title,
            target: targetNames(store.getState(), target.targetKind, target.targetId, target.name),
            level,
          },
        },
        at: Date.now(),
        ref: { kind: 'order', id: order.id },
      });
    }),
  );
  undo.push(
    client.subscribe('sync.status', (status) => {
      const before = store.getState().sync;
      store.getState().setSync(status);
      // The inbox lists change when their counts do (a rejection or conflict arrived or was settled).
      if (before.rejections !== status.rejections || before.conflicts !== status.conflicts)
        void loadSync(client, store).catch(fail);
    }),
  );
  undo.push(
    client.onConnection((state) => {
      store.getState().setConnection(state);
      // Events may have been missed while the link was down: read everything again.
      if (state === 'open') void loadAll().catch(fail);
    }),
  );
  store.getState().setConnection(client.state);
  // A socket loads on its first 'open'; IPC is open from the start.
  if (client.state === 'open') void loadAll().catch(fail);

  const clock = setInterval(() => store.getState().tick(Date.now()), 1000);
  store.getState().tick(Date.now());
  undo.push(() => clearInterval(clock));
  undo.push(() => {
    if (timer) clearTimeout(timer);
  });

  // Changing the status or time scope of the queue changes what must be loaded.
  undo.push(
    store.subscribe((state, previous) => {
      const a = state.incidentFilter;
      const b = previous.incidentFilter;
      if (a.statuses.join() !== b.statuses.join() || a.withinHours !== b.withinHours) {
        const mine = ++generation;
        void loadIncidents(client, store, () => mine === generation).catch(fail);
      }
    }),
  );
  return () => undo.splice(0).forEach((fn) => fn());
}
