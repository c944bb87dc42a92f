// watch_entries table: the watch list (布控) — persons, plates and phones a checkpoint check is matched against.
import type { WatchEntry, WatchKind } from '../../shared/domain/model';
import { prepared, type DB } from './connection';

interface WatchEntryRow {
  id: string;
  county_id: string;
  kind: string;
  value: string;
  label: string;
  reason: string;
  level: number;
  active: number;
  valid_until: number | null;
  incident_id: string | null;
  created_at: number;
  created_by: string;
  updated_at: number;
}

function rowToWatchEntry(row: WatchEntryRow): WatchEntry {
  return {
    id: row.id,
    countyId: row.county_id,
    kind: row.kind as WatchKind,
    value: row.value,
    label: row.label,
    reason: row.reason,
    level: row.level as WatchEntry['level'],
    active: row.active === 1,
    validUntil: row.valid_until,
    incidentId: row.incident_id,
    createdAt: row.created_at,
    createdBy: row.created_by,
    updatedAt: row.updated_at,
  };
}

export function getWatchEntry(db: DB, id: string): WatchEntry | undefined {
  const row = prepared(db, 'SELECT * FROM watch_entries WHERE id = ?').get(id) as WatchEntryRow | undefined;
  return row ? rowToWatchEntry(row) : undefined;
}

export function putWatchEntry(db: DB, entry: WatchEntry): void {
  prepared(
    db,
    `INSERT INTO watch_entries (id, county_id, kind, value, label, reason, level, active, valid_until, incident_id,
       created_at, created_by, updated_at)
     VALUES (@id, @county_id, @kind, @value, @label, @reason, @level, @active, @valid_until, @incident_id,
       @created_at, @created_by, @updated_at)
     ON CONFLICT (id) DO UPDATE SET county_id = excluded.county_id, kind = excluded.kind, value = excluded.value,
       label = excluded.label, reason = excluded.reason, level = excluded.level, active = excluded.active,
       valid_until = excluded.valid_until, incident_id = excluded.incident_id, created_at = excluded.created_at,
       created_by = excluded.created_by, updated_at = excluded.updated_at`,
  ).run({
    id: entry.id,
    county_id: entry.countyId,
    kind: entry.kind,
    value: entry.value,
    label: entry.label,
    reason: entry.reason,
    level: entry.level,
    active: entry.active ? 1 : 0,
    valid_until: entry.validUntil,
    incident_id: entry.incidentId,
    created_at: entry.createdAt,
    created_by: entry.createdBy,
    updated_at: entry.updatedAt,
  });
}

export function deleteWatchEntry(db: DB, id: string): void {
  prepared(db, 'DELETE FROM watch_entries WHERE id = ?').run(id);
}

/**
 * The entries a checked value hits: same kind and normalised value, owned by one of `countyIds`, active, and not
 * expired at `at`. Oldest first, so every store lists (and raises) them in the same order.
 */
export function matchingWatchEntries(
  db: DB,
  kind: WatchKind,
  value: string,
  countyIds: string[],
  at: number,
): WatchEntry[] {
  return (
    db
      .prepare(
        `SELECT * FROM watch_entries WHERE kind = ? AND value = ? AND active = 1
           AND (valid_until IS NULL OR valid_until > ?)
           AND county_id IN (${countyIds.map(() => '?').join(', ') || "''"})
         ORDER BY created_at, id`,
      )
      .all(kind, value, at, ...countyIds) as WatchEntryRow[]
  ).map(rowToWatchEntry);
}

export function listWatchEntries(
  db: DB,
  filter: {
    countyIds?: string[] | undefined;
    kind?: WatchKind | undefined;
    activeOnly?: boolean;
    limit: number;
    offset: number;
  },
): { items: WatchEntry[]; total: number } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.countyIds) {
    where.push(`county_id IN (${filter.countyIds.map(() => '?').join(', ') || "''"})`);
    params.push(...filter.countyIds);
  }
  if (filter.kind) {
    where.push('kind = ?');
    params.push(filter.kind);
  }
  if (filter.activeOnly) where.push('active = 1');
  const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const total = (
    db.prepare(`SELECT count(*) AS n FROM watch_entries ${clause}`).get(...params) as { n: number }
  ).n;
  const rows = db
    .prepare(`SELECT * FROM watch_entries ${clause} ORDER BY created_at DESC, id LIMIT ? OFFSET ?`)
    .all(...params, filter.limit, filter.offset) as WatchEntryRow[];
  return { items: rows.map(rowToWatchEntry), total };
}
