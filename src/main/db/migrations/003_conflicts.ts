// 003: conflicts — concurrent changes to status, priority or assignment kept for the operator to resolve.
import type { Migration } from './index';

export const migration003: Migration = {
  version: 3,
  name: 'conflicts',
  up: `
-- Written by the incident and case handlers when a command's expected value no longer holds; replicated in the
-- entity's partition like its other children. mine/theirs are JSON values.
CREATE TABLE conflicts (
  id TEXT PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('incident','case')), entity_id TEXT NOT NULL,
  field TEXT NOT NULL, mine TEXT NOT NULL, theirs TEXT NOT NULL, command_id TEXT NOT NULL,
  operator_id TEXT NOT NULL, at INTEGER NOT NULL, resolved_at INTEGER, resolution TEXT, resolved_by TEXT
) STRICT;
CREATE INDEX conflicts_entity ON conflicts (kind, entity_id);
CREATE INDEX conflicts_open ON conflicts (resolved_at, at);
`,
};
