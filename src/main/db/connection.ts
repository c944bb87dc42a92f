// Opening a store: pragmas for durability (WAL + synchronous=FULL), then migrations.
import Database from 'better-sqlite3';
import { migrate, type Migration, MIGRATIONS } from './migrations/index';

export type DB = Database.Database;

export interface OpenOptions {
  readonly?: boolean;
  migrations?: readonly Migration[];
  /** Path of a better_sqlite3.node built for another runtime (Electron); the package's own build otherwise. */
  nativeBinding?: string;
}

const bindings = new WeakMap<DB, string>();

/** The native module a connection was opened with, when not the package's own (a worker's connection needs it). */
export function nativeBindingOf(db: DB): string | undefined {
  return bindings.get(db);
}

export function openDatabase(file: string, options: OpenOptions = {}): DB {
  const db = new Database(file, {
    readonly: options.readonly ?? false,
    ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
  });
  if (options.nativeBinding) bindings.set(db, options.nativeBinding);
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

const statementCache = new WeakMap<DB, Map<string, Database.Statement>>();

/**
 * The connection's prepared statement for a fixed SQL text, prepared once. Preparing is costly here (an insert
 * into incidents compiles its FTS triggers too) and was most of a command's CPU time. Only for SQL without
 * interpolated lists, and not for statements that are iterated (a cached statement cannot be re-entered).
 */
export function prepared(db: DB, sql: string): Database.Statement {
  let cache = statementCache.get(db);
  if (!cache) {
    cache = new Map();
    statementCache.set(db, cache);
  }
  let statement = cache.get(sql);
  if (!statement) {
    statement = db.prepare(sql);
    cache.set(sql, statement);
  }
  return statement;
}
