// The warnings side of the console: keeping warnings and the watch list in step with the workstation, the alarm
// when a warning is raised (here or, through sync, anywhere in the jurisdiction), and the panel's actions.
import type { CommandInput } from '../../shared/contract';
import type { Warning } from '../../shared/domain/model';
import { getDeskClient, type ConsoleClient } from '../client';
import type { Message } from '../i18n';
import { deskStore, type DeskStore } from '../store';
import { notify, reportError } from './live';

/** The warnings the console holds: the newest few hundred (open ones are few; handled ones age out). */
const WARNINGS_LOADED = 500;
const WATCH_LOADED = 1000;
const REFRESH_MS = 300;

async function loadWarnings(client: ConsoleClient, store: DeskStore): Promise<void> {
  const { items } = await client.query('warning.list', { limit: WARNINGS_LOADED });
  store.getState().setWarnings(items);
}

async function loadWatchList(client: ConsoleClient, store: DeskStore): Promise<void> {
  const { items } = await client.query('watch.list', { limit: WATCH_LOADED });
  store.getState().setWatchEntries(items);
}

/** The alarm a warning raises: seen in the banner, heard unless muted, and leading to the warning when chosen. */
export function warningAlert(store: DeskStore, warning: Warning): void {
  const checkpoint = store.getState().checkpoints[warning.checkpointId];
  const message: Message = {
    key: 'alert.warning',
    vars: {
      level: { key: `watchLevel.${warning.level}` },
      checkpoint: checkpoint
        ? { name: checkpoint.name, nameEn: checkpoint.nameEn }
        : { name: warning.checkpointId, nameEn: warning.checkpointId },
      kind: { key: `watchKind.${warning.kind}` },
      value: warning.value,
      reason: warning.reason,
    },
  };
  store.getState().pushAlert({
    id: `warning-${warning.id}`,
    kind: 'warning',
    message,
    at: warning.raisedAt,
    ref: { kind: 'warning', id: warning.id },
  });
}

/** Starts keeping warnings, checks and the watch list live; returns the undo (every subscription and timer). */
export function startWarningsLive(client: ConsoleClient, store: DeskStore): () => void {
  const undo: (() => void)[] = [];
  const dirty = new Set<'warning' | 'watch_entry' | 'check'>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  const fail = (error: unknown): void => reportError(store, error);
  const loadAll = (): Promise<unknown> =>
    Promise.all([loadWarnings(client, store), loadWatchList(client, store)]);

  const flush = async (): Promise<void> => {
    timer = null;
    const kinds = new Set(dirty);
    dirty.clear();
    if (kinds.has('check')) store.getState().checksChanged();
    await Promise.all([
      kinds.has('warning') ? loadWarnings(client, store) : undefined,
      kinds.has('watch_entry') ? loadWatchList(client, store) : undefined,
    ]);
  };

  undo.push(
    client.subscribe('entity.changed', ({ kind }) => {
      if (kind !== 'warning' && kind !== 'watch_entry' && kind !== 'check') return;
      dirty.add(kind);
      timer ??= setTimeout(() => void flush().catch(fail), REFRESH_MS);
    }),
  );
  undo.push(
    client.subscribe('warning.raised', ({ warning }) => {
      store.getState().upsertWarnings([warning]);
      warningAlert(store, warning);
    }),
  );
  undo.push(
    client.onConnection((state) => {
      if (state === 'open') void loadAll().catch(fail);
    }),
  );
  if (client.state === 'open') void loadAll().catch(fail);
  undo.push(() => {
    if (timer) clearTimeout(timer);
  });
  return () => undo.splice(0).forEach((fn) => fn());
}

async function attempt<T>(work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (error) {
    reportError(deskStore, error);
    return undefined;
  }
}

/** Shows a warning: selected everywhere, the map brought to its checkpoint, the warnings panel in front. */
export function showWarning(id: string): void {
  const state = deskStore.getState();
  state.select({ kind: 'warning', id });
  const warning = state.warnings[id];
  if (warning) state.focusOn(warning.location);
  state.showPanel('warnings');
}

export async function acknowledgeWarning(id: string): Promise<void> {
  const warning = await attempt(() => getDeskClient().command('warning.acknowledge', { id }));
  if (!warning) return;
  deskStore.getState().upsertWarnings([warning]);
  // Signed for here: its alarm has been answered too.
  deskStore.getState().acknowledge(`warning-${id}`);
}

export async function handleWarning(id: string, note: string): Promise<boolean> {
  const warning = await attempt(() => getDeskClient().command('warning.handle', { id, note }));
  if (!warning) return false;
  deskStore.getState().upsertWarnings([warning]);
  deskStore.getState().acknowledge(`warning-${id}`);
  return true;
}

export async function linkWarningIncident(id: string, incidentId: string): Promise<void> {
  const warning = await attempt(() => getDeskClient().command('warning.linkIncident', { id, incidentId }));
  if (warning) deskStore.getState().upsertWarnings([warning]);
}

/** Logs a check; what it raised is announced by the workstation (warning.raised) like any other warning. */
export async function logCheck(input: CommandInput<'checkpoint.logCheck'>): Promise<boolean> {
  const result = await attempt(() => getDeskClient().command('checkpoint.logCheck', input));
  if (!result) return false;
  const state = deskStore.getState();
  state.upsertWarnings(result.warnings);
  state.checksChanged();
  const checkpoint = state.checkpoints[input.checkpointId];
  const name = checkpoint
    ? { name: checkpoint.name, nameEn: checkpoint.nameEn }
    : { name: input.checkpointId, nameEn: input.checkpointId };
  if (result.warnings.length === 0)
    notify(deskStore, 'info', { key: 'check.logged', vars: { checkpoint: name } });
  else notify(deskStore, 'info', { key: 'check.hit', vars: { checkpoint: name, n: result.warnings.length } });
  return true;
}

export async function addWatchEntry(input: CommandInput<'watch.add'>): Promise<boolean> {
  const entry = await attempt(() => getDeskClient().command('watch.add', input));
  if (!entry) return false;
  await attempt(() => loadWatchList(getDeskClient(), deskStore));
  notify(deskStore, 'info', { key: 'watch.added', vars: { value: entry.value } });
  return true;
}

export async function setWatchActive(id: string, active: boolean): Promise<void> {
  const entry = await attempt(() => getDeskClient().command('watch.setActive', { id, active }));
  if (entry) await attempt(() => loadWatchList(getDeskClient(), deskStore));
}
