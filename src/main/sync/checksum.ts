// Partition digests shared by the server and the workstations: what a replicated record looks like, which
// partition it lives in, and an order-independent checksum (XOR of per-record sha256) over a partition.
import type { ChangeKind } from '../../shared/sync';
import { incidentLinkId } from '../../shared/sync';
import { canonicalJson } from '../../shared/canonical';
import { recordHash } from './record-hash';
import { getCase } from '../db/cases';
import { getCheck } from '../db/checkpoint-checks';
import { getCheckpoint } from '../db/checkpoints';
import { getConflict } from '../db/conflicts';
import { prepared, type DB } from '../db/connection';
import { getIncident, getIncidentLink, listIncidentLinks } from '../db/incidents';
import { getFeedback, getOrder, listFeedback } from '../db/orders';
import { getRef, getTimelineEntry, listRefs, listTimeline } from '../db/timeline';
import { getUnit } from '../db/units';
import { getWarning } from '../db/warnings';
import { getWatchEntry } from '../db/watch-entries';

/** The checksum of an empty partition. */
export const EMPTY_CHECKSUM = '0'.repeat(64);

/** Record text and hashes are canonical JSON (src/shared/canonical.ts); sync and tests import it from here. */
export { canonicalJson };
/** Record hashes live in record-hash.ts (no store imports: the pull reader's worker loads it). */
export { loggedRecord, matchesHash, recordHash } from './record-hash';

/** A partition checksum updated in place: each record hash is XORed in when it arrives, out when it leaves. */
export class RunningChecksum {
  private readonly bytes: Buffer;

  constructor(hex: string) {
    this.bytes = Buffer.from(hex, 'hex');
  }

  toggle(hashHex: string): void {
    const other = Buffer.from(hashHex, 'hex');
    for (let i = 0; i < 32; i += 1) this.bytes[i] = (this.bytes[i] ?? 0) ^ (other[i] ?? 0);
  }

  toString(): string {
    return this.bytes.toString('hex');
  }
}

/** The record as it replicates, or undefined when it does not exist in this store. */
export function snapshotRecord(db: DB, kind: ChangeKind, id: string): unknown {
  switch (kind) {
    case 'incident':
      return getIncident(db, id);
    case 'order':
      return getOrder(db, id);
    case 'unit':
      return getUnit(db, id);
    case 'checkpoint':
      return getCheckpoint(db, id);
    case 'case':
      return getCase(db, id);
    case 'conflict':
      return getConflict(db, id);
    case 'timeline':
      return getTimelineEntry(db, id);
    case 'feedback':
      return getFeedback(db, id);
    case 'ref':
      return getRef(db, id);
    case 'incident_link': {
      const slash = id.indexOf('/');
      return slash < 0 ? undefined : getIncidentLink(db, id.slice(0, slash), id.slice(slash + 1));
    }
    case 'watch_entry':
      return getWatchEntry(db, id);
    case 'check':
      return getCheck(db, id);
    case 'warning':
      return getWarning(db, id);
  }
}

function countyOf(db: DB, table: 'incidents' | 'orders' | 'cases', id: string): string | undefined {
  return (
    prepared(db, `SELECT county_id FROM ${table} WHERE id = ?`).get(id) as { county_id: string } | undefined
  )?.county_id;
}

/**
 * The partition a record lives in: its own county for the main records, its parent's current county for
 * the append-only children. Undefined for an orphan (its parent is not in this store).
 */
export function partitionOf(db: DB, kind: ChangeKind, record: unknown): string | undefined {
  const r = record as Record<string, unknown>;
  switch (kind) {
    case 'incident':
    case 'order':
    case 'unit':
    case 'checkpoint':
    case 'case':
    case 'watch_entry':
    case 'check':
    case 'warning':
      return r.countyId as string;
    case 'timeline':
    case 'incident_link':
      return countyOf(db, 'incidents', r.incidentId as string);
    case 'feedback':
      return countyOf(db, 'orders', r.orderId as string);
    case 'ref':
    case 'conflict':
      return countyOf(
        db,
        r.entityKind === 'case' || r.kind === 'case' ? 'cases' : 'incidents',
        r.entityId as string,
      );
  }
}

export interface LiveRecord {
  kind: ChangeKind;
  id: string;
  record: unknown;
}

/** The children that follow a record when it moves to another county. */
export function childrenOf(db: DB, kind: ChangeKind, id: string): LiveRecord[] {
  const out: LiveRecord[] = [];
  if (kind === 'incident') {
    for (const entry of listTimeline(db, id)) out.push({ kind: 'timeline', id: entry.id, record: entry });
    for (const link of listIncidentLinks(db, id))
      out.push({ kind: 'incident_link', id: incidentLinkId(link.incidentId, link.otherId), record: link });
  }
  if (kind === 'order') {
    for (const feedback of listFeedback(db, id))
      out.push({ kind: 'feedback', id: feedback.id, record: feedback });
  }
  if (kind === 'incident' || kind === 'case') {
    for (const ref of listRefs(db, kind, id)) out.push({ kind: 'ref', id: ref.id, record: ref });
    for (const { id: conflictId } of prepared(
      db,
      'SELECT id FROM conflicts WHERE kind = ? AND entity_id = ?',
    ).all(kind, id) as { id: string }[])
      out.push({ kind: 'conflict', id: conflictId, record: getConflict(db, conflictId) });
  }
  return out;
}

/** Every replicated record of one partition in this store (recomputed from the tables). */
export function liveRecords(db: DB, partition: string): LiveRecord[] {
  const out: LiveRecord[] = [];
  const ids = (sql: string): string[] =>
    (prepared(db, sql).all(partition) as { id: string }[]).map((row) => row.id);
  for (const id of ids('SELECT id FROM units WHERE county_id = ?'))
    out.push({ kind: 'unit', id, record: getUnit(db, id) });
  for (const id of ids('SELECT id FROM checkpoints WHERE county_id = ?'))
    out.push({ kind: 'checkpoint', id, record: getCheckpoint(db, id) });
  for (const id of ids('SELECT id FROM incidents WHERE county_id = ?')) {
    out.push({ kind: 'incident', id, record: getIncident(db, id) });
    out.push(...childrenOf(db, 'incident', id));
  }
  for (const id of ids('SELECT id FROM orders WHERE county_id = ?')) {
    out.push({ kind: 'order', id, record: getOrder(db, id) });
    out.push(...childrenOf(db, 'order', id));
  }
  for (const id of ids('SELECT id FROM cases WHERE county_id = ?')) {
    out.push({ kind: 'case', id, record: getCase(db, id) });
    out.push(...childrenOf(db, 'case', id));
  }
  for (const id of ids('SELECT id FROM watch_entries WHERE county_id = ?'))
    out.push({ kind: 'watch_entry', id, record: getWatchEntry(db, id) });
  for (const id of ids('SELECT id FROM checkpoint_checks WHERE county_id = ?'))
    out.push({ kind: 'check', id, record: getCheck(db, id) });
  for (const id of ids('SELECT id FROM warnings WHERE county_id = ?'))
    out.push({ kind: 'warning', id, record: getWarning(db, id) });
  return out;
}

/** The partition's checksum recomputed from scratch: the reference the running values must equal. */
export function partitionChecksum(db: DB, partition: string): string {
  const sum = new RunningChecksum(EMPTY_CHECKSUM);
  for (const live of liveRecords(db, partition)) sum.toggle(recordHash(live.kind, live.id, live.record));
  return sum.toString();
}
