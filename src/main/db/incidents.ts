// incidents table (+ its trigram FTS index, links and per-county daily counters).
import type { Incident, IncidentLink } from '../../shared/domain/model';
import { prepared, type DB } from './connection';
import { countyToken } from './search-index';

export interface IncidentRow {
  id: string;
  number: string;
  county_id: string;
  source: string;
  category: string;
  priority: number;
  status: string;
  caller_name: string;
  caller_phone: string;
  address: string;
  summary: string;
  notes: string;
  lng: number;
  lat: number;
  received_at: number;
  updated_at: number;
  disposition: string;
  assigned_org_id: string | null;
  merged_into_id: string | null;
  case_id: string | null;
  created_by: string;
}

export function rowToIncident(row: IncidentRow): Incident {
  return {
    id: row.id,
    number: row.number,
    countyId: row.county_id,
    source: row.source as Incident['source'],
    category: row.category as Incident['category'],
    priority: row.priority,
    status: row.status as Incident['status'],
    callerName: row.caller_name,
    callerPhone: row.caller_phone,
    address: row.address,
    summary: row.summary,
    notes: row.notes,
    location: { lng: row.lng, lat: row.lat },
    receivedAt: row.received_at,
    updatedAt: row.updated_at,
    disposition: row.disposition,
    assignedOrgId: row.assigned_org_id,
    mergedIntoId: row.merged_into_id,
    caseId: row.case_id,
    createdBy: row.created_by,
  };
}

export function incidentToRow(incident: Incident): IncidentRow {
  return {
    id: incident.id,
    number: incident.number,
    county_id: incident.countyId,
    source: incident.source,
    category: incident.category,
    priority: incident.priority,
    status: incident.status,
    caller_name: incident.callerName,
    caller_phone: incident.callerPhone,
    address: incident.address,
    summary: incident.summary,
    notes: incident.notes,
    lng: incident.location.lng,
    lat: incident.location.lat,
    received_at: incident.receivedAt,
    updated_at: incident.updatedAt,
    disposition: incident.disposition,
    assigned_org_id: incident.assignedOrgId,
    merged_into_id: incident.mergedIntoId,
    case_id: incident.caseId,
    created_by: incident.createdBy,
  };
}

const COLUMNS =
  'id, number, county_id, source, category, priority, status, caller_name, caller_phone, address, summary, notes, lng, lat, received_at, updated_at, disposition, assigned_org_id, merged_into_id, case_id, created_by';

export function getIncident(db: DB, id: string): Incident | undefined {
  const row = prepared(db, 'SELECT * FROM incidents WHERE id = ?').get(id) as IncidentRow | undefined;
  return row ? rowToIncident(row) : undefined;
}

/** An incident row as the values of COLUMNS, in order. */
type IncidentValues = [
  string,
  string,
  string,
  string,
  string,
  number,
  string,
  string,
  string,
  string,
  string,
  string,
  number,
  number,
  number,
  number,
  string,
  string | null,
  string | null,
  string | null,
  string,
];

/**
 * The incidents among `ids` that exist, in one statement (the server's change log reads a push batch's at once).
 * Rows come back as arrays: better-sqlite3 builds a row object one named property at a time, which took longer
 * than reading the row.
 */
export function getIncidents(db: DB, ids: readonly string[]): Incident[] {
  const rows = prepared(db, `SELECT ${COLUMNS} FROM incidents WHERE id IN (SELECT value FROM json_each(?))`)
    .raw(true)
    .all(JSON.stringify(ids)) as IncidentValues[];
  return rows.map((r) =>
    rowToIncident({
      id: r[0],
      number: r[1],
      county_id: r[2],
      source: r[3],
      category: r[4],
      priority: r[5],
      status: r[6],
      caller_name: r[7],
      caller_phone: r[8],
      address: r[9],
      summary: r[10],
      notes: r[11],
      lng: r[12],
      lat: r[13],
      received_at: r[14],
      updated_at: r[15],
      disposition: r[16],
      assigned_org_id: r[17],
      merged_into_id: r[18],
      case_id: r[19],
      created_by: r[20],
    }),
  );
}

/**
 * Whole-row writes bind by position, the id last so one list of values serves the INSERT and the UPDATE: binding 21
 * parameters by name cost ~1.6 µs more per row, and pulled incidents are written by the ten thousand.
 */
const WRITTEN = [...COLUMNS.split(', ').filter((column) => column !== 'id'), 'id'];
const INSERT = `INSERT INTO incidents (${WRITTEN.join(', ')}) VALUES (${WRITTEN.map(() => '?').join(', ')})`;
const INSERT_NEW = INSERT.replace('INSERT', 'INSERT OR IGNORE');
const UPDATE = `UPDATE incidents SET ${WRITTEN.slice(0, -1)
  .map((column) => `${column} = ?`)
  .join(', ')} WHERE id = ?`;

/** The incident's column values in WRITTEN order. */
function writtenValues(incident: Incident): unknown[] {
  return [
    incident.number,
    incident.countyId,
    incident.source,
    incident.category,
    incident.priority,
    incident.status,
    incident.callerName,
    incident.callerPhone,
    incident.address,
    incident.summary,
    incident.notes,
    incident.location.lng,
    incident.location.lat,
    incident.receivedAt,
    incident.updatedAt,
    incident.disposition,
    incident.assignedOrgId,
    incident.mergedIntoId,
    incident.caseId,
    incident.createdBy,
    incident.id,
  ];
}

/**
 * Writes the incident whole. An UPDATE, then an INSERT when there was no row: an upsert statement carries the
 * search-index UPDATE trigger's program for every row and ran 2-3 times slower on pages of new rows.
 */
export function putIncident(db: DB, incident: Incident): void {
  const values = writtenValues(incident);
  if (prepared(db, UPDATE).run(values).changes === 0) prepared(db, INSERT).run(values);
}

/**
 * Writes the incident whole, INSERT first: for a row that is most likely new (a pulled incident the store did not
 * hold) that is one statement instead of an UPDATE that finds nothing and an INSERT, half the time. OR IGNORE
 * would also swallow a constraint failure, so a row neither inserted nor updated is an error. True when the row
 * was inserted (the store did not hold the incident).
 */
export function putNewIncident(db: DB, incident: Incident): boolean {
  const values = writtenValues(incident);
  if (prepared(db, INSERT_NEW).run(values).changes > 0) return true;
  if (prepared(db, UPDATE).run(values).changes === 0)
    throw new Error(`incident ${incident.id} was neither inserted nor updated`);
  return false;
}

const INSERT_CREATED = `${INSERT} ON CONFLICT (id) DO NOTHING`;

/**
 * Inserts an incident a command creates; false, and nothing written, when its id is taken. One statement with
 * positional parameters: the primary key decides, where a create used to look the id up, try an UPDATE and then
 * INSERT with 21 named parameters. Any other constraint failure still throws.
 */
export function insertIncident(db: DB, incident: Incident): boolean {
  return prepared(db, INSERT_CREATED).run(writtenValues(incident)).changes > 0;
}

export function deleteIncident(db: DB, id: string): void {
  prepared(db, 'DELETE FROM incidents WHERE id = ?').run(id);
}

const DAY_MS = 86_400_000;
const CST_OFFSET_MS = 8 * 3600_000;
/** The last day formatted, by its number since the epoch (CST): a server push numbers hundreds of calls per day. */
let lastDay = { index: NaN, text: '' };

/** The day of `at` in China Standard Time as YYYYMMDD. */
function cstDay(at: number): string {
  const index = Math.floor((at + CST_OFFSET_MS) / DAY_MS);
  if (index !== lastDay.index)
    lastDay = { index, text: new Date(at + CST_OFFSET_MS).toISOString().slice(0, 10).replaceAll('-', '') };
  return lastDay.text;
}

/**
 * The store's meta key holding what this workstation puts before the sequence of its incident numbers (given by
 * the server at sign-in, sync/client.ts; empty on a console that never synced).
 */
export const NUMBER_PREFIX_KEY = 'number_prefix';

/** Next number of the county's day, e.g. 610926-20261129-0007 (day in China Standard Time). */
export function nextIncidentNumber(db: DB, countyId: string, at: number, prefix = ''): string {
  return nextNumberOfDay(db, countyId, cstDay(at), prefix);
}

/** Next number of the county's day given as YYYYMMDD. */
export function nextNumberOfDay(db: DB, countyId: string, day: string, prefix = ''): string {
  const row = prepared(
    db,
    `INSERT INTO incident_counters (county_id, day, last) VALUES (?, ?, 1)
       ON CONFLICT (county_id, day) DO UPDATE SET last = last + 1 RETURNING last`,
  ).get(countyId, day) as { last: number };
  return `${countyId}-${day}-${prefix}${String(row.last).padStart(4, '0')}`;
}

/** The parts of an incident number (`610926-20261130-B0007`): county, day (YYYYMMDD), prefix, sequence. */
export function parseIncidentNumber(
  number: string,
): { countyId: string; day: string; prefix: string; sequence: number } | undefined {
  const match = /^(.+)-(\d{8})-([A-Z]*)(\d+)$/.exec(number);
  if (!match) return undefined;
  const [, countyId = '', day = '', prefix = '', sequence = ''] = match;
  return { countyId, day, prefix, sequence: Number(sequence) };
}

/**
 * Moves each county's day counter up to at least `last` (never down): a store that is not the one that gave this
 * workstation's numbers (reinstalled, or restored from a backup) would otherwise hand those numbers out again.
 */
export function raiseIncidentCounters(
  db: DB,
  used: readonly { countyId: string; day: string; last: number }[],
): void {
  const raise = prepared(
    db,
    `INSERT INTO incident_counters (county_id, day, last) VALUES (?, ?, ?)
       ON CONFLICT (county_id, day) DO UPDATE SET last = max(last, excluded.last)`,
  );
  for (const { countyId, day, last } of used) raise.run(countyId, day, last);
}

export interface IncidentFilter {
  status?: string[] | undefined;
  countyIds?: string[] | undefined;
  from?: number | undefined;
  to?: number | undefined;
  bbox?: { west: number; south: number; east: number; north: number } | undefined;
  maxPriority?: number | undefined;
  limit: number;
  offset: number;
  /** Continue after the last row of an earlier page (its `next`) instead of skipping `offset` rows. */
  cursor?: string | undefined;
}

export interface IncidentPage {
  items: Incident[];
  total: number;
  /** Where the next page starts, or null when this page reached the end. */
  next: string | null;
}

/** The position of a row in the list's order (newest received first, ties by rowid): "<receivedAt>.<rowid>". */
function cursorOf(row: { received_at: number; row_id: number }): string {
  return `${row.received_at}.${row.row_id}`;
}

function parseCursor(cursor: string): { at: number; rowid: number } {
  const [at, rowid] = cursor.split('.').map(Number);
  return { at: at ?? 0, rowid: rowid ?? 0 };
}

/**
 * A page of incidents, newest received first. From the start or from a cursor, each status is read along its
 * own (status, received_at) index and the short lists are merged here, so a page costs its own length however
 * many incidents match, instead of a sort of every matching row (and a skip of `offset` of them) per page.
 */
export function listIncidents(db: DB, filter: IncidentFilter): IncidentPage {
  const where: string[] = [];
  const params: Record<string, unknown> = {};
  if (filter.countyIds) {
    if (filter.countyIds.length === 0) return { items: [], total: 0, next: null };
    where.push(`county_id IN (${filter.countyIds.map((_, i) => `@c${i}`).join(', ')})`);
    filter.countyIds.forEach((county, i) => (params[`c${i}`] = county));
  }
  if (filter.from !== undefined) {
    where.push('received_at >= @from');
    params.from = filter.from;
  }
  if (filter.to !== undefined) {
    where.push('received_at < @to');
    params.to = filter.to;
  }
  if (filter.bbox) {
    where.push('lng BETWEEN @west AND @east AND lat BETWEEN @south AND @north');
    Object.assign(params, filter.bbox);
  }
  if (filter.maxPriority !== undefined) {
    where.push('priority <= @maxPriority');
    params.maxPriority = filter.maxPriority;
  }
  const statuses = filter.status?.length ? [...new Set(filter.status)] : [];
  const statusIn = `status IN (${statuses.map((_, i) => `@s${i}`).join(', ')})`;
  statuses.forEach((status, i) => (params[`s${i}`] = status));
  const counted = statuses.length ? [statusIn, ...where] : where;
  const total = (
    prepared(db, `SELECT count(*) AS n FROM incidents ${clause(counted)}`).get(params) as { n: number }
  ).n;

  if (filter.cursor !== undefined) {
    where.push('(received_at, rowid) < (@cursorAt, @cursorRowid)');
    const position = parseCursor(filter.cursor);
    params.cursorAt = position.at;
    params.cursorRowid = position.rowid;
  }
  const skip = filter.cursor === undefined ? filter.offset : 0;
  const read = (conditions: string[], offset = 0): (IncidentRow & { row_id: number })[] =>
    prepared(
      db,
      `SELECT rowid AS row_id, * FROM incidents ${clause(conditions)}
       ORDER BY received_at DESC, rowid DESC LIMIT @limit OFFSET @offset`,
    ).all({ ...params, limit: filter.limit, offset }) as (IncidentRow & { row_id: number })[];
  // Past an offset the skipped rows are left to SQLite: merged here, each would be read into JavaScript first.
  const rows =
    statuses.length === 0 || skip > 0
      ? read(statuses.length ? [statusIn, ...where] : where, skip)
      : statuses
          .flatMap((_, i) => read([`status = @s${i}`, ...where]))
          .sort((a, b) => b.received_at - a.received_at || b.row_id - a.row_id)
          .slice(0, filter.limit);
  const last = rows[rows.length - 1];
  return {
    items: rows.map(rowToIncident),
    total,
    next: last && rows.length === filter.limit ? cursorOf(last) : null,
  };
}

function clause(conditions: string[]): string {
  return conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
}

const SEARCH_CANDIDATES_PER_RESULT = 4;
const SEARCH_COLUMNS = ['address', 'summary', 'caller_name', 'caller_phone', 'notes'];

function likePattern(text: string): string {
  return `%${text.replaceAll('\\', '\\\\').replaceAll('%', '\\%').replaceAll('_', '\\_')}%`;
}

/**
 * Full-text search: trigram FTS for 3+ characters, a LIKE scan for shorter text. With more matches than
 * limit × SEARCH_CANDIDATES_PER_RESULT, the result is the most recently stored matches, newest received first.
 */
export function searchIncidents(
  db: DB,
  text: string,
  countyIds: string[] | undefined,
  limit: number,
): Incident[] {
  const trimmed = text.trim();
  if (!trimmed) return [];
  const countyClause = countyIds ? `AND i.county_id IN (${countyIds.map(() => '?').join(', ') || "''"})` : '';
  const countyParams = countyIds ?? [];
  if ([...trimmed].length >= 3) {
    const phrase = `"${trimmed.replaceAll('"', '""')}"`;
    // Sorting every match by received_at took ~0.6 s for a common word over 1M incidents. The index walks
    // rowids newest-stored first and stops early; the newest few candidates are then ordered by time.
    // Rows not yet indexed (new above the watermark, or edited and queued) are matched by a scan of just those rows
    // instead of the index, so nothing is missed and no stale text matches; the two halves never overlap.
    const like = likePattern(trimmed);
    const watermark = (
      prepared(db, 'SELECT watermark FROM incidents_fts_state WHERE id = 1').get() as { watermark: number }
    ).watermark;
    // The phrase is sought in the text columns only; a county operator's scope narrows the match in the index.
    const scope = countyIds
      ? ` AND county_id : (${countyIds.map((id) => `"${countyToken(id).replaceAll('"', '""')}"`).join(' OR ') || '"-"'})`
      : '';

    const query = `{address summary caller_name caller_phone notes} : ${phrase}${scope}`;
    const indexed = db
      .prepare(
        `SELECT * FROM (
           SELECT i.* FROM incidents_fts f JOIN incidents i ON i.rowid = f.rowid
           WHERE incidents_fts MATCH ? AND f.rowid <= ? AND f.rowid NOT IN (SELECT row FROM incidents_fts_pending)
           ORDER BY f.rowid DESC LIMIT ?
         ) ORDER BY received_at DESC, id LIMIT ?`,
      )
      .all(query, watermark, limit * SEARCH_CANDIDATES_PER_RESULT, limit) as IncidentRow[];
    // Rows not indexed yet, in two plain statements that each walk only those rows (newest first): an OR of the
    // two, a UNION with the indexed half, or an order by received_at all made the planner walk the whole table.
    // The unary + keeps the planner off the county index, which would walk a whole county's incidents.
    const waitingCounty = countyClause.replace('AND i.county_id', 'AND +i.county_id');
    const textMatch = `(${SEARCH_COLUMNS.map((column) => `i.${column} LIKE ? ESCAPE '\\'`).join(' OR ')})`;
    const likes = SEARCH_COLUMNS.map(() => like);
    const fresh = db
      .prepare(
        `SELECT i.* FROM incidents i WHERE i.rowid > ? AND ${textMatch} ${waitingCounty} ORDER BY i.rowid DESC LIMIT ?`,
      )
      .all(watermark, ...likes, ...countyParams, limit * SEARCH_CANDIDATES_PER_RESULT) as IncidentRow[];
    const edited = db
      .prepare(
        `SELECT i.* FROM incidents_fts_pending p JOIN incidents i ON i.rowid = p.row
         WHERE ${textMatch} ${waitingCounty} ORDER BY p.row DESC LIMIT ?`,
      )
      .all(...likes, ...countyParams, limit * SEARCH_CANDIDATES_PER_RESULT) as IncidentRow[];
    const freshIds = new Set(fresh.map((row) => row.id));
    const waiting = [...fresh, ...edited.filter((row) => !freshIds.has(row.id))];
    const rows = waiting.length === 0 ? indexed : [...indexed, ...waiting];
    if (waiting.length > 0) {
      rows.sort((a, b) => b.received_at - a.received_at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      rows.length = Math.min(rows.length, limit);
    }
    return rows.map(rowToIncident);
  }
  const like = likePattern(trimmed);
  const columns = SEARCH_COLUMNS;
  const rows = db
    .prepare(
      `SELECT i.* FROM incidents i
       WHERE (${columns.map((column) => `i.${column} LIKE ? ESCAPE '\\'`).join(' OR ')}) ${countyClause}
       ORDER BY i.received_at DESC LIMIT ?`,
    )
    .all(...columns.map(() => like), ...countyParams, limit) as IncidentRow[];
  return rows.map(rowToIncident);
}

/** Open incidents of a category near a place and time: candidates for duplicate-call detection. */
export function incidentsNear(
  db: DB,
  category: string,
  box: { west: number; south: number; east: number; north: number },
  from: number,
  to: number,
): Incident[] {
  const rows = prepared(
    db,
    `SELECT * FROM incidents WHERE category = @category AND received_at BETWEEN @from AND @to
       AND lng BETWEEN @west AND @east AND lat BETWEEN @south AND @north
       AND status NOT IN ('cancelled', 'duplicate', 'merged') LIMIT 50`,
  ).all({ category, from, to, ...box }) as IncidentRow[];
  return rows.map(rowToIncident);
}

interface LinkRow {
  incident_id: string;
  other_id: string;
  kind: string;
  at: number;
  by: string;
}

function rowToLink(row: LinkRow): IncidentLink {
  return {
    incidentId: row.incident_id,
    otherId: row.other_id,
    kind: row.kind as IncidentLink['kind'],
    at: row.at,
    by: row.by,
  };
}

/** Links are symmetric and append-only: one row each way, a repeat is a no-op. */
export function addIncidentLink(db: DB, link: IncidentLink): void {
  const insert = prepared(
    db,
    'INSERT OR IGNORE INTO incident_links (incident_id, other_id, kind, at, by) VALUES (?, ?, ?, ?, ?)',
  );
  insert.run(link.incidentId, link.otherId, link.kind, link.at, link.by);
  insert.run(link.otherId, link.incidentId, link.kind, link.at, link.by);
}

export function listIncidentLinks(db: DB, incidentId: string): IncidentLink[] {
  const rows = prepared(db, 'SELECT * FROM incident_links WHERE incident_id = ? ORDER BY at').all(
    incidentId,
  ) as LinkRow[];
  return rows.map(rowToLink);
}

export function getIncidentLink(db: DB, incidentId: string, otherId: string): IncidentLink | undefined {
  const row = prepared(db, 'SELECT * FROM incident_links WHERE incident_id = ? AND other_id = ?').get(
    incidentId,
    otherId,
  ) as LinkRow | undefined;
  return row ? rowToLink(row) : undefined;
}
