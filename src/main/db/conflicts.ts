// conflicts table: concurrent status / priority / assignment changes awaiting an operator's choice.
import type { Conflict } from '../../shared/sync';
import type { DB } from './connection';

interface ConflictRow {
  id: string;
  kind: string;
  entity_id: string;
  field: string;
  mine: string;
  theirs: string;
  command_id: string;
  operator_id: string;
  at: number;
  resolved_at: number | null;
  resolution: string | null;
  resolved_by: string | null;
}

function rowToConflict(row: ConflictRow): Conflict {
  return {
    id: row.id,
    kind: row.kind as Conflict['kind'],
    entityId: row.entity_id,
    field: row.field as Conflict['field'],
    mine: JSON.parse(row.mine) as unknown,
    theirs: JSON.parse(row.theirs) as unknown,
    commandId: row.command_id,
    operatorId: row.operator_id,
    at: row.at,
    resolvedAt: row.resolved_at,
    resolution: row.resolution as Conflict['resolution'],
    resolvedBy: row.resolved_by,
  };
}

export function getConflict(db: DB, id: string): Conflict | undefined {
  const row = db.prepare('SELECT * FROM conflicts WHERE id = ?').get(id) as ConflictRow | undefined;
  return row ? rowToConflict(row) : undefined;
}

/**
 * Inserts or replaces the conflict. Every column is written: a conflict a console recorded while replaying its own
 * command can differ from the server's copy (what the record held there, the command's time as the server clamped
 * it), and the copy the server sends must replace it whole, or the store keeps differing from the server.
 */
export function putConflict(db: DB, conflict: Conflict): void {
  db.prepare(
    `INSERT INTO conflicts (id, kind, entity_id, field, mine, theirs, command_id, operator_id, at, resolved_at,
       resolution, resolved_by)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, entity_id = excluded.entity_id, field = excluded.field,
       mine = excluded.mine, theirs = excluded.theirs, command_id = excluded.command_id,
       operator_id = excluded.operator_id, at = excluded.at, resolved_at = excluded.resolved_at,
       resolution = excluded.resolution, resolved_by = excluded.resolved_by`,
  ).run(
    conflict.id,
    conflict.kind,
    conflict.entityId,
    conflict.field,
    JSON.stringify(conflict.mine ?? null),
    JSON.stringify(conflict.theirs ?? null),
    conflict.commandId,
    conflict.operatorId,
    conflict.at,
    conflict.resolvedAt,
    conflict.resolution,
    conflict.resolvedBy,
  );
}

export function deleteConflict(db: DB, id: string): void {
  db.prepare('DELETE FROM conflicts WHERE id = ?').run(id);
}

/** Open conflicts on records of the given counties (all when undefined), oldest first. */
export function listOpenConflicts(db: DB, countyIds?: string[]): Conflict[] {
  const rows = db
    .prepare(
      `SELECT c.*, COALESCE(i.county_id, k.county_id) AS county FROM conflicts c
       LEFT JOIN incidents i ON c.kind = 'incident' AND i.id = c.entity_id
       LEFT JOIN cases k ON c.kind = 'case' AND k.id = c.entity_id
       WHERE c.resolved_at IS NULL
       ORDER BY c.at, c.id`,
    )
    .all() as (ConflictRow & { county: string | null })[];
  const counties = countyIds ? new Set(countyIds) : undefined;
  return rows
    .filter((row) => !counties || (row.county !== null && counties.has(row.county)))
    .map(rowToConflict);
}

export function countyOfConflict(db: DB, kind: string, entityId: string): string | undefined {
  const table = kind === 'case' ? 'cases' : 'incidents';
  return (
    db.prepare(`SELECT county_id FROM ${table} WHERE id = ?`).get(entityId) as
      { county_id: string } | undefined
  )?.county_id;
}
