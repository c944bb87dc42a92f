// The server's own migrations. Migration 2 replaces the change log's two indexes by one: on a store written
// before it, every change stays, a record still has at most one change per partition, and the change log's
// lookup of a record's changes by (kind, id) is served by the new index.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, MIGRATIONS } from '../../src/main/db/migrations/index';
import { SERVER_MIGRATIONS, SERVER_MIGRATIONS_TABLE } from '../../src/server/migrations';

const INSERT =
  'INSERT INTO changes (partition, seq, kind, id, op, record, hash) VALUES (?, ?, ?, ?, ?, ?, ?)';

function storeAt(version: number): Database.Database {
  const db = new Database(':memory:');
  migrate(db, MIGRATIONS);
  migrate(
    db,
    SERVER_MIGRATIONS.filter((m) => m.version <= version),
    SERVER_MIGRATIONS_TABLE,
  );
  return db;
}

function indexes(db: Database.Database): { name: string; sql: string }[] {
  return db
    .prepare(
      "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'changes' AND sql IS NOT NULL",
    )
    .all() as { name: string; sql: string }[];
}

describe('server migration 2 (one_change_index)', () => {
  it('is the second server migration', () => {
    expect(SERVER_MIGRATIONS[1]).toMatchObject({ version: 2, name: 'one_change_index' });
  });

  it('keeps the changes of a store written before it and leaves one index on (kind, id, partition)', () => {
    const db = storeAt(1);
    expect(
      indexes(db)
        .map((i) => i.name)
        .sort(),
    ).toEqual(['changes_live', 'changes_record']);
    const insert = db.prepare(INSERT);
    insert.run('610926', 1, 'incident', 'inc-1', 'put', '{"id":"inc-1"}', 'a'.repeat(64));
    insert.run('610926', 2, 'timeline', 'inc-1.t1', 'put', '{"id":"inc-1.t1"}', 'b'.repeat(64));
    insert.run('610902', 1, 'incident', 'inc-2', 'put', '{"id":"inc-2"}', 'c'.repeat(64));
    insert.run('610902', 2, 'incident', 'inc-1', 'delete', 'null', '');
    const before = db.prepare('SELECT * FROM changes ORDER BY partition, seq').all();

    expect(
      migrate(
        db,
        SERVER_MIGRATIONS.filter((m) => m.version <= 2),
        SERVER_MIGRATIONS_TABLE,
      ),
    ).toEqual([2]);
    expect(db.prepare('SELECT * FROM changes ORDER BY partition, seq').all(), 'every change is kept').toEqual(
      before,
    );
    expect(indexes(db)).toEqual([
      { name: 'changes_record', sql: 'CREATE UNIQUE INDEX changes_record ON changes (kind, id, partition)' },
    ]);
    db.close();
  });

  it('still refuses a second change of a record in one partition, and allows one in another partition', () => {
    const db = storeAt(2);
    const insert = db.prepare(INSERT);
    insert.run('610926', 1, 'incident', 'inc-1', 'put', '{}', 'a'.repeat(64));
    expect(() => insert.run('610926', 2, 'incident', 'inc-1', 'put', '{}', 'b'.repeat(64))).toThrow(
      /UNIQUE constraint failed: changes.kind, changes.id, changes.partition/,
    );
    insert.run('610902', 1, 'incident', 'inc-1', 'delete', 'null', '');
    insert.run('610926', 2, 'timeline', 'inc-1', 'put', '{}', 'c'.repeat(64));
    expect(db.prepare('SELECT count(*) AS n FROM changes').get()).toEqual({ n: 3 });
    db.close();
  });

  it('serves the change log’s lookups by (kind, id) from the index, not a scan', () => {
    const db = storeAt(2);
    const plan = (sql: string, ...params: unknown[]) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[])
        .map((row) => row.detail)
        .join(' | ');
    expect(
      plan('SELECT partition, seq, op, hash FROM changes WHERE kind = ? AND id = ?', 'incident', 'x'),
    ).toMatch(/SEARCH changes USING INDEX changes_record \(kind=\? AND id=\?\)/);
    expect(
      plan(
        'SELECT id, partition, seq, op, hash FROM changes WHERE kind = ? AND id IN (SELECT value FROM json_each(?))',
        'incident',
        '[]',
      ),
    ).toMatch(/SEARCH changes USING INDEX changes_record \(kind=\? AND id=\?\)/);
    db.close();
  });
});

describe('server migration 3 (no_incident_list_indexes)', () => {
  const LIST_INDEXES = ['incidents_county', 'incidents_place', 'incidents_received', 'incidents_status'];
  const incidentIndexes = (db: Database.Database): string[] =>
    (
      db
        .prepare(
          "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'incidents' ORDER BY name",
        )
        .all() as { name: string }[]
    ).map((row) => row.name);

  it('is the third server migration', () => {
    expect(SERVER_MIGRATIONS[2]).toMatchObject({ version: 3, name: 'no_incident_list_indexes' });
  });

  it('drops the list indexes the server never reads, keeps every incident and finds them by id', () => {
    const db = storeAt(2);
    expect(incidentIndexes(db)).toEqual(expect.arrayContaining(LIST_INDEXES));
    db.prepare(
      `INSERT INTO incidents (id, number, county_id, source, category, priority, status, caller_name, caller_phone,
         address, summary, notes, lng, lat, received_at, updated_at, disposition, created_by)
       VALUES ('inc-1', 'n-1', '610926', 'call_110', 'theft', 2, 'new', '', '', 'a', 's', '', 109.2, 32.4, 1, 1, '', 'op')`,
    ).run();
    const before = db.prepare('SELECT * FROM incidents').all();

    expect(
      migrate(
        db,
        SERVER_MIGRATIONS.filter((m) => m.version <= 3),
        SERVER_MIGRATIONS_TABLE,
      ),
    ).toEqual([3]);
    expect(incidentIndexes(db)).toEqual(['sqlite_autoindex_incidents_1']);
    expect(db.prepare('SELECT * FROM incidents').all()).toEqual(before);
    const plan = (
      db.prepare('EXPLAIN QUERY PLAN SELECT * FROM incidents WHERE id = ?').all('inc-1') as {
        detail: string;
      }[]
    )
      .map((row) => row.detail)
      .join(' | ');
    expect(plan).toMatch(/SEARCH incidents USING INDEX sqlite_autoindex_incidents_1 \(id=\?\)/);
    db.close();
  });
});

describe('server migration 4: workstation number prefixes', () => {
  it('is the fourth server migration', () => {
    expect(SERVER_MIGRATIONS[3]).toMatchObject({ version: 4, name: 'workstation_number_prefixes' });
  });

  it('gives workstations enrolled before it their place, and new ones the next, never reused', () => {
    const db = storeAt(3);
    const enrol = db.prepare(
      "INSERT INTO workstations (id, jurisdiction_id, secret_hash, enrolled_at) VALUES (?, '610926', 'h', 1)",
    );
    for (const id of ['ws-a', 'ws-b', 'ws-c']) enrol.run(id);
    expect(migrate(db, SERVER_MIGRATIONS, SERVER_MIGRATIONS_TABLE)).toEqual([4]);
    const seqs = () =>
      db.prepare('SELECT id, number_seq FROM workstations ORDER BY number_seq').all() as {
        id: string;
        number_seq: number;
      }[];
    expect(seqs()).toEqual([
      { id: 'ws-a', number_seq: 1 },
      { id: 'ws-b', number_seq: 2 },
      { id: 'ws-c', number_seq: 3 },
    ]);
    // Two workstations cannot share a place.
    expect(() => db.prepare("UPDATE workstations SET number_seq = 1 WHERE id = 'ws-b'").run()).toThrow(
      /UNIQUE/,
    );
    db.close();
  });
});
