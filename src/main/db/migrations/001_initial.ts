// 001: the workstation's first schema — region, incidents, orders, units, checkpoints, cases, audit, outbox.
import type { Migration } from './index';

export const migration001: Migration = {
  version: 1,
  name: 'initial',
  up: `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;

CREATE TABLE jurisdictions (
  id TEXT PRIMARY KEY, parent_id TEXT, level TEXT NOT NULL CHECK (level IN ('city','county')),
  name TEXT NOT NULL, name_en TEXT NOT NULL, bureau TEXT NOT NULL, bureau_en TEXT NOT NULL,
  lng REAL NOT NULL, lat REAL NOT NULL
) STRICT;

CREATE TABLE orgs (
  id TEXT PRIMARY KEY, county_id TEXT NOT NULL, kind TEXT NOT NULL,
  name TEXT NOT NULL, name_en TEXT NOT NULL, lng REAL NOT NULL, lat REAL NOT NULL
) STRICT;
CREATE INDEX orgs_county ON orgs (county_id, kind);

CREATE TABLE places (
  id TEXT PRIMARY KEY, county_id TEXT NOT NULL, kind TEXT NOT NULL,
  name TEXT NOT NULL, name_en TEXT NOT NULL, lng REAL NOT NULL, lat REAL NOT NULL
) STRICT;

CREATE TABLE operators (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL,
  jurisdiction_id TEXT NOT NULL, org_id TEXT
) STRICT;

CREATE TABLE incidents (
  id TEXT PRIMARY KEY, number TEXT NOT NULL, county_id TEXT NOT NULL,
  source TEXT NOT NULL, category TEXT NOT NULL, priority INTEGER NOT NULL CHECK (priority BETWEEN 1 AND 4),
  status TEXT NOT NULL, caller_name TEXT NOT NULL, caller_phone TEXT NOT NULL,
  address TEXT NOT NULL, summary TEXT NOT NULL, notes TEXT NOT NULL,
  lng REAL NOT NULL, lat REAL NOT NULL, received_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
  disposition TEXT NOT NULL, assigned_org_id TEXT, merged_into_id TEXT, case_id TEXT, created_by TEXT NOT NULL
) STRICT;
CREATE INDEX incidents_number ON incidents (number);
CREATE INDEX incidents_status ON incidents (status, received_at);
CREATE INDEX incidents_county ON incidents (county_id, received_at);
CREATE INDEX incidents_received ON incidents (received_at);
CREATE INDEX incidents_place ON incidents (lng, lat);

-- Trigram full-text index: matches any 3+ character substring, so Chinese place names and partial phone numbers work.
CREATE VIRTUAL TABLE incidents_fts USING fts5 (
  address, summary, caller_name, caller_phone, notes,
  content = 'incidents', content_rowid = 'rowid', tokenize = 'trigram'
);
CREATE TRIGGER incidents_fts_insert AFTER INSERT ON incidents BEGIN
  INSERT INTO incidents_fts (rowid, address, summary, caller_name, caller_phone, notes)
  VALUES (new.rowid, new.address, new.summary, new.caller_name, new.caller_phone, new.notes);
END;
CREATE TRIGGER incidents_fts_delete AFTER DELETE ON incidents BEGIN
  INSERT INTO incidents_fts (incidents_fts, rowid, address, summary, caller_name, caller_phone, notes)
  VALUES ('delete', old.rowid, old.address, old.summary, old.caller_name, old.caller_phone, old.notes);
END;
CREATE TRIGGER incidents_fts_update AFTER UPDATE OF address, summary, caller_name, caller_phone, notes ON incidents BEGIN
  INSERT INTO incidents_fts (incidents_fts, rowid, address, summary, caller_name, caller_phone, notes)
  VALUES ('delete', old.rowid, old.address, old.summary, old.caller_name, old.caller_phone, old.notes);
  INSERT INTO incidents_fts (rowid, address, summary, caller_name, caller_phone, notes)
  VALUES (new.rowid, new.address, new.summary, new.caller_name, new.caller_phone, new.notes);
END;

CREATE TABLE incident_counters (
  county_id TEXT NOT NULL, day TEXT NOT NULL, last INTEGER NOT NULL, PRIMARY KEY (county_id, day)
) STRICT;

CREATE TABLE incident_links (
  incident_id TEXT NOT NULL, other_id TEXT NOT NULL, kind TEXT NOT NULL, at INTEGER NOT NULL, by TEXT NOT NULL,
  PRIMARY KEY (incident_id, other_id)
) STRICT;

CREATE TABLE timeline (
  id TEXT PRIMARY KEY, incident_id TEXT NOT NULL, at INTEGER NOT NULL, kind TEXT NOT NULL,
  text TEXT NOT NULL, by TEXT NOT NULL, data TEXT NOT NULL
) STRICT;
CREATE INDEX timeline_incident ON timeline (incident_id, at);

CREATE TABLE refs (
  id TEXT PRIMARY KEY, entity_kind TEXT NOT NULL, entity_id TEXT NOT NULL, kind TEXT NOT NULL,
  data TEXT NOT NULL, at INTEGER NOT NULL, by TEXT NOT NULL
) STRICT;
CREATE INDEX refs_entity ON refs (entity_kind, entity_id);

CREATE TABLE orders (
  id TEXT PRIMARY KEY, county_id TEXT NOT NULL, incident_id TEXT, template TEXT NOT NULL,
  title TEXT NOT NULL, content TEXT NOT NULL, status TEXT NOT NULL, issued_by TEXT NOT NULL,
  issued_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
  sign_deadline_min INTEGER NOT NULL, finish_deadline_min INTEGER NOT NULL, cancel_reason TEXT NOT NULL
) STRICT;
CREATE INDEX orders_incident ON orders (incident_id);
CREATE INDEX orders_status ON orders (status, issued_at);

CREATE TABLE order_targets (
  order_id TEXT NOT NULL, target_id TEXT NOT NULL, target_kind TEXT NOT NULL, county_id TEXT NOT NULL,
  name TEXT NOT NULL, state TEXT NOT NULL, sign_deadline INTEGER NOT NULL, finish_deadline INTEGER NOT NULL,
  signed_at INTEGER, signed_by TEXT, reported_at INTEGER, completed_at INTEGER,
  overdue TEXT NOT NULL, escalation_level INTEGER NOT NULL,
  PRIMARY KEY (order_id, target_id)
) STRICT;
CREATE INDEX order_targets_target ON order_targets (target_id, state);
CREATE INDEX order_targets_open ON order_targets (state, sign_deadline, finish_deadline);

CREATE TABLE order_feedback (
  id TEXT PRIMARY KEY, order_id TEXT NOT NULL, target_id TEXT NOT NULL, text TEXT NOT NULL,
  at INTEGER NOT NULL, by TEXT NOT NULL
) STRICT;
CREATE INDEX order_feedback_order ON order_feedback (order_id, at);

CREATE TABLE units (
  id TEXT PRIMARY KEY, county_id TEXT NOT NULL, org_id TEXT NOT NULL, kind TEXT NOT NULL,
  callsign TEXT NOT NULL, callsign_en TEXT NOT NULL, status TEXT NOT NULL,
  lng REAL NOT NULL, lat REAL NOT NULL, incident_id TEXT, updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX units_county ON units (county_id, status);

CREATE TABLE checkpoints (
  id TEXT PRIMARY KEY, county_id TEXT NOT NULL, org_id TEXT NOT NULL, name TEXT NOT NULL, name_en TEXT NOT NULL,
  road TEXT NOT NULL, lng REAL NOT NULL, lat REAL NOT NULL, active INTEGER NOT NULL, order_id TEXT,
  updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX checkpoints_county ON checkpoints (county_id);

CREATE TABLE cases (
  id TEXT PRIMARY KEY, county_id TEXT NOT NULL, title TEXT NOT NULL, summary TEXT NOT NULL,
  status TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, created_by TEXT NOT NULL
) STRICT;

CREATE TABLE case_incidents (
  case_id TEXT NOT NULL, incident_id TEXT NOT NULL, PRIMARY KEY (case_id, incident_id)
) STRICT;

CREATE TABLE audit (
  seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, operator_id TEXT NOT NULL, workstation_id TEXT NOT NULL,
  command_id TEXT NOT NULL, command TEXT NOT NULL, entity_kind TEXT NOT NULL, entity_id TEXT NOT NULL,
  county_id TEXT NOT NULL, before TEXT NOT NULL, after TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL
) STRICT;
CREATE INDEX audit_entity ON audit (entity_id, seq);

-- What sync will send: every command applied locally, in order, in the same transaction as its effects.
CREATE TABLE outbox (
  counter INTEGER PRIMARY KEY, command_id TEXT NOT NULL UNIQUE, name TEXT NOT NULL, input TEXT NOT NULL,
  operator_id TEXT NOT NULL, at INTEGER NOT NULL
) STRICT;

-- Supervision escalations already announced, so a restart neither loses nor repeats one.
CREATE TABLE escalations (
  order_id TEXT NOT NULL, target_id TEXT NOT NULL, overdue TEXT NOT NULL, level INTEGER NOT NULL, at INTEGER NOT NULL,
  PRIMARY KEY (order_id, target_id, overdue, level)
) STRICT;
`,
};
