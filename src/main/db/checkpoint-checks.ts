// checkpoint_checks table: checks made at checkpoints (盘查记录), append-only.
import type { CheckpointCheck } from '../../shared/domain/model';
import { prepared, type DB } from './connection';

interface CheckRow {
  id: string;
  checkpoint_id: string;
  county_id: string;
  at: number;
  plate: string | null;
  person_id: string | null;
  phone: string | null;
  note: string;
  by: string;
}

function rowToCheck(row: CheckRow): CheckpointCheck {
  return {
    id: row.id,
    checkpointId: row.checkpoint_id,
    countyId: row.county_id,
    at: row.at,
    plate: row.plate,
    personId: row.person_id,
    phone: row.phone,
    note: row.note,
    by: row.by,
  };
}

export function getCheck(db: DB, id: string): CheckpointCheck | undefined {
  const row = prepared(db, 'SELECT * FROM checkpoint_checks WHERE id = ?').get(id) as CheckRow | undefined;
  return row ? rowToCheck(row) : undefined;
}

/** Writes a check; a check that is already stored (a sync replay) is replaced by the same record. */
export function putCheck(db: DB, check: CheckpointCheck): void {
  prepared(
    db,
    `INSERT OR REPLACE INTO checkpoint_checks (id, checkpoint_id, county_id, at, plate, person_id, phone, note, by)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    check.id,
    check.checkpointId,
    check.countyId,
    check.at,
    check.plate,
    check.personId,
    check.phone,
    check.note,
    check.by,
  );
}

export function deleteCheck(db: DB, id: string): void {
  prepared(db, 'DELETE FROM checkpoint_checks WHERE id = ?').run(id);
}

/** Newest first. */
export function listChecks(
  db: DB,
  filter: {
    checkpointId?: string | undefined;
    countyIds?: string[] | undefined;
    from?: number | undefined;
    to?: number | undefined;
    limit: number;
    offset: number;
  },
): { items: CheckpointCheck[]; total: number } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.checkpointId) {
    where.push('checkpoint_id = ?');
    params.push(filter.checkpointId);
  }
  if (filter.countyIds) {
    where.push(`county_id IN (${filter.countyIds.map(() => '?').join(', ') || "''"})`);
    params.push(...filter.countyIds);
  }
  if (filter.from !== undefined) {
    where.push('at >= ?');
    params.push(filter.from);
  }
  if (filter.to !== undefined) {
    where.push('at < ?');
    params.push(filter.to);
  }
  const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const total = (
    db.prepare(`SELECT count(*) AS n FROM checkpoint_checks ${clause}`).get(...params) as { n: number }
  ).n;
  const rows = db
    .prepare(`SELECT * FROM checkpoint_checks ${clause} ORDER BY at DESC, id LIMIT ? OFFSET ?`)
    .all(...params, filter.limit, filter.offset) as CheckRow[];
  return { items: rows.map(rowToCheck), total };
}
