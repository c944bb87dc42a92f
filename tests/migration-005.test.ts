// Migration 005 (watch list, checkpoint checks, warnings): applies on a store at 004 without touching what it
// holds, creates STRICT tables that refuse values the domain cannot have, and indexes what the check matching reads.
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

const BEFORE = MIGRATIONS.filter((m) => m.version < 5);
const TABLES = ['checkpoint_checks', 'warnings', 'watch_entries'];

function tables(db: Database.Database): { name: string; strict: number }[] {
  return db
    .prepare(
      `SELECT name, strict FROM pragma_table_list WHERE schema = 'main' AND name IN (${TABLES.map(() => '?').join(', ')})
       ORDER BY name`,
    )
    .all(...TABLES) as { name: string; strict: number }[];
}

const ENTRY = `INSERT INTO watch_entries (id, county_id, kind, value, label, reason, level, active, valid_until,
  incident_id, created_at, created_by, updated_at) VALUES (?, '610926', ?, '陕G7M352', '', '盗窃嫌疑车辆', ?, ?, NULL,
  NULL, 1, 'op-610926', 1)`;

const WARNING = `INSERT INTO warnings (id, watch_id, check_id, checkpoint_id, county_id, lng, lat, kind, value, label,
  reason, level, status, raised_at, acknowledged_at, acknowledged_by, handled_at, handled_by, handle_note,
  incident_id, updated_at) VALUES (?, 'w1', ?, '610926-CP-01', '610926', 109.3, 32.4, 'plate', '陕G7M352', '', '盗窃',
  1, ?, 1, NULL, NULL, NULL, NULL, '', NULL, 1)`;

describe('migration 005 (watch_list)', () => {
  it('is the fifth migration', () => {
    expect(MIGRATIONS[4]).toMatchObject({ version: 5, name: 'watch_list' });
  });

  it('applies on a store at 004, keeping its records, and adds three STRICT tables', () => {
    const dir = mkdtempSync(join(tmpdir(), 'desk-migration-005-'));
    dirs.push(dir);
    const file = join(dir, 'desk.db');
    const old = openDatabase(file, { migrations: BEFORE });
    expect(tables(old), 'the tables do not exist before 005').toEqual([]);
    old
      .prepare(
        `INSERT INTO checkpoints (id, county_id, org_id, name, name_en, road, lng, lat, active, order_id, updated_at)
         VALUES ('610926-CP-01', '610926', '610926-TB', '长安收费站', 'Chang''an toll', 'G6911', 109.3, 32.4, 0, NULL, 1)`,
      )
      .run();
    old.close();

    const db = openDatabase(file);
    expect(tables(db)).toEqual(TABLES.map((name) => ({ name, strict: 1 })));
    expect(db.prepare('SELECT name FROM checkpoints').get(), 'the checkpoint is kept').toEqual({
      name: '长安收费站',
    });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });

  it('refuses a level, kind, flag or status the domain does not have', () => {
    const db = new Database(':memory:');
    migrate(db);
    db.prepare(ENTRY).run('w1', 'plate', 1, 1);
    expect(() => db.prepare(ENTRY).run('w2', 'plate', 4, 1), 'level 4').toThrow(/CHECK constraint/);
    expect(() => db.prepare(ENTRY).run('w3', 'email', 1, 1), 'kind email').toThrow(/CHECK constraint/);
    expect(() => db.prepare(ENTRY).run('w4', 'plate', 1, 2), 'active 2').toThrow(/CHECK constraint/);
    expect(() => db.prepare(ENTRY).run('w5', 'plate', 'high', 1), 'level as text').toThrow(
      /cannot store TEXT value in INTEGER column/,
    );
    db.prepare(WARNING).run('warn-1', 'c1', 'new');
    expect(() => db.prepare(WARNING).run('warn-2', 'c2', 'closed'), 'status closed').toThrow(
      /CHECK constraint/,
    );
    db.close();
  });

  it('holds one warning per check and entry', () => {
    const db = new Database(':memory:');
    migrate(db);
    db.prepare(WARNING).run('warn-1', 'c1', 'new');
    expect(() => db.prepare(WARNING).run('warn-other', 'c1', 'new')).toThrow(/UNIQUE constraint/);
    db.close();
  });

  it('finds the entries of a checked value through an index, not a scan', () => {
    const db = new Database(':memory:');
    migrate(db);
    const plan = (sql: string): string =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join('; ');
    expect(plan("SELECT * FROM watch_entries WHERE kind = 'plate' AND value = 'X' AND active = 1")).toMatch(
      /USING INDEX watch_entries_value/,
    );
    expect(plan("SELECT * FROM warnings WHERE status = 'new' ORDER BY raised_at DESC")).toMatch(
      /USING INDEX warnings_status/,
    );
    expect(plan("SELECT * FROM checkpoint_checks WHERE checkpoint_id = 'X' ORDER BY at DESC")).toMatch(
      /USING INDEX checkpoint_checks_checkpoint/,
    );
    db.close();
  });
});
