// The store's numbered migrations: each applies on an empty store and on the one before it, forward only,
// and a store written by another build is refused untouched.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type DB } from '../src/main/db/connection';
import { migrate, MIGRATIONS, type Migration } from '../src/main/db/migrations/index';
import { DeskError } from '../src/shared/errors';
import { dumpStore } from './helpers/dump';

const dirs: string[] = [];
function tempFile(name = 'desk.db'): string {
  const dir = mkdtempSync(join(tmpdir(), 'desk-migrations-'));
  dirs.push(dir);
  return join(dir, name);
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function appliedVersions(db: DB): { version: number; name: string }[] {
  return db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all() as {
    version: number;
    name: string;
  }[];
}

function userTables(db: DB): string[] {
  return (
    db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .all() as { name: string }[]
  ).map((row) => row.name);
}

/** A later migration, to prove the upgrade path works before there is a real 002. */
const EXTRA: Migration = {
  version: MIGRATIONS.length + 1,
  name: 'test_extra_column',
  up: 'ALTER TABLE incidents ADD COLUMN test_extra TEXT;',
};
const WITH_EXTRA = [...MIGRATIONS, EXTRA];

function refusal(run: () => unknown): DeskError {
  try {
    run();
  } catch (error) {
    if (error instanceof DeskError) return error;
    throw error;
  }
  throw new Error('the store was opened but should have been refused');
}

describe('migrations', () => {
  it('are numbered 1, 2, 3, ... with distinct names', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(new Set(MIGRATIONS.map((m) => m.name)).size).toBe(MIGRATIONS.length);
  });

  it.each(WITH_EXTRA.map((m, i) => ({ version: m.version, name: m.name, upTo: i + 1 })))(
    'migration $version ($name) applies on an empty store',
    ({ upTo }) => {
      const db = new Database(':memory:');
      const ran = migrate(db, WITH_EXTRA.slice(0, upTo));
      expect(ran).toEqual(WITH_EXTRA.slice(0, upTo).map((m) => m.version));
      expect(appliedVersions(db).map((row) => row.version)).toEqual(ran);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      db.close();
    },
  );

  it('001 creates the workstation tables', () => {
    const db = openDatabase(':memory:');
    expect(userTables(db)).toEqual(
      expect.arrayContaining([
        'audit',
        'case_incidents',
        'cases',
        'checkpoints',
        'escalations',
        'incident_counters',
        'incident_links',
        'incidents',
        'incidents_fts',
        'jurisdictions',
        'meta',
        'operators',
        'order_feedback',
        'order_targets',
        'orders',
        'orgs',
        'outbox',
        'places',
        'refs',
        'schema_migrations',
        'timeline',
        'units',
      ]),
    );
    db.close();
  });

  it.each(WITH_EXTRA.slice(1).map((m, i) => ({ version: m.version, name: m.name, previous: i + 1 })))(
    'migration $version ($name) applies on a store at version $previous, keeping its records',
    ({ version, previous }) => {
      const file = tempFile();
      const old = openDatabase(file, { migrations: WITH_EXTRA.slice(0, previous) });
      old.prepare("INSERT INTO meta (key, value) VALUES ('kept', 'yes')").run();
      old.close();

      const db = openDatabase(file, { migrations: WITH_EXTRA });
      expect(appliedVersions(db).map((row) => row.version)).toContain(version);
      expect(appliedVersions(db).map((row) => row.version)).toEqual(WITH_EXTRA.map((m) => m.version));
      expect(db.prepare("SELECT value FROM meta WHERE key = 'kept'").get()).toEqual({ value: 'yes' });
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      db.close();
    },
  );

  it('re-opening an up-to-date store runs nothing and changes nothing', () => {
    const file = tempFile();
    openDatabase(file).close();
    const first = openDatabase(file);
    const before = dumpStore(first);
    first.close();
    const db = openDatabase(file);
    expect(migrate(db)).toEqual([]);
    expect(dumpStore(db)).toBe(before);
    db.close();
  });

  it('a failing migration leaves the store at the version before it', () => {
    const file = tempFile();
    openDatabase(file).close();
    const broken: Migration = {
      version: MIGRATIONS.length + 1,
      name: 'broken',
      up: (db) => {
        db.exec('CREATE TABLE half_done (x INTEGER) STRICT');
        throw new Error('disk on fire');
      },
    };
    expect(() => openDatabase(file, { migrations: [...MIGRATIONS, broken] })).toThrow('disk on fire');
    const db = openDatabase(file);
    expect(appliedVersions(db).length).toBe(MIGRATIONS.length);
    expect(userTables(db)).not.toContain('half_done');
    db.close();
  });

  describe('a store written by another build', () => {
    function refusedUntouched(tamper: (db: DB) => void, expected: RegExp): void {
      const file = tempFile();
      const db = openDatabase(file);
      tamper(db);
      const dump = dumpStore(db);
      db.close();
      const bytes = readFileSync(file);

      const error = refusal(() => openDatabase(file));
      expect(error.code).toBe('version_mismatch');
      expect(error.message).toMatch(expected);
      expect(error.message).toMatch(/refusing to open/);

      expect(readFileSync(file).equals(bytes), 'the refused store file was modified').toBe(true);
      const check = new Database(file, { readonly: true });
      expect(dumpStore(check)).toBe(dump);
      check.close();
    }

    it('is refused when it has a migration this build does not know', () => {
      refusedUntouched(
        (db) =>
          db
            .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
            .run(MIGRATIONS.length + 1, 'from_the_future', 1),
        new RegExp(`migration ${MIGRATIONS.length + 1} \\(from_the_future\\)`),
      );
    });

    it('is refused when a known version has a different name', () => {
      refusedUntouched(
        (db) => db.prepare("UPDATE schema_migrations SET name = 'someone_else' WHERE version = 1").run(),
        /migration 1 \(someone_else\).*expected 1 initial/,
      );
    });

    it('is refused when its history has a gap', () => {
      const last = MIGRATIONS[MIGRATIONS.length - 1]!;
      refusedUntouched(
        (db) =>
          db
            .prepare('UPDATE schema_migrations SET version = version + 10 WHERE version = ?')
            .run(last.version),
        new RegExp(`migration ${last.version + 10} \\(${last.name}\\)`),
      );
    });
  });

  it('makes every table STRICT, so a wrong type is refused by the store itself', () => {
    const db = openDatabase(':memory:');
    const tables = db
      .prepare("SELECT name, type, strict FROM pragma_table_list WHERE schema = 'main'")
      .all() as {
      name: string;
      type: string;
      strict: number;
    }[];
    const ordinary = tables.filter(
      (t) => t.type === 'table' && !t.name.startsWith('sqlite_') && !t.name.startsWith('incidents_fts'),
    );
    expect(ordinary.length).toBeGreaterThan(15);
    for (const table of ordinary) expect(table.strict, `table ${table.name} is not STRICT`).toBe(1);

    expect(() =>
      db
        .prepare("INSERT INTO incident_counters (county_id, day, last) VALUES ('610926', '20261129', 'many')")
        .run(),
    ).toThrow(/cannot store TEXT value in INTEGER column/);
    expect(() =>
      db
        .prepare(
          "INSERT INTO outbox (counter, command_id, name, input, operator_id, at) VALUES (1, 'c', 'n', 'i', 'o', 'soon')",
        )
        .run(),
    ).toThrow(/cannot store TEXT value in INTEGER column/);
    db.close();
  });

  it('opens a file store in WAL mode with synchronous=FULL', () => {
    const file = tempFile();
    const db = openDatabase(file);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
    // WAL is a property of the file: it survives a reopen by a plain handle.
    const plain = new Database(file);
    expect(plain.pragma('journal_mode', { simple: true })).toBe('wal');
    plain.close();
  });
});
