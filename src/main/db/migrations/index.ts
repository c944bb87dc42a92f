// Numbered, forward-only migrations. Each runs in one transaction with its bookkeeping row.
// The server runs these too, then its own (src/server/migrations.ts), which drop the incidents indexes it never
// reads (incidents_status, _county, _received, _place): a migration here that drops or alters one of them must
// use IF EXISTS.
import type Database from 'better-sqlite3';
import { DeskError } from '../../../shared/errors';
import { migration001 } from './001_initial';
import { migration002 } from './002_sync';
import { migration003 } from './003_conflicts';
import { migration004 } from './004_deferred_search_index';
import { migration005 } from './005_watch_list';
import { migration006 } from './006_lean_pull_writes';

export interface Migration {
  version: number;
  name: string;
  up: string | ((db: Database.Database) => void);
}

export const MIGRATIONS: readonly Migration[] = [
  migration001,
  migration002,
  migration003,
  migration004,
  migration005,
  migration006,
];

interface AppliedRow {
  version: number;
  name: string;
}

/**
 * Applies the missing migrations; refuses a database whose history is not a prefix of ours.
 * `table` names the bookkeeping table, so a second list (the server's own tables) can live beside the core one.
 */
export function migrate(
  db: Database.Database,
  migrations: readonly Migration[] = MIGRATIONS,
  table = 'schema_migrations',
): number[] {
  if (!/^[a-z_]+$/.test(table)) throw new DeskError('invalid_input', `bad migrations table name ${table}`);
  db.exec(
    `CREATE TABLE IF NOT EXISTS ${table} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT`,
  );
  const applied = db.prepare(`SELECT version, name FROM ${table} ORDER BY version`).all() as AppliedRow[];
  applied.forEach((row, index) => {
    const known = migrations[index];
    if (!known || known.version !== row.version || known.name !== row.name) {
      throw new DeskError(
        'version_mismatch',
        `database has migration ${row.version} (${row.name}) which this version of Command Desk does not know` +
          (known ? ` (expected ${known.version} ${known.name})` : '') +
          ': it was written by a newer or different build; refusing to open it',
        { version: row.version, name: row.name },
      );
    }
  });
  const ran: number[] = [];
  for (const migration of migrations.slice(applied.length)) {
    db.transaction(() => {
      if (typeof migration.up === 'string') db.exec(migration.up);
      else migration.up(db);
      db.prepare(`INSERT INTO ${table} (version, name, applied_at) VALUES (?, ?, ?)`).run(
        migration.version,
        migration.name,
        Date.now(),
      );
    })();
    ran.push(migration.version);
  }
  return ran;
}
