// 004: the incident search index is brought up to date after the write instead of inside it.
// Tokenising every row of a large pulled page in the page's transaction made catch-up several times slower;
// rows now queue in incidents_fts_pending (a cheap b-tree insert) and are indexed in small batches.
// A contentless FTS table with contentless_delete lets a row be re-indexed without its old text.
import type { Migration } from './index';

export const migration004: Migration = {
  version: 4,
  name: 'deferred_search_index',
  up: `
DROP TRIGGER incidents_fts_insert;
DROP TRIGGER incidents_fts_update;
DROP TRIGGER incidents_fts_delete;
DROP TABLE incidents_fts;

CREATE VIRTUAL TABLE incidents_fts USING fts5 (
  address, summary, caller_name, caller_phone, notes,
  content = '', contentless_delete = 1, tokenize = 'trigram'
);
CREATE TABLE incidents_fts_pending (row INTEGER PRIMARY KEY) STRICT;

CREATE TRIGGER incidents_fts_insert AFTER INSERT ON incidents BEGIN
  INSERT OR IGNORE INTO incidents_fts_pending (row) VALUES (new.rowid);
END;
CREATE TRIGGER incidents_fts_update AFTER UPDATE OF address, summary, caller_name, caller_phone, notes ON incidents BEGIN
  INSERT OR IGNORE INTO incidents_fts_pending (row) VALUES (new.rowid);
END;
CREATE TRIGGER incidents_fts_delete AFTER DELETE ON incidents BEGIN
  DELETE FROM incidents_fts WHERE rowid = old.rowid;
  DELETE FROM incidents_fts_pending WHERE row = old.rowid;
END;

INSERT INTO incidents_fts_pending (row) SELECT rowid FROM incidents;
`,
};
