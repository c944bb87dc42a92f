// 006: fewer b-trees to write per pulled change. sync_records was a rowid table with its primary key and a
// (kind, id) index beside it: three b-trees per record. Keyed (kind, id, partition) without a rowid, one b-tree
// finds a record in one partition (a put) and in any partition (a delete: is it still held elsewhere?).
// incidents_number indexed a column no query filters or sorts on; every incident write paid for it.
import type { Migration } from './index';

export const migration006: Migration = {
  version: 6,
  name: 'lean_pull_writes',
  up: `
CREATE TABLE sync_records_keyed (
  kind TEXT NOT NULL, id TEXT NOT NULL, partition TEXT NOT NULL, hash TEXT NOT NULL,
  PRIMARY KEY (kind, id, partition)
) STRICT, WITHOUT ROWID;
INSERT INTO sync_records_keyed (kind, id, partition, hash) SELECT kind, id, partition, hash FROM sync_records;
DROP TABLE sync_records;
ALTER TABLE sync_records_keyed RENAME TO sync_records;
-- The held-record re-hash walked the old key's order; it starts again from the first record in the new one.
DELETE FROM sync_meta WHERE key = 'verify_position';
DROP INDEX incidents_number;
`,
};
