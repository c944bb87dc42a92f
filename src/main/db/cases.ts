// cases and case_incidents tables.
import type { Case } from '../../shared/domain/model';
import { prepared, type DB } from './connection';

interface CaseRow {
  id: string;
  county_id: string;
  title: string;
  summary: string;
  status: string;
  created_at: number;
  updated_at: number;
  created_by: string;
}

function rowToCase(db: DB, row: CaseRow): Case {
  const incidentIds = (
    prepared(db, 'SELECT incident_id FROM case_incidents WHERE case_id = ? ORDER BY incident_id').all(
      row.id,
    ) as { incident_id: string }[]
  ).map((link) => link.incident_id);
  return {
    id: row.id,
    countyId: row.county_id,
    title: row.title,
    summary: row.summary,
    status: row.status as Case['status'],
    incidentIds,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    createdBy: row.created_by,
  };
}

export function getCase(db: DB, id: string): Case | undefined {
  const row = prepared(db, 'SELECT * FROM cases WHERE id = ?').get(id) as CaseRow | undefined;
  return row ? rowToCase(db, row) : undefined;
}

/**
 * Writes the case whole: the server's copy replaces one this console made (whose time the server clamps when the
 * console's clock ran ahead). Incident links are append-only (union).
 */
export function putCase(db: DB, record: Case): void {
  prepared(
    db,
    `INSERT INTO cases (id, county_id, title, summary, status, created_at, updated_at, created_by)
     VALUES (@id, @county_id, @title, @summary, @status, @created_at, @updated_at, @created_by)
     ON CONFLICT (id) DO UPDATE SET county_id = excluded.county_id, title = excluded.title, summary = excluded.summary,
       status = excluded.status, created_at = excluded.created_at, updated_at = excluded.updated_at,
       created_by = excluded.created_by`,
  ).run({
    id: record.id,
    county_id: record.countyId,
    title: record.title,
    summary: record.summary,
    status: record.status,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
    created_by: record.createdBy,
  });
  // An upsert that rewrites a link already there rather than INSERT OR IGNORE: a link the server sends back writes
  // its row, so sync drops that row's shadow (sync/shadow.ts). Ignored, the shadow of a link this console made
  // stayed "did not exist", and the next rebase deleted the link the server holds.
  const link = prepared(
    db,
    `INSERT INTO case_incidents (case_id, incident_id) VALUES (?, ?)
       ON CONFLICT (case_id, incident_id) DO UPDATE SET incident_id = excluded.incident_id`,
  );
  for (const incidentId of record.incidentIds) link.run(record.id, incidentId);
}

export function listCases(
  db: DB,
  filter: { status?: string[] | undefined; countyIds?: string[] | undefined; limit: number; offset: number },
): { items: Case[]; total: number } {
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
  const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const total = (db.prepare(`SELECT count(*) AS n FROM cases ${clause}`).get(...params) as { n: number }).n;
  const rows = db
    .prepare(`SELECT * FROM cases ${clause} ORDER BY updated_at DESC LIMIT ? OFFSET ?`)
    .all(...params, filter.limit, filter.offset) as CaseRow[];
  return { items: rows.map((row) => rowToCase(db, row)), total };
}
