// timeline (append-only steps of an incident) and refs (persons and vehicles on incidents and cases).
import type { EntityRef, TimelineEntry } from '../../shared/domain/model';
import { prepared, type DB } from './connection';

interface TimelineRow {
  id: string;
  incident_id: string;
  at: number;
  kind: string;
  text: string;
  by: string;
  data: string;
}

interface RefRow {
  id: string;
  entity_kind: string;
  entity_id: string;
  kind: string;
  data: string;
  at: number;
  by: string;
}

function rowToTimelineEntry(row: TimelineRow): TimelineEntry {
  return {
    id: row.id,
    incidentId: row.incident_id,
    at: row.at,
    kind: row.kind,
    text: row.text,
    by: row.by,
    data: JSON.parse(row.data) as Record<string, unknown>,
  };
}

function rowToRef(row: RefRow): EntityRef {
  return {
    ...(JSON.parse(row.data) as Record<string, unknown>),
    kind: row.kind,
    id: row.id,
    entityKind: row.entity_kind,
    entityId: row.entity_id,
    at: row.at,
    by: row.by,
  } as EntityRef;
}

/**
 * Adds the entry unless its id is taken. Returns the entry as added, its data parsed back from the JSON the row
 * holds (so it equals what reading the row gives, strings with lone surrogates aside), or undefined when the id was
 * taken and the row is another entry's.
 */
export function addTimelineEntry(db: DB, entry: TimelineEntry): TimelineEntry | undefined {
  const data = JSON.stringify(entry.data);
  const added = prepared(
    db,
    'INSERT OR IGNORE INTO timeline (id, incident_id, at, kind, text, by, data) VALUES (?, ?, ?, ?, ?, ?, ?)',
  ).run(entry.id, entry.incidentId, entry.at, entry.kind, entry.text, entry.by, data);
  return added.changes > 0 ? { ...entry, data: JSON.parse(data) as Record<string, unknown> } : undefined;
}

export function listTimeline(db: DB, incidentId: string): TimelineEntry[] {
  const rows = prepared(db, 'SELECT * FROM timeline WHERE incident_id = ? ORDER BY at, rowid').all(
    incidentId,
  ) as TimelineRow[];
  return rows.map(rowToTimelineEntry);
}

export function getTimelineEntry(db: DB, id: string): TimelineEntry | undefined {
  const row = prepared(db, 'SELECT * FROM timeline WHERE id = ?').get(id) as TimelineRow | undefined;
  return row ? rowToTimelineEntry(row) : undefined;
}

/**
 * The timeline entries among `ids` that exist, in one statement (the server's change log reads a batch's at once),
 * as arrays: better-sqlite3 builds row objects one named property at a time.
 */
export function getTimelineEntries(db: DB, ids: readonly string[]): TimelineEntry[] {
  const rows = prepared(
    db,
    'SELECT id, incident_id, at, kind, text, by, data FROM timeline WHERE id IN (SELECT value FROM json_each(?))',
  )
    .raw(true)
    .all(JSON.stringify(ids)) as [string, string, number, string, string, string, string][];
  return rows.map((r) =>
    rowToTimelineEntry({
      id: r[0],
      incident_id: r[1],
      at: r[2],
      kind: r[3],
      text: r[4],
      by: r[5],
      data: r[6],
    }),
  );
}

export function addRef(db: DB, ref: EntityRef): void {
  const { id, entityKind, entityId, at, by, kind, ...rest } = ref;
  prepared(
    db,
    'INSERT OR IGNORE INTO refs (id, entity_kind, entity_id, kind, data, at, by) VALUES (?, ?, ?, ?, ?, ?, ?)',
  ).run(id, entityKind, entityId, kind, JSON.stringify(rest), at, by);
}

export function getRef(db: DB, id: string): EntityRef | undefined {
  const row = prepared(db, 'SELECT * FROM refs WHERE id = ?').get(id) as RefRow | undefined;
  return row ? rowToRef(row) : undefined;
}

export function listRefs(db: DB, entityKind: string, entityId: string): EntityRef[] {
  const rows = prepared(db, 'SELECT * FROM refs WHERE entity_kind = ? AND entity_id = ?').all(
    entityKind,
    entityId,
  ) as RefRow[];
  return rows.map(rowToRef);
}
