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

function toEntry(row: OutboxRow): OutboxEntry {
  return {
    counter: row.counter,
    commandId: row.command_id,
    name: row.name,
    input: JSON.parse(row.input) as unknown,
    operatorId: row.operator_id,
    at: row.at,
  };
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

/**
 * Moves the command counter up to `next` when it is behind (the server's next counter for this workstation id,
 * given at sign-in), or when a pending command's counter is below `next`, renumbering the pending commands from
 * `next` on in their order; returns how many moved. Only a store the server did not hear from can be behind: a new
 * store, or one restored from a backup, under an enrolled id. Its counters would name commands the server already holds and every push would be refused as a conflict. A
 * pending command the server did receive keeps its command id, by which the server still knows it (a duplicate).
 */
export function raiseCounter(db: DB, next: number): number {
  return db.transaction(() => {
    const row = prepared(
      db,
      "SELECT CAST(value AS INTEGER) AS last FROM meta WHERE key = 'command_counter'",
    ).get() as { last: number } | undefined;
    const pending = prepared(db, 'SELECT counter FROM outbox ORDER BY counter').pluck().all() as number[];
    // Behind when its counter is, or when a pending command holds a counter the server has given to another: a
    // backup restored after the console was reinstalled holds calls numbered below what the new store pushed.
    const last = Math.max(row?.last ?? 0, pending.at(-1) ?? 0);
    if (last + 1 >= next && (pending[0] ?? next) >= next) return 0;
    // Through negatives: the counter is the outbox's key, and no row may take another's on the way.
    prepared(db, 'UPDATE outbox SET counter = -counter').run();
    const move = prepared(db, 'UPDATE outbox SET counter = ? WHERE counter = ?');
    pending.forEach((counter, index) => move.run(next + index, -counter));
    prepared(
      db,
      `INSERT INTO meta (key, value) VALUES ('command_counter', ?)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    ).run(String(Math.max(last, next + pending.length - 1)));
    return pending.length;
  })();
}

export function appendOutbox(db: DB, entry: OutboxEntry): void {
  prepared(
    db,
    'INSERT INTO outbox (counter, command_id, name, input, operator_id, at) VALUES (?, ?, ?, ?, ?, ?)',
  ).run(entry.counter, entry.commandId, entry.name, JSON.stringify(entry.input), entry.operatorId, entry.at);
}

/** Pending calls (`incident.create`), in counter order: what a sign-in may have to renumber. */
export function pendingCalls(db: DB): OutboxEntry[] {
  const rows = prepared(
    db,
    "SELECT * FROM outbox WHERE name = 'incident.create' ORDER BY counter",
  ).all() as OutboxRow[];
  return rows.map(toEntry);
}

/** Replaces what a pending command will send (its counter, id and time stay). */
export function replaceOutboxInput(db: DB, commandId: string, input: unknown): void {
  prepared(db, 'UPDATE outbox SET input = ? WHERE command_id = ?').run(JSON.stringify(input), commandId);
}

export function listOutbox(db: DB, limit = 1000): OutboxEntry[] {
  const rows = prepared(db, 'SELECT * FROM outbox ORDER BY counter LIMIT ?').all(limit) as OutboxRow[];
  return rows.map(toEntry);
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
