// The incident search index's catch-up: new rows (above the watermark) and edited rows (queued by a trigger)
// are tokenised in batches, after the write that stored them.
import { prepared, type DB } from './connection';

interface TextRow {
  row: number;
  address: string;
  summary: string;
  caller_name: string;
  caller_phone: string;
  notes: string;
  county_id: string;
}

const TEXT_COLUMNS =
  'i.rowid AS row, i.address, i.summary, i.caller_name, i.caller_phone, i.notes, i.county_id';

/**
 * The county as one trigram: a six-digit code would be four trigrams shared by every county, so a county-scoped
 * search would merge huge posting lists. The last two digits name a county within its city (one city per store).
 */
export function countyToken(countyId: string): string {
  return `c${countyId.slice(-2)}`;
}

/** Indexes the rows; those at or below `indexedMax` may already have an entry, which is removed first. */
function indexRows(db: DB, rows: TextRow[], indexedMax: number): void {
  const remove = prepared(db, 'DELETE FROM incidents_fts WHERE rowid = ?');
  const insert = prepared(
    db,
    `INSERT INTO incidents_fts (rowid, address, summary, caller_name, caller_phone, notes, county_id)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  for (const row of rows) {
    if (row.row <= indexedMax) remove.run(row.row);
    insert.run(
      row.row,
      row.address,
      row.summary,
      row.caller_name,
      row.caller_phone,
      row.notes,
      countyToken(row.county_id),
    );
  }
}

export function searchWatermark(db: DB): number {
  return (
    prepared(db, 'SELECT watermark FROM incidents_fts_state WHERE id = 1').get() as { watermark: number }
  ).watermark;
}

/** Indexes up to `limit` waiting rows in the caller's transaction; returns how many it indexed. */
export function indexPendingIncidents(db: DB, limit: number): number {
  const state = prepared(db, 'SELECT watermark, indexed_max FROM incidents_fts_state WHERE id = 1').get() as {
    watermark: number;
    indexed_max: number;
  };
  const queued = prepared(
    db,
    `SELECT ${TEXT_COLUMNS} FROM incidents_fts_pending p JOIN incidents i ON i.rowid = p.row ORDER BY p.row LIMIT ?`,
  ).all(limit) as TextRow[];
  indexRows(db, queued, state.indexed_max);
  const done = prepared(db, 'DELETE FROM incidents_fts_pending WHERE row = ?');
  for (const row of queued) done.run(row.row);
  const room = limit - queued.length;
  const fresh =
    room > 0
      ? (prepared(
          db,
          `SELECT ${TEXT_COLUMNS} FROM incidents i WHERE i.rowid > ? ORDER BY i.rowid LIMIT ?`,
        ).all(state.watermark, room) as TextRow[])
      : [];
  // A queued row above the watermark was just indexed: the fresh pass must remove that entry before re-adding it.
  const afterQueued = Math.max(state.indexed_max, ...queued.map((row) => row.row));
  indexRows(db, fresh, afterQueued);
  const highest = Math.max(afterQueued, fresh.at(-1)?.row ?? 0);
  const watermark = fresh.at(-1)?.row ?? state.watermark;
  if (queued.length + fresh.length > 0) {
    prepared(db, 'UPDATE incidents_fts_state SET watermark = ?, indexed_max = ? WHERE id = 1').run(
      watermark,
      highest,
    );
  }
  return queued.length + fresh.length;
}

export function pendingSearchRows(db: DB): number {
  return (
    prepared(
      db,
      `SELECT (SELECT count(*) FROM incidents_fts_pending)
            + (SELECT count(*) FROM incidents WHERE rowid > (SELECT watermark FROM incidents_fts_state WHERE id = 1)) AS n`,
    ).get() as { n: number }
  ).n;
}

/** Holds on each store's background indexer (see holdSearchIndexer). */
const holds = new WeakMap<DB, number>();

/**
 * Pauses this store's background indexer until the returned function is called. A sync pull holds it while it
 * catches up: indexing between its pages took as long as applying them, and the rows are found by a scan
 * meanwhile.
 */
export function holdSearchIndexer(db: DB): () => void {
  holds.set(db, (holds.get(db) ?? 0) + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    holds.set(db, Math.max(0, (holds.get(db) ?? 1) - 1));
  };
}

/**
 * Keeps the index caught up in the background, a batch per turn, so a large pull never holds the
 * connection for long. Returns its stop function.
 */
export function startSearchIndexer(
  db: DB,
  options: { batch?: number; intervalMs?: number } = {},
): () => void {
  const batch = options.batch ?? 2000;
  const intervalMs = options.intervalMs ?? 100;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const step = db.transaction(() => indexPendingIncidents(db, batch));
  const turn = (): void => {
    if (stopped || !db.open) return;
    if ((holds.get(db) ?? 0) > 0) {
      timer = setTimeout(turn, intervalMs);
      timer.unref();
      return;
    }
    let indexed = 0;
    try {
      indexed = step.immediate();
    } catch (error) {
      console.error('search indexer:', error);
    }
    timer = setTimeout(turn, indexed === batch ? 0 : intervalMs);
    timer.unref();
  };
  timer = setTimeout(turn, 0);
  timer.unref();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
