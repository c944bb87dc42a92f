// outbox table: the commands this workstation applied and has not yet had accepted by the server.
import { prepared, type DB } from './connection';

export interface OutboxEntry {
  counter: number;
  commandId: string;
  name: string;
  input: unknown;
  operatorId: string;
  at: number;
}

interface OutboxRow {
  counter: number;
  command_id: string;
  name: string;
  input: string;
  operator_id: string;
  at: number;
}

/** The next command counter: strictly increasing for the life of the workstation, even after the outbox drains. */
export function nextCounter(db: DB): number {
  const row = prepared(
    db,
    `INSERT INTO meta (key, value) VALUES ('command_counter', '1')
       ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) RETURNING value`,
  ).get() as { value: string };
  return Number(row.value);
}

export function appendOutbox(db: DB, entry: OutboxEntry): void {
  prepared(
    db,
    'INSERT INTO outbox (counter, command_id, name, input, operator_id, at) VALUES (?, ?, ?, ?, ?, ?)',
  ).run(entry.counter, entry.commandId, entry.name, JSON.stringify(entry.input), entry.operatorId, entry.at);
}

export function listOutbox(db: DB, limit = 1000): OutboxEntry[] {
  const rows = prepared(db, 'SELECT * FROM outbox ORDER BY counter LIMIT ?').all(limit) as OutboxRow[];
  return rows.map((row) => ({
    counter: row.counter,
    commandId: row.command_id,
    name: row.name,
    input: JSON.parse(row.input) as unknown,
    operatorId: row.operator_id,
    at: row.at,
  }));
}

export function removeFromOutbox(db: DB, commandIds: string[]): void {
  const remove = prepared(db, 'DELETE FROM outbox WHERE command_id = ?');
  for (const id of commandIds) remove.run(id);
}

export function outboxStats(db: DB): { pending: number; oldestAt: number | null } {
  const row = prepared(db, 'SELECT count(*) AS n, min(at) AS oldest FROM outbox').get() as {
    n: number;
    oldest: number | null;
  };
  return { pending: row.n, oldestAt: row.oldest };
}
