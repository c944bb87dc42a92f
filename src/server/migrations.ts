// The server's own tables (identities, exactly-once bookkeeping, partitions and their change logs), kept in a
// second migration list beside the core schema so the server can run the same command path as a workstation.
import type { Migration } from '../main/db/migrations/index';

export const SERVER_MIGRATIONS_TABLE = 'server_migrations';

export const SERVER_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'server',
    up: `
-- Operators who may sign in: scrypt hash with a per-account salt, never the password.
CREATE TABLE accounts (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, jurisdiction_id TEXT NOT NULL, org_id TEXT,
  salt TEXT NOT NULL, hash TEXT NOT NULL, active INTEGER NOT NULL DEFAULT 1, created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE workstations (
  id TEXT PRIMARY KEY, jurisdiction_id TEXT NOT NULL, secret_hash TEXT NOT NULL, enrolled_at INTEGER NOT NULL
) STRICT;

-- One-time enrolment tokens (sha256 of the token); used_at set when spent.
CREATE TABLE enroll_tokens (
  hash TEXT PRIMARY KEY, jurisdiction_id TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,
  used_at INTEGER, workstation_id TEXT
) STRICT;

-- Who signed in where: a workstation may push offline commands of operators who signed in on it before.
CREATE TABLE workstation_operators (
  workstation_id TEXT NOT NULL, operator_id TEXT NOT NULL, first_at INTEGER NOT NULL, last_at INTEGER NOT NULL,
  PRIMARY KEY (workstation_id, operator_id)
) STRICT;

-- Exactly-once: every pushed command's outcome, by (workstation, counter) and by command id.
CREATE TABLE received_commands (
  workstation_id TEXT NOT NULL, counter INTEGER NOT NULL, command_id TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
  operator_id TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('applied','rejected')), error TEXT,
  at INTEGER NOT NULL, received_at INTEGER NOT NULL, at_clamped INTEGER NOT NULL,
  PRIMARY KEY (workstation_id, counter)
) STRICT;

CREATE TABLE partitions (id TEXT PRIMARY KEY, head INTEGER NOT NULL, checksum TEXT NOT NULL) STRICT;

-- The change log: only the newest change per (partition, kind, id) is kept, so catching up costs what is live.
CREATE TABLE changes (
  partition TEXT NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL,
  op TEXT NOT NULL CHECK (op IN ('put','delete')), record TEXT NOT NULL, hash TEXT NOT NULL,
  PRIMARY KEY (partition, seq)
) STRICT;
CREATE UNIQUE INDEX changes_record ON changes (partition, kind, id);
CREATE INDEX changes_live ON changes (kind, id, op);
`,
  },
  {
    version: 2,
    name: 'one_change_index',
    up: `
-- One index does what the two did: it finds a record's changes in every partition by (kind, id), which is how
-- the change log looks them up, and keeps one change per record and partition. Each change written updated three
-- b-trees (the table and two indexes) and now updates two.
DROP INDEX changes_live;
DROP INDEX changes_record;
CREATE UNIQUE INDEX changes_record ON changes (kind, id, partition);
`,
  },
  {
    version: 3,
    name: 'no_incident_list_indexes',
    up: `
-- The core schema indexes incidents for a console's lists, map and search (status, county, time, place). The
-- server never lists or searches incidents: it finds them by id and serves the change log. Each incident a push
-- creates or changes updated these four b-trees for nothing (about 5% of the server's CPU per pushed command).
-- A core migration that drops or changes one of them must say IF EXISTS: a server store no longer has them.
DROP INDEX IF EXISTS incidents_status;
DROP INDEX IF EXISTS incidents_county;
DROP INDEX IF EXISTS incidents_received;
DROP INDEX IF EXISTS incidents_place;
`,
  },
  {
    version: 4,
    name: 'workstation_number_prefixes',
    up: `
-- Each enrolled workstation's place in enrolment order, never reused: its incident number prefix (A, B ... Z, AA;
-- hub.ts numberPrefixOf), given at sign-in so two consoles never number two calls the same. Stored rather than
-- taken from the rowid, which a VACUUM may renumber. Workstations enrolled before keep their rowid's place.
ALTER TABLE workstations ADD COLUMN number_seq INTEGER;
UPDATE workstations SET number_seq = rowid;
CREATE UNIQUE INDEX workstations_number_seq ON workstations (number_seq);
`,
  },
];
