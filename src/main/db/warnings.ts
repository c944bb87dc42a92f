// warnings table: what a checkpoint check raised when it matched the watch list (预警), and how it was handled.
import type { BBox, Warning, WarningStatus, WatchKind } from '../../shared/domain/model';
import { prepared, type DB } from './connection';

interface WarningRow {
  id: string;
  watch_id: string;
  check_id: string;
  checkpoint_id: string;
  county_id: string;
  lng: number;
  lat: number;
  kind: string;
  value: string;
  label: string;
  reason: string;
  level: number;
  status: string;
  raised_at: number;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  handled_at: number | null;
  handled_by: string | null;
  handle_note: string;
  incident_id: string | null;
  updated_at: number;
}

function rowToWarning(row: WarningRow): Warning {
  return {
    id: row.id,
    watchId: row.watch_id,
    checkId: row.check_id,
    checkpointId: row.checkpoint_id,
    countyId: row.county_id,
    location: { lng: row.lng, lat: row.lat },
    kind: row.kind as WatchKind,
    value: row.value,
    label: row.label,
    reason: row.reason,
    level: row.level as Warning['level'],
    status: row.status as WarningStatus,
    raisedAt: row.raised_at,
    acknowledgedAt: row.acknowledged_at,
    acknowledgedBy: row.acknowledged_by,
    handledAt: row.handled_at,
    handledBy: row.handled_by,
    handleNote: row.handle_note,
    incidentId: row.incident_id,
    updatedAt: row.updated_at,
  };
}

export function getWarning(db: DB, id: string): Warning | undefined {
  const row = prepared(db, 'SELECT * FROM warnings WHERE id = ?').get(id) as WarningRow | undefined;
  return row ? rowToWarning(row) : undefined;
}

export function putWarning(db: DB, warning: Warning): void {
  prepared(
    db,
    `INSERT INTO warnings (id, watch_id, check_id, checkpoint_id, county_id, lng, lat, kind, value, label, reason,
       level, status, raised_at, acknowledged_at, acknowledged_by, handled_at, handled_by, handle_note, incident_id,
       updated_at)
     VALUES (@id, @watch_id, @check_id, @checkpoint_id, @county_id, @lng, @lat, @kind, @value, @label, @reason,
       @level, @status, @raised_at, @acknowledged_at, @acknowledged_by, @handled_at, @handled_by, @handle_note,
       @incident_id, @updated_at)
     ON CONFLICT (id) DO UPDATE SET watch_id = excluded.watch_id, check_id = excluded.check_id,
       checkpoint_id = excluded.checkpoint_id, county_id = excluded.county_id, lng = excluded.lng, lat = excluded.lat,
       kind = excluded.kind, value = excluded.value, label = excluded.label, reason = excluded.reason,
       level = excluded.level, status = excluded.status, raised_at = excluded.raised_at,
       acknowledged_at = excluded.acknowledged_at, acknowledged_by = excluded.acknowledged_by,
       handled_at = excluded.handled_at, handled_by = excluded.handled_by, handle_note = excluded.handle_note,
       incident_id = excluded.incident_id, updated_at = excluded.updated_at`,
  ).run({
    id: warning.id,
    watch_id: warning.watchId,
    check_id: warning.checkId,
    checkpoint_id: warning.checkpointId,
    county_id: warning.countyId,
    lng: warning.location.lng,
    lat: warning.location.lat,
    kind: warning.kind,
    value: warning.value,
    label: warning.label,
    reason: warning.reason,
    level: warning.level,
    status: warning.status,
    raised_at: warning.raisedAt,
    acknowledged_at: warning.acknowledgedAt,
    acknowledged_by: warning.acknowledgedBy,
    handled_at: warning.handledAt,
    handled_by: warning.handledBy,
    handle_note: warning.handleNote,
    incident_id: warning.incidentId,
    updated_at: warning.updatedAt,
  });
}

export function deleteWarning(db: DB, id: string): void {
  prepared(db, 'DELETE FROM warnings WHERE id = ?').run(id);
}

/** The ids among `ids` that this store does not hold (yet). */
export function absentWarnings(db: DB, ids: string[]): string[] {
  const held = prepared(db, 'SELECT 1 FROM warnings WHERE id = ?');
  return ids.filter((id) => held.get(id) === undefined);
}

/** Newest first. */
export function listWarnings(
  db: DB,
  filter: {
    status?: WarningStatus[] | undefined;
    countyIds?: string[] | undefined;
    bbox?: BBox | undefined;
    limit: number;
    offset: number;
  },
): { items: Warning[]; total: number } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.status?.length) {
    where.push(`status IN (${filter.status.map(() => '?').join(', ')})`);
    params.push(...filter.status);
  }
  if (filter.countyIds) {
    where.push(`county_id IN (${filter.countyIds.map(() => '?').join(', ') || "''"})`);
    params.push(...filter.countyIds);
  }
  if (filter.bbox) {
    where.push('lng BETWEEN ? AND ? AND lat BETWEEN ? AND ?');
    params.push(filter.bbox.west, filter.bbox.east, filter.bbox.south, filter.bbox.north);
  }
  const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const total = (db.prepare(`SELECT count(*) AS n FROM warnings ${clause}`).get(...params) as { n: number })
    .n;
  const rows = db
    .prepare(`SELECT * FROM warnings ${clause} ORDER BY raised_at DESC, id LIMIT ? OFFSET ?`)
    .all(...params, filter.limit, filter.offset) as WarningRow[];
  return { items: rows.map(rowToWarning), total };
}
