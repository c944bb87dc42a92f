// 004: the incident search index is brought up to date after the write instead of inside it.
// Tokenising every row of a large pulled page in the page's transaction made catch-up several times slower.
// New rows are found by rowid above a watermark (no per-row bookkeeping on insert); rows whose text changed
// are queued in incidents_fts_pending. A contentless FTS table with contentless_delete lets a row be
// re-indexed without its old text.
import type { Migration } from './index';

export const migration004: Migration = {
  version: 4,
  name: 'deferred_search_index',
  up: `
DROP TRIGGER incidents_fts_insert;
DROP TRIGGER incidents_fts_update;
DROP TRIGGER incidents_fts_delete;
DROP TABLE incidents_fts;

-- county_id is indexed too, so a county operator's search is narrowed inside the index, not row by row.
CREATE VIRTUAL TABLE incidents_fts USING fts5 (
  address, summary, caller_name, caller_phone, notes, county_id,
  content = '', contentless_delete = 1, tokenize = 'trigram'
);
-- Rows with rowid <= watermark were indexed (unless queued below); rows above it are new. indexed_max is the
-- highest rowid ever indexed: only rows at or below it can have an entry to remove before re-indexing (a removal
-- leaves a tombstone that every later search pays for).
CREATE TABLE incidents_fts_state (
  id INTEGER PRIMARY KEY CHECK (id = 1), watermark INTEGER NOT NULL, indexed_max INTEGER NOT NULL
) STRICT;
INSERT INTO incidents_fts_state (id, watermark, indexed_max) VALUES (1, 0, 0);
CREATE TABLE incidents_fts_pending (row INTEGER PRIMARY KEY) STRICT;

CREATE TRIGGER incidents_fts_update
AFTER UPDATE OF address, summary, caller_name, caller_phone, notes, county_id ON incidents
WHEN old.address IS NOT new.address OR old.summary IS NOT new.summary OR old.caller_name IS NOT new.caller_name
  OR old.caller_phone IS NOT new.caller_phone OR old.notes IS NOT new.notes OR old.county_id IS NOT new.county_id
BEGIN
  -- Not INSERT OR IGNORE: an outer statement's conflict clause (e.g. a REPLACE during a sync rebase) would override it.
  INSERT INTO incidents_fts_pending (row)
  SELECT new.rowid WHERE NOT EXISTS (SELECT 1 FROM incidents_fts_pending WHERE row = new.rowid);
END;
-- SQLite may give a later insert the rowid of a deleted row: lower the watermark so that row is indexed again.
CREATE TRIGGER incidents_fts_delete AFTER DELETE ON incidents BEGIN
  DELETE FROM incidents_fts WHERE rowid = old.rowid;
  DELETE FROM incidents_fts_pending WHERE row = old.rowid;
  UPDATE incidents_fts_state SET watermark = min(watermark, old.rowid - 1);
END;
`,
};
