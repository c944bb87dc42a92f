// Opening a store: pragmas for durability (WAL + synchronous=FULL), then migrations.
import Database from 'better-sqlite3';
import { migrate, type Migration, MIGRATIONS } from './migrations/index';

export type DB = Database.Database;

export interface OpenOptions {
  readonly?: boolean;
  migrations?: readonly Migration[];
}

export function openDatabase(file: string, options: OpenOptions = {}): DB {
  const db = new Database(file, { readonly: options.readonly ?? false });
  try {
    if (file !== ':memory:' && !options.readonly) db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    if (!options.readonly) migrate(db, options.migrations ?? MIGRATIONS);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
