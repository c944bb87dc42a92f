// 005: the watch list (布控), checkpoint checks (盘查记录) and the warnings (预警) a check raises when it matches.
import type { Migration } from './index';

export const migration005: Migration = {
  version: 5,
  name: 'watch_list',
  up: `
-- county_id is the owner county, or the city (610900) for a city-wide entry. value is normalised (plates upper
-- case without spaces, phones digits only), so a check finds its entries by equality on (kind, value).
CREATE TABLE watch_entries (
  id TEXT PRIMARY KEY, county_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('person','plate','phone')), value TEXT NOT NULL,
  label TEXT NOT NULL, reason TEXT NOT NULL, level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 3),
  active INTEGER NOT NULL CHECK (active IN (0, 1)), valid_until INTEGER, incident_id TEXT,
  created_at INTEGER NOT NULL, created_by TEXT NOT NULL, updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX watch_entries_value ON watch_entries (kind, value);
CREATE INDEX watch_entries_county ON watch_entries (county_id, created_at);

-- Append-only, in the checkpoint's county.
CREATE TABLE checkpoint_checks (
  id TEXT PRIMARY KEY, checkpoint_id TEXT NOT NULL, county_id TEXT NOT NULL, at INTEGER NOT NULL,
  plate TEXT, person_id TEXT, phone TEXT, note TEXT NOT NULL, by TEXT NOT NULL
) STRICT;
CREATE INDEX checkpoint_checks_checkpoint ON checkpoint_checks (checkpoint_id, at);
CREATE INDEX checkpoint_checks_county ON checkpoint_checks (county_id, at);

-- One warning per (check, entry): its id is derived from the pair, so a re-applied check raises the same one.
-- What the entry said is copied in: a county that cannot read the entry still knows what the warning is about.
CREATE TABLE warnings (
  id TEXT PRIMARY KEY, watch_id TEXT NOT NULL, check_id TEXT NOT NULL, checkpoint_id TEXT NOT NULL,
  county_id TEXT NOT NULL, lng REAL NOT NULL, lat REAL NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('person','plate','phone')), value TEXT NOT NULL, label TEXT NOT NULL,
  reason TEXT NOT NULL, level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 3),
  status TEXT NOT NULL CHECK (status IN ('new','acknowledged','handled')), raised_at INTEGER NOT NULL,
  acknowledged_at INTEGER, acknowledged_by TEXT, handled_at INTEGER, handled_by TEXT, handle_note TEXT NOT NULL,
  incident_id TEXT, updated_at INTEGER NOT NULL,
  UNIQUE (check_id, watch_id)
) STRICT;
CREATE INDEX warnings_status ON warnings (status, raised_at);
CREATE INDEX warnings_county ON warnings (county_id, raised_at);
CREATE INDEX warnings_raised ON warnings (raised_at);
`,
};
