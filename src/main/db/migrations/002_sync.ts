// 002: what a workstation needs to sync with the central server — cursors, server-confirmed record hashes,
// the rejection inbox, connection settings and offline sign-in verifiers.
import type { Migration } from './index';

export const migration002: Migration = {
  version: 2,
  name: 'sync',
  up: `
-- One row per readable partition: how far this workstation has applied it, and the running digest of what it holds.
CREATE TABLE sync_state (
  partition TEXT PRIMARY KEY, cursor INTEGER NOT NULL, checksum TEXT NOT NULL, head INTEGER NOT NULL DEFAULT 0
) STRICT;

-- The server-confirmed records per partition with their hash: the partition digest is the XOR of these, and a
-- record is deleted locally only when no readable partition holds it any more (a move is a delete + a put).
CREATE TABLE sync_records (
  partition TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL, hash TEXT NOT NULL,
  PRIMARY KEY (partition, kind, id)
) STRICT;
CREATE INDEX sync_records_record ON sync_records (kind, id);

-- Commands the server refused: rolled back locally and shown to the operator until dismissed.
CREATE TABLE rejections (
  command_id TEXT PRIMARY KEY, counter INTEGER NOT NULL, name TEXT NOT NULL, input TEXT NOT NULL,
  operator_id TEXT NOT NULL, error TEXT NOT NULL, at INTEGER NOT NULL, rejected_at INTEGER NOT NULL,
  dismissed INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Connection settings and sync bookkeeping (server url, workstation secret, last success, last error).
CREATE TABLE sync_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;

-- Offline sign-in: scrypt(password, salt) of operators who signed in online here; never the password itself.
CREATE TABLE offline_verifiers (
  operator_id TEXT PRIMARY KEY, salt TEXT NOT NULL, hash TEXT NOT NULL, params TEXT NOT NULL,
  name TEXT NOT NULL, role TEXT NOT NULL, jurisdiction_id TEXT NOT NULL, org_id TEXT, updated_at INTEGER NOT NULL
) STRICT;
`,
};
