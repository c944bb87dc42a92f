// Applying the server's changes to a workstation store: upsert or remove each replicated record through the db
// modules, and keep the per-partition record hashes the partition checksum is made of.
import type {
  Case,
  Checkpoint,
  CheckpointCheck,
  EntityRef,
  Incident,
  IncidentLink,
  Order,
  OrderFeedback,
  TimelineEntry,
  Unit,
  Warning,
  WatchEntry,
} from '../../shared/domain/model';
import type { Change, ChangeKind, Conflict, PartitionId } from '../../shared/sync';
import { putCase } from '../db/cases';
import { deleteCheck, putCheck } from '../db/checkpoint-checks';
import { putCheckpoint } from '../db/checkpoints';
import { deleteConflict, putConflict } from '../db/conflicts';
import { prepared, type DB } from '../db/connection';
import { deleteIncident, putIncident, putNewIncident } from '../db/incidents';
import { addFeedback, deleteOrder, putOrder } from '../db/orders';
import { addRef } from '../db/timeline';
import { putUnit } from '../db/units';
import { deleteWarning, putWarning } from '../db/warnings';
import { deleteWatchEntry, putWatchEntry } from '../db/watch-entries';
import { EMPTY_CHECKSUM, recordHash, snapshotRecord, type RunningChecksum } from './checksum';
import { getSyncMeta, setSyncMeta } from './status';

export interface PartitionState {
  partition: PartitionId;
  cursor: number;
  checksum: string;
}

export function partitionStates(db: DB): Map<PartitionId, PartitionState> {
  const rows = prepared(db, 'SELECT partition, cursor, checksum FROM sync_state').all() as PartitionState[];
  return new Map(rows.map((row) => [row.partition, row]));
}

export function savePartitionState(db: DB, state: PartitionState, head: number): void {
  prepared(
    db,
    `INSERT INTO sync_state (partition, cursor, checksum, head) VALUES (?, ?, ?, ?)
     ON CONFLICT (partition) DO UPDATE SET cursor = excluded.cursor, checksum = excluded.checksum, head = excluded.head`,
  ).run(state.partition, state.cursor, state.checksum, head);
}

function removeLocally(db: DB, kind: ChangeKind, id: string): void {
  switch (kind) {
    case 'incident':
      // Its children travel with it (they are in the same partition) and are removed with it. A link *to* it from
      // another incident is that incident's record, in that incident's partition: the server keeps it there, so
      // removing it here would make the partition differ and be downloaded again at every re-hash.
      // A child another partition holds stays: an incident moving between counties may arrive in its new partition
      // child by child, over several answers, while its old partition's delete comes in one (a catch-up in pages).
      prepared(
        db,
        `DELETE FROM timeline WHERE incident_id = ?
           AND NOT EXISTS (SELECT 1 FROM sync_records s WHERE s.kind = 'timeline' AND s.id = timeline.id)`,
      ).run(id);
      prepared(
        db,
        `DELETE FROM incident_links WHERE incident_id = ? AND NOT EXISTS (SELECT 1 FROM sync_records s
           WHERE s.kind = 'incident_link' AND s.id = incident_links.incident_id || '/' || incident_links.other_id)`,
      ).run(id);
      prepared(
        db,
        `DELETE FROM refs WHERE entity_kind = 'incident' AND entity_id = ?
           AND NOT EXISTS (SELECT 1 FROM sync_records s WHERE s.kind = 'ref' AND s.id = refs.id)`,
      ).run(id);
      deleteIncident(db, id);
      return;
    case 'order':
      deleteOrder(db, id);
      return;
    case 'unit':
      prepared(db, 'DELETE FROM units WHERE id = ?').run(id);
      return;
    case 'checkpoint':
      prepared(db, 'DELETE FROM checkpoints WHERE id = ?').run(id);
      return;
    case 'case':
      prepared(db, 'DELETE FROM case_incidents WHERE case_id = ?').run(id);
      prepared(db, "DELETE FROM refs WHERE entity_kind = 'case' AND entity_id = ?").run(id);
      prepared(db, 'DELETE FROM cases WHERE id = ?').run(id);
      return;
    case 'timeline':
      prepared(db, 'DELETE FROM timeline WHERE id = ?').run(id);
      return;
    case 'feedback':
      prepared(db, 'DELETE FROM order_feedback WHERE id = ?').run(id);
      return;
    case 'ref':
      prepared(db, 'DELETE FROM refs WHERE id = ?').run(id);
      return;
    case 'incident_link': {
      const slash = id.indexOf('/');
      if (slash > 0)
        prepared(db, 'DELETE FROM incident_links WHERE incident_id = ? AND other_id = ?').run(
          id.slice(0, slash),
          id.slice(slash + 1),
        );
      return;
    }
    case 'conflict':
      deleteConflict(db, id);
      return;
    case 'watch_entry':
      deleteWatchEntry(db, id);
      return;
    case 'check':
      deleteCheck(db, id);
      return;
    case 'warning':
      deleteWarning(db, id);
      return;
  }
}

/**
 * Writes a record; `held` says whether this partition already held it, so a new one is written insert-first.
 * True when an incident row was inserted: the store did not hold that incident before (other kinds: false).
 */
function putLocally(db: DB, kind: ChangeKind, record: unknown, held: boolean): boolean {
  switch (kind) {
    case 'incident':
      if (!held) return putNewIncident(db, record as Incident);
      putIncident(db, record as Incident);
      return false;
    case 'order':
      putOrder(db, record as Order);
      return false;
    case 'unit':
      putUnit(db, record as Unit);
      return false;
    case 'checkpoint':
      putCheckpoint(db, record as Checkpoint);
      return false;
    case 'case': {
      const value = record as Case;
      putCase(db, value);
      // Links are a union on the server too; a re-download must not keep a link the server does not have.
      const keep = new Set(value.incidentIds);
      const current = prepared(db, 'SELECT incident_id FROM case_incidents WHERE case_id = ?').all(
        value.id,
      ) as {
        incident_id: string;
      }[];
      for (const row of current)
        if (!keep.has(row.incident_id))
          prepared(db, 'DELETE FROM case_incidents WHERE case_id = ? AND incident_id = ?').run(
            value.id,
            row.incident_id,
          );
      return false;
    }
    case 'timeline': {
      const entry = record as TimelineEntry;
      prepared(
        db,
        'INSERT OR REPLACE INTO timeline (id, incident_id, at, kind, text, by, data) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ).run(
        entry.id,
        entry.incidentId,
        entry.at,
        entry.kind,
        entry.text,
        entry.by,
        JSON.stringify(entry.data),
      );
      return false;
    }
    case 'feedback':
      prepared(db, 'DELETE FROM order_feedback WHERE id = ?').run((record as OrderFeedback).id);
      addFeedback(db, record as OrderFeedback);
      return false;
    case 'ref':
      prepared(db, 'DELETE FROM refs WHERE id = ?').run((record as EntityRef).id);
      addRef(db, record as EntityRef);
      return false;
    case 'incident_link': {
      const link = record as IncidentLink;
      prepared(
        db,
        'INSERT OR REPLACE INTO incident_links (incident_id, other_id, kind, at, by) VALUES (?, ?, ?, ?, ?)',
      ).run(link.incidentId, link.otherId, link.kind, link.at, link.by);
      return false;
    }
    case 'conflict':
      putConflict(db, record as Conflict);
      return false;
    case 'watch_entry':
      putWatchEntry(db, record as WatchEntry);
      return false;
    case 'check':
      putCheck(db, record as CheckpointCheck);
      return false;
    case 'warning':
      putWarning(db, record as Warning);
      return false;
  }
}

/** Is the record still held by some readable partition? One probe of sync_records' (kind, id, partition) key. */
function heldAnywhere(db: DB, kind: ChangeKind, id: string): boolean {
  return (
    prepared(db, 'SELECT 1 FROM sync_records WHERE kind = ? AND id = ? LIMIT 1').get(kind, id) !== undefined
  );
}

/**
 * Applies one change of a partition and updates the partition's running checksum with the hash the server sent
 * (checked against the record before the page's transaction began). A put is written insert-first: most pulled
 * records are new to the partition, and then one statement does what a read and a write did. A delete drops the
 * partition's hold on the record at once and adds the change to `deleted`: the caller removes the record at the end
 * of the answer (removeUnheld), if no readable partition holds it then. A record moving between two counties the
 * city reads arrives as a delete in one and a put in the other, in either order; removed in between, it came back
 * as new (announced again) without the links other incidents hold to it. True when the change brought an incident
 * this store did not hold (so the caller can announce it without reading the store first).
 */
export function applyChange(db: DB, change: Change, checksum: RunningChecksum, deleted: Change[]): boolean {
  if (change.op === 'put') {
    const added =
      prepared(db, 'INSERT OR IGNORE INTO sync_records (kind, id, partition, hash) VALUES (?, ?, ?, ?)').run(
        change.kind,
        change.id,
        change.partition,
        change.hash,
      ).changes > 0;
    if (!added) {
      const held = heldHash(db, change);
      if (held === undefined)
        throw new Error(`the hash of ${change.kind} ${change.id} could be neither stored nor found`);
      checksum.toggle(held);
      prepared(db, 'UPDATE sync_records SET hash = ? WHERE kind = ? AND id = ? AND partition = ?').run(
        change.hash,
        change.kind,
        change.id,
        change.partition,
      );
    }
    checksum.toggle(change.hash);
    return putLocally(db, change.kind, change.record, !added);
  }
  const held = heldHash(db, change);
  if (held !== undefined) {
    checksum.toggle(held);
    prepared(db, 'DELETE FROM sync_records WHERE kind = ? AND id = ? AND partition = ?').run(
      change.kind,
      change.id,
      change.partition,
    );
  }
  deleted.push(change);
  return false;
}

/** Removes the records an answer deleted that no readable partition holds any more (see applyChange). */
export function removeUnheld(db: DB, deleted: readonly Change[]): void {
  for (const { kind, id } of deleted) if (!heldAnywhere(db, kind, id)) removeLocally(db, kind, id);
}

function heldHash(db: DB, change: Change): string | undefined {
  const row = prepared(db, 'SELECT hash FROM sync_records WHERE kind = ? AND id = ? AND partition = ?').get(
    change.kind,
    change.id,
    change.partition,
  ) as { hash: string } | undefined;
  return row?.hash;
}

/**
 * Forgets a partition before re-downloading it: its records go unless another partition holds them, and its
 * cursor and checksum start again from zero. Its records are found by a scan of sync_records (keyed by record
 * first): a re-download is rare, and every pulled change is cheaper for that key.
 */
export function resetPartition(db: DB, partition: PartitionId): void {
  const records = prepared(db, 'SELECT kind, id FROM sync_records WHERE partition = ?').all(partition) as {
    kind: ChangeKind;
    id: string;
  }[];
  prepared(db, 'DELETE FROM sync_records WHERE partition = ?').run(partition);
  for (const record of records)
    if (!heldAnywhere(db, record.kind, record.id)) removeLocally(db, record.kind, record.id);
  savePartitionState(db, { partition, cursor: 0, checksum: EMPTY_CHECKSUM }, 0);
}

/**
 * Re-hashes up to `limit` held records from the store's tables, going on from where the previous call stopped,
 * and returns the partitions holding one that no longer hashes to what the server sent (or is gone). The running
 * checksums are made of the server's hashes, so they catch a missed or doubled change but not a row that was
 * changed here afterwards; this does. Only meaningful while nothing is pending: a pending command's record
 * differs from the server's on purpose.
 */
export function verifyHeldRecords(db: DB, limit: number): Set<PartitionId> {
  const position = getSyncMeta(db, 'verify_position');
  const [kind, id, partition] = position ? (JSON.parse(position) as [string, string, string]) : ['', '', ''];
  const rows = prepared(
    db,
    `SELECT kind, id, partition, hash FROM sync_records WHERE (kind, id, partition) > (?, ?, ?)
     ORDER BY kind, id, partition LIMIT ?`,
  ).all(kind, id, partition, limit) as { partition: string; kind: ChangeKind; id: string; hash: string }[];
  const diverged = new Set<PartitionId>();
  for (const row of rows) {
    const record = snapshotRecord(db, row.kind, row.id);
    if (record === undefined || recordHash(row.kind, row.id, record) !== row.hash)
      diverged.add(row.partition);
  }
  const last = rows.at(-1);
  // A short slice reached the end: the next call starts again from the first record.
  setSyncMeta(
    db,
    'verify_position',
    last && rows.length === limit ? JSON.stringify([last.kind, last.id, last.partition]) : null,
  );
  return diverged;
}
