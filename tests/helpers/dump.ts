// A full, ordered dump of a store, so a test can prove a refused command left it byte-for-byte unchanged.
import type { DB } from '../../src/main/db/connection';

/** Every row of every table (FTS shadow tables included), in a fixed order, as one string. */
export function dumpStore(db: DB): string {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
    name: string;
  }[];
  const parts: string[] = [];
  for (const { name } of tables) {
    // Virtual tables are dumped through their shadow tables, which hold the real bytes.
    const sql = (
      db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) as {
        sql: string | null;
      }
    ).sql;
    if (sql?.startsWith('CREATE VIRTUAL TABLE')) continue;
    const withoutRowid = sql?.includes('WITHOUT ROWID') ?? false;
    const rows = db
      .prepare(`SELECT * FROM "${name}" ${withoutRowid ? '' : 'ORDER BY rowid'}`)
      .raw()
      .all();
    parts.push(`${name}\n${rows.map((row) => JSON.stringify(row, bufferAware)).join('\n')}`);
  }
  return parts.join('\n\n');
}

function bufferAware(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (typeof value === 'bigint') return value.toString();
  return value;
}
