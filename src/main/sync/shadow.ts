// Shadows: the server-confirmed version of every row a pending local command touched, so a rebase can put the
// store back to what the server said, apply what it says now, and replay the pending commands on top.
//
// Rows are captured by TEMP triggers on this connection only (the server, which shares the schema, never
// captures): the first change of a row while capturing copies its old version (or "did not exist") into
// shadow_<table>. Capturing at row level covers every table a handler writes (targets, links, checks…)
// without each handler having to report what it touched before touching it.
//
// A row the server writes (a pulled change) is server-confirmed from then on: its shadow is dropped by the same
// triggers, so a rebase that comes later neither puts back an older version over it nor misses that the server
// changed it. That lets a long pull apply its pages without restoring and replaying on every page.
import { prepared, type DB } from '../db/connection';

/**
 * Tables whose rows commands change and sync replicates or derives; counters and audit are never rolled back, nor
 * is `escalations`: the server never sends it back (its orders carry the escalation, not the row), so a rebase
 * would delete every row and the supervision timer would escalate and announce the same level again at each tick.
 * A console's rows say what it has escalated and announced, whatever the server made of it.
 */
export const SHADOWED_TABLES = [
  'incidents',
  'incident_links',
  'timeline',
  'refs',
  'orders',
  'order_targets',
  'order_feedback',
  'units',
  'checkpoints',
  'cases',
  'case_incidents',
  'conflicts',
  'watch_entries',
  'checkpoint_checks',
  'warnings',
] as const;

interface Column {
  name: string;
  type: string;
  pk: number;
}

interface ShadowTable {
  table: string;
  columns: string[];
  keys: string[];
}

/**
 * What a write to a shadowed table is: `local` (a command, pending until the server confirms it: captured),
 * `server` (a pulled change: the row's shadow is dropped), `restore` (shadows being put back: left alone).
 */
export type WriteMode = 'local' | 'server' | 'restore';

const MODE_CODES: Record<WriteMode, number> = { restore: 0, local: 1, server: 2 };

const modes = new WeakMap<DB, { mode: WriteMode }>();

/**
 * The triggers read the write mode from a one-row TEMP table rather than by calling back into JavaScript: a user
 * function in every trigger's WHEN cost ~3 µs per written row (two triggers per write), a third of writing a
 * pulled incident; a read of the TEMP row costs next to nothing. The row follows withWriteMode, inside the
 * caller's transaction, so a rollback leaves it as it was before that transaction, as withWriteMode does.
 */
const MODE_ROW = 'temp.shadow_write_mode';

function storeMode(db: DB, mode: WriteMode): void {
  prepared(db, `UPDATE ${MODE_ROW} SET mode = ?`).run(MODE_CODES[mode]);
}

function tableExists(db: DB, table: string): boolean {
  return (
    prepared(db, "SELECT 1 FROM main.sqlite_master WHERE type = 'table' AND name = ?").get(table) !==
    undefined
  );
}

function describe(db: DB, table: string): ShadowTable {
  const columns = db.prepare(`PRAGMA main.table_info(${table})`).all() as Column[];
  const keys = columns
    .filter((column) => column.pk > 0)
    .sort((a, b) => a.pk - b.pk)
    .map((column) => column.name);
  if (keys.length === 0) throw new Error(`table ${table} has no primary key: it cannot be shadowed`);
  return { table, columns: columns.map((column) => column.name), keys };
}

function shadowTables(db: DB): ShadowTable[] {
  return SHADOWED_TABLES.filter((table) => tableExists(db, table)).map((table) => describe(db, table));
}

const described = new WeakMap<DB, ShadowTable[]>();

function tablesOf(db: DB): ShadowTable[] {
  let tables = described.get(db);
  if (!tables) {
    tables = shadowTables(db);
    described.set(db, tables);
  }
  return tables;
}

/**
 * Creates the shadow tables (kept in the store: pending commands and their shadows survive a restart) and this
 * connection's capture triggers. Capturing is on from here: every local command is a pending command.
 */
export function installShadows(db: DB): void {
  // With TEMP triggers on a table, every write to it opens a statement journal, a temporary file by default: that
  // tripled the CPU time of a pulled page (most of it in the kernel). In memory it costs next to nothing.
  db.pragma('temp_store = MEMORY');
  const state = modes.get(db) ?? { mode: 'local' };
  modes.set(db, state);
  db.exec(`CREATE TEMP TABLE IF NOT EXISTS shadow_write_mode (mode INTEGER NOT NULL)`);
  db.exec(`DELETE FROM ${MODE_ROW}`);
  prepared(db, `INSERT INTO ${MODE_ROW} (mode) VALUES (?)`).run(MODE_CODES[state.mode]);
  for (const { table, columns, keys } of tablesOf(db)) {
    const info = db.prepare(`PRAGMA main.table_info(${table})`).all() as Column[];
    const definitions = info.map((column) => `"${column.name}" ${column.type || 'ANY'}`).join(', ');
    db.exec(
      `CREATE TABLE IF NOT EXISTS main.shadow_${table} (${definitions}, _existed INTEGER NOT NULL,
         PRIMARY KEY (${keys.map((key) => `"${key}"`).join(', ')}))`,
    );
    const list = columns.map((column) => `"${column}"`).join(', ');
    const keyList = keys.map((key) => `"${key}"`).join(', ');
    // INSERT … SELECT … WHERE NOT EXISTS rather than INSERT OR IGNORE: an upsert's conflict clause would override
    // the trigger's OR IGNORE. The first capture of a row wins: it is the server-confirmed version.
    const same = (row: 'old' | 'new') => keys.map((key) => `s."${key}" IS ${row}."${key}"`).join(' AND ');
    const absent = (row: 'old' | 'new') =>
      `NOT EXISTS (SELECT 1 FROM main.shadow_${table} s WHERE ${same(row)})`;
    const drop = (row: 'old' | 'new') => `DELETE FROM main.shadow_${table} AS s WHERE ${same(row)};`;
    const local = `(SELECT mode FROM ${MODE_ROW}) = ${MODE_CODES.local}`;
    const server = `(SELECT mode FROM ${MODE_ROW}) = ${MODE_CODES.server}`;
    db.exec(`
      CREATE TEMP TRIGGER IF NOT EXISTS shadow_${table}_insert AFTER INSERT ON main.${table} WHEN ${local}
      BEGIN
        INSERT INTO main.shadow_${table} (${keyList}, _existed)
          SELECT ${keys.map((key) => `new."${key}"`).join(', ')}, 0 WHERE ${absent('new')};
      END;
      CREATE TEMP TRIGGER IF NOT EXISTS shadow_${table}_update AFTER UPDATE ON main.${table} WHEN ${local}
      BEGIN
        INSERT INTO main.shadow_${table} (${list}, _existed)
          SELECT ${columns.map((column) => `old."${column}"`).join(', ')}, 1 WHERE ${absent('old')};
      END;
      CREATE TEMP TRIGGER IF NOT EXISTS shadow_${table}_delete AFTER DELETE ON main.${table} WHEN ${local}
      BEGIN
        INSERT INTO main.shadow_${table} (${list}, _existed)
          SELECT ${columns.map((column) => `old."${column}"`).join(', ')}, 1 WHERE ${absent('old')};
      END;
      CREATE TEMP TRIGGER IF NOT EXISTS shadow_${table}_server_insert AFTER INSERT ON main.${table} WHEN ${server}
      BEGIN ${drop('new')} END;
      CREATE TEMP TRIGGER IF NOT EXISTS shadow_${table}_server_update AFTER UPDATE ON main.${table} WHEN ${server}
      BEGIN ${drop('old')} END;
      CREATE TEMP TRIGGER IF NOT EXISTS shadow_${table}_server_delete AFTER DELETE ON main.${table} WHEN ${server}
      BEGIN ${drop('old')} END;
    `);
  }
}

/** Runs `work` with its writes counted as `mode` (local commands are the default). */
export function withWriteMode<T>(db: DB, mode: WriteMode, work: () => T): T {
  const state = modes.get(db);
  if (!state) return work();
  const previous = state.mode;
  if (previous === mode) return work();
  state.mode = mode;
  storeMode(db, mode);
  try {
    return work();
  } finally {
    state.mode = previous;
    if (db.open) storeMode(db, previous);
  }
}

export function shadowCount(db: DB): number {
  let count = 0;
  for (const { table } of tablesOf(db)) {
    if (!tableExists(db, `shadow_${table}`)) continue;
    count += (prepared(db, `SELECT count(*) AS n FROM main.shadow_${table}`).get() as { n: number }).n;
  }
  return count;
}

/**
 * Puts every shadowed row back to its server-confirmed version (deleting rows that did not exist there) and
 * empties the shadows. Call inside a transaction, in `restore` mode.
 */
export function restoreShadows(db: DB): number {
  let restored = 0;
  for (const { table, columns, keys } of tablesOf(db)) {
    if (!tableExists(db, `shadow_${table}`)) continue;
    const count = (prepared(db, `SELECT count(*) AS n FROM main.shadow_${table}`).get() as { n: number }).n;
    if (count === 0) continue;
    restored += count;
    const list = columns.map((column) => `"${column}"`).join(', ');
    const keyList = keys.map((key) => `"${key}"`).join(', ');
    // Driven by the shadow rows through the table's key, not a scan of the table: a rebase costs what is pending.
    prepared(
      db,
      `DELETE FROM main.${table} WHERE (${keyList}) IN (SELECT ${keyList} FROM main.shadow_${table})`,
    ).run();
    prepared(
      db,
      `INSERT INTO main.${table} (${list}) SELECT ${list} FROM main.shadow_${table} WHERE _existed = 1`,
    ).run();
    prepared(db, `DELETE FROM main.shadow_${table}`).run();
  }
  return restored;
}
