// Migration 006 (lean_pull_writes): sync_records keyed by record without a rowid, and the unused incident number
// index gone. It applies on a store at 005 keeping every held record hash, and each lookup a pull makes stays a
// probe of the one key.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/main/db/connection';
import { migrate, MIGRATIONS } from '../src/main/db/migrations/index';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const BEFORE = MIGRATIONS.filter((m) => m.version < 6);
const HASH_A = 'a'.repeat(64);
const HASH_B = 'b'.repeat(64);

function plan(db: Database.Database, sql: string): string {
  return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[])
    .map((row) => row.detail)
    .join('; ');
}

describe('migration 006 (lean_pull_writes)', () => {
  it('is the sixth migration', () => {
    expect(MIGRATIONS[5]).toMatchObject({ version: 6, name: 'lean_pull_writes' });
  });

  it('applies on a store at 005, keeping every held record hash and forgetting the re-hash position', () => {
    const dir = mkdtempSync(join(tmpdir(), 'desk-migration-006-'));
    dirs.push(dir);
    const file = join(dir, 'desk.db');
    const old = openDatabase(file, { migrations: BEFORE });
    const insert = old.prepare('INSERT INTO sync_records (partition, kind, id, hash) VALUES (?, ?, ?, ?)');
    insert.run('610926', 'incident', 'inc-1', HASH_A);
    insert.run('610900', 'incident', 'inc-1', HASH_B);
    insert.run('610926', 'timeline', 'tl-1', HASH_B);
    old
      .prepare("INSERT INTO sync_meta (key, value) VALUES ('verify_position', ?), ('last_sync_at', '1')")
      .run(JSON.stringify(['610926', 'incident', 'inc-1']));
    old.close();

    const db = openDatabase(file);
    expect(
      db.prepare('SELECT partition, kind, id, hash FROM sync_records ORDER BY partition, kind, id').all(),
    ).toEqual([
      { partition: '610900', kind: 'incident', id: 'inc-1', hash: HASH_B },
      { partition: '610926', kind: 'incident', id: 'inc-1', hash: HASH_A },
      { partition: '610926', kind: 'timeline', id: 'tl-1', hash: HASH_B },
    ]);
    expect(
      db.prepare("SELECT key FROM sync_meta WHERE key IN ('verify_position', 'last_sync_at')").all(),
      'the old key order position is dropped, other bookkeeping kept',
    ).toEqual([{ key: 'last_sync_at' }]);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });

  it('keys sync_records by (kind, id, partition) without a rowid or a second index', () => {
    const db = new Database(':memory:');
    migrate(db);
    const table = db
      .prepare("SELECT wr, strict FROM pragma_table_list WHERE schema = 'main' AND name = 'sync_records'")
      .get();
    expect(table).toEqual({ wr: 1, strict: 1 });
    expect(db.prepare("SELECT name FROM pragma_index_list('sync_records')").all()).toEqual([
      { name: 'sqlite_autoindex_sync_records_1' },
    ]);
    expect(
      (
        db.prepare("SELECT name FROM pragma_index_info('sqlite_autoindex_sync_records_1')").all() as {
          name: string;
        }[]
      ).map((column) => column.name),
    ).toEqual(['kind', 'id', 'partition']);
    db.prepare(
      "INSERT INTO sync_records (kind, id, partition, hash) VALUES ('incident', 'inc-1', '610926', ?)",
    ).run(HASH_A);
    expect(
      () =>
        db
          .prepare(
            "INSERT INTO sync_records (kind, id, partition, hash) VALUES ('incident', 'inc-1', '610926', ?)",
          )
          .run(HASH_B),
      'a record is held once per partition',
    ).toThrow(/UNIQUE constraint/);
    db.close();
  });

  it('finds a record in one partition, in any partition and the next re-hash slice by the key, not a scan', () => {
    const db = new Database(':memory:');
    migrate(db);
    const byKey = /SEARCH sync_records USING PRIMARY KEY/;
    expect(
      plan(
        db,
        "SELECT hash FROM sync_records WHERE kind = 'incident' AND id = 'inc-1' AND partition = '610926'",
      ),
    ).toMatch(byKey);
    expect(plan(db, "SELECT 1 FROM sync_records WHERE kind = 'incident' AND id = 'inc-1' LIMIT 1")).toMatch(
      byKey,
    );
    const slice = plan(
      db,
      `SELECT kind, id, partition, hash FROM sync_records WHERE (kind, id, partition) > ('incident', 'inc-1', '610926')
       ORDER BY kind, id, partition LIMIT 2000`,
    );
    expect(slice).toMatch(byKey);
    expect(slice, 'the slice comes in key order, unsorted').not.toMatch(/TEMP B-TREE/);
    db.close();
  });

  it('drops the incident number index and keeps the ones the incident list and map read', () => {
    const db = new Database(':memory:');
    migrate(db);
    const indexes = (
      db.prepare("SELECT name FROM pragma_index_list('incidents')").all() as { name: string }[]
    )
      .map((row) => row.name)
      .sort();
    expect(indexes).toEqual([
      'incidents_county',
      'incidents_place',
      'incidents_received',
      'incidents_status',
      'sqlite_autoindex_incidents_1',
    ]);
    db.close();
  });
});
