// Sync status and the rejection inbox as the contract shows them: read from the store, plus the live mode of the
// sync client attached to that store (a store without one is standalone).
import type { Rejection, SyncStatus } from '../../shared/contract';
import { DeskError, type ErrorInfo } from '../../shared/errors';
import { listOpenConflicts } from '../db/conflicts';
import { prepared, type DB } from '../db/connection';
import { outboxStats } from '../db/outbox';

type Mode = SyncStatus['mode'];

const attached = new WeakMap<DB, () => Mode>();

/** A sync client tells the queries of its store which mode it is in; the returned function detaches it. */
export function attachSyncMode(db: DB, mode: () => Mode): () => void {
  attached.set(db, mode);
  return () => {
    if (attached.get(db) === mode) attached.delete(db);
  };
}

export function getSyncMeta(db: DB, key: string): string | undefined {
  return (prepared(db, 'SELECT value FROM sync_meta WHERE key = ?').get(key) as { value: string } | undefined)
    ?.value;
}

export function setSyncMeta(db: DB, key: string, value: string | null): void {
  if (value === null) prepared(db, 'DELETE FROM sync_meta WHERE key = ?').run(key);
  else
    prepared(
      db,
      'INSERT INTO sync_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    ).run(key, value);
}

/** The status in the scope of the given counties (undefined = all): conflicts count only what the operator may see. */
export function syncStatus(db: DB, countyIds?: string[]): SyncStatus {
  const { pending, oldestAt } = outboxStats(db);
  const lastSync = getSyncMeta(db, 'last_sync_at');
  const rejections = (
    prepared(db, 'SELECT count(*) AS n FROM rejections WHERE dismissed = 0').get() as { n: number }
  ).n;
  return {
    mode: attached.get(db)?.() ?? 'standalone',
    pending,
    oldestPendingAt: oldestAt,
    lastSyncAt: lastSync === undefined ? null : Number(lastSync),
    lastError: getSyncMeta(db, 'last_error') ?? null,
    conflicts: listOpenConflicts(db, countyIds).length,
    rejections,
  };
}

interface RejectionRow {
  command_id: string;
  counter: number;
  name: string;
  input: string;
  operator_id: string;
  error: string;
  at: number;
  rejected_at: number;
  dismissed: number;
}

function rowToRejection(row: RejectionRow): Rejection {
  return {
    commandId: row.command_id,
    counter: row.counter,
    name: row.name,
    input: JSON.parse(row.input) as unknown,
    operatorId: row.operator_id,
    at: row.at,
    error: JSON.parse(row.error) as ErrorInfo,
    rejectedAt: row.rejected_at,
    dismissed: row.dismissed === 1,
  };
}

export function addRejection(db: DB, rejection: Omit<Rejection, 'dismissed'>): void {
  db.prepare(
    `INSERT OR IGNORE INTO rejections (command_id, counter, name, input, operator_id, error, at, rejected_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    rejection.commandId,
    rejection.counter,
    rejection.name,
    JSON.stringify(rejection.input ?? null),
    rejection.operatorId,
    JSON.stringify(rejection.error),
    rejection.at,
    rejection.rejectedAt,
  );
}

export function listRejections(db: DB, includeDismissed = false): Rejection[] {
  const rows = db
    .prepare(
      `SELECT * FROM rejections ${includeDismissed ? '' : 'WHERE dismissed = 0'} ORDER BY rejected_at DESC, counter DESC`,
    )
    .all() as RejectionRow[];
  return rows.map(rowToRejection);
}

export function dismissRejection(db: DB, commandId: string): Rejection[] {
  const result = db.prepare('UPDATE rejections SET dismissed = 1 WHERE command_id = ?').run(commandId);
  if (result.changes === 0)
    throw new DeskError('not_found', `no rejected command ${commandId} on this workstation`, {
      kind: 'rejection',
      id: commandId,
    });
  return listRejections(db);
}
