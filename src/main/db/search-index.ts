// The incident search index's catch-up: rows queued by the incidents triggers are tokenised in batches.
import { prepared, type DB } from './connection';

interface PendingRow {
  row: number;
  address: string;
  summary: string;
  caller_name: string;
  caller_phone: string;
  notes: string;
}

/** Indexes up to `limit` queued rows in the caller's transaction; returns how many it indexed. */
export function indexPendingIncidents(db: DB, limit: number): number {
  const rows = prepared(
    db,
    `SELECT p.row, i.address, i.summary, i.caller_name, i.caller_phone, i.notes
     FROM incidents_fts_pending p JOIN incidents i ON i.rowid = p.row ORDER BY p.row LIMIT ?`,
  ).all(limit) as PendingRow[];
  const remove = prepared(db, 'DELETE FROM incidents_fts WHERE rowid = ?');
  const insert = prepared(
    db,
    'INSERT INTO incidents_fts (rowid, address, summary, caller_name, caller_phone, notes) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const done = prepared(db, 'DELETE FROM incidents_fts_pending WHERE row = ?');
  for (const row of rows) {
    remove.run(row.row);
    insert.run(row.row, row.address, row.summary, row.caller_name, row.caller_phone, row.notes);
    done.run(row.row);
  }
  return rows.length;
}

export function pendingSearchRows(db: DB): number {
  return (prepared(db, 'SELECT count(*) AS n FROM incidents_fts_pending').get() as { n: number }).n;
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
