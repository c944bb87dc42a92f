// Power-cut safety: a workstation process killed with SIGKILL in the middle of a burst of commands leaves a
// store that opens cleanly, whose audit chain holds, and where every command is wholly applied or not at all.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyAudit } from '../src/main/db/audit';
import { openDatabase, type DB } from '../src/main/db/connection';
import { makeDesk } from './helpers/desk';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WRITER = join('tests', 'fixtures', 'crash-writer.ts');

const dir = mkdtempSync(join(tmpdir(), 'desk-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  /** Command ids the child reported as committed before it died. */
  committed: string[];
  signal: NodeJS.Signals | null;
}

/** Starts the writer and SIGKILLs it once it has reported `killAfter` committed commands. */
function runAndKill(file: string, killAfter: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, file], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const committed: string[] = [];
    let buffered = '';
    let stderr = '';
    let killed = false;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const [word, , , commandId] = line.split(' ');
        if (word === 'ok' && commandId) committed.push(commandId);
      }
      if (!killed && committed.length >= killAfter) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (!killed) reject(new Error(`the writer ended by itself (code ${code}) before the kill: ${stderr}`));
      else resolve({ committed, signal });
    });
  });
}

interface OutboxRow {
  counter: number;
  command_id: string;
  name: string;
  input: string;
}

function all<T>(db: DB, sql: string, ...params: unknown[]): T[] {
  return db.prepare(sql).all(...params) as T[];
}

/** Checks that the store holds whole commands only, and returns how many it holds. */
function assertWholeCommands(db: DB): number {
  expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  const audit = verifyAudit(db);
  expect(audit, 'the audit chain is broken after the crash').toMatchObject({ ok: true, firstBroken: null });

  const outbox = all<OutboxRow>(db, 'SELECT * FROM outbox ORDER BY counter');
  const outboxIds = new Set(outbox.map((row) => row.command_id));
  expect(
    outbox.map((row) => row.counter),
    'outbox counters have a hole',
  ).toEqual(outbox.map((_, i) => i + 1));
  const counter = db.prepare("SELECT value FROM meta WHERE key = 'command_counter'").get() as
    { value: string } | undefined;
  expect(Number(counter?.value ?? 0), 'the command counter moved without its outbox row').toBe(outbox.length);

  // No audit entry without its command in the outbox, and no command without audit entries.
  const audited = new Set(
    all<{ command_id: string }>(db, 'SELECT DISTINCT command_id FROM audit').map((r) => r.command_id),
  );
  for (const id of audited)
    expect(outboxIds.has(id), `audit entries of command ${id} have no outbox row`).toBe(true);
  for (const id of outboxIds)
    expect(audited.has(id), `command ${id} is in the outbox without audit entries`).toBe(true);

  const incidents = all<{ id: string; number: string }>(db, 'SELECT id, number FROM incidents');
  const orders = all<{ id: string; incident_id: string }>(db, 'SELECT id, incident_id FROM orders');
  const creates = outbox.filter((row) => row.name === 'incident.create');
  const issues = outbox.filter((row) => row.name === 'order.issue');
  const signs = outbox.filter((row) => row.name === 'order.sign');
  expect(incidents.length, 'incidents and incident.create commands differ in number').toBe(creates.length);
  expect(orders.length, 'orders and order.issue commands differ in number').toBe(issues.length);

  const createdIds = new Set(creates.map((row) => (JSON.parse(row.input) as { id: string }).id));
  for (const incident of incidents) {
    expect(createdIds.has(incident.id), `incident ${incident.number} has no outbox row`).toBe(true);
    const received = db
      .prepare("SELECT count(*) AS n FROM timeline WHERE incident_id = ? AND kind = 'received'")
      .get(incident.id) as { n: number };
    expect(received.n, `incident ${incident.number} has no 'received' timeline entry`).toBe(1);
  }
  // Every incident is in the search index or queued for it (re-queued after an edit), and the index holds
  // nothing else; FTS5 checks itself.
  const unsearchable = db
    .prepare(
      `SELECT count(*) AS n FROM incidents i
       WHERE i.rowid NOT IN (SELECT id FROM incidents_fts_docsize) AND i.rowid NOT IN (SELECT row FROM incidents_fts_pending)
       AND i.rowid <= (SELECT watermark FROM incidents_fts_state)`,
    )
    .get() as { n: number };
  expect(unsearchable.n, 'incidents neither indexed nor queued for the search index').toBe(0);
  const orphans = db
    .prepare('SELECT count(*) AS n FROM incidents_fts_docsize WHERE id NOT IN (SELECT rowid FROM incidents)')
    .get() as { n: number };
  expect(orphans.n, 'the search index holds rows of no incident').toBe(0);
  expect(() =>
    db.prepare("INSERT INTO incidents_fts (incidents_fts) VALUES ('integrity-check')").run(),
  ).not.toThrow();

  for (const row of issues) {
    const input = JSON.parse(row.input) as { id: string; targets: unknown[] };
    const targets = db
      .prepare('SELECT count(*) AS n FROM order_targets WHERE order_id = ?')
      .get(input.id) as {
      n: number;
    };
    expect(targets.n, `order ${input.id} lost targets`).toBe(input.targets.length);
    const issued = db
      .prepare(
        "SELECT count(*) AS n FROM timeline WHERE kind = 'order_issued' AND json_extract(data, '$.orderId') = ?",
      )
      .get(input.id) as { n: number };
    expect(issued.n, `order ${input.id} has no timeline entry`).toBe(1);
  }
  const signed = db.prepare("SELECT count(*) AS n FROM order_targets WHERE state = 'signed'").get() as {
    n: number;
  };
  expect(signed.n, 'signed targets and order.sign commands differ in number').toBe(signs.length);
  const signedNotes = db.prepare("SELECT count(*) AS n FROM timeline WHERE kind = 'order_signed'").get() as {
    n: number;
  };
  expect(signedNotes.n).toBe(signs.length);

  // The per-county daily counter moved exactly once per recorded incident.
  const numbered = db.prepare('SELECT coalesce(sum(last), 0) AS n FROM incident_counters').get() as {
    n: number;
  };
  expect(numbered.n, 'an incident number was used by a command that did not commit').toBe(incidents.length);
  return outbox.length;
}

describe('a workstation killed mid-write', () => {
  const file = join(dir, 'desk.db');

  it('the writer child runs under node with the tsx loader', async () => {
    const { db } = makeDesk(file);
    db.close();
    const run = await runAndKill(file, 1);
    expect(run.signal).toBe('SIGKILL');
    expect(run.committed.length).toBeGreaterThanOrEqual(1);
  });

  it.each([{ killAfter: 7 }, { killAfter: 63 }, { killAfter: 251 }])(
    'keeps whole commands only when killed after $killAfter commands',
    async ({ killAfter }) => {
      const before = openDatabase(file);
      const held = assertWholeCommands(before);
      before.close();

      const run = await runAndKill(file, killAfter);
      expect(run.signal).toBe('SIGKILL');

      const db = openDatabase(file);
      const after = assertWholeCommands(db);
      // Every command the writer saw commit survived the kill.
      const stored = new Set(
        all<{ command_id: string }>(db, 'SELECT command_id FROM outbox').map((r) => r.command_id),
      );
      for (const id of run.committed) expect(stored.has(id), `committed command ${id} was lost`).toBe(true);
      expect(after).toBeGreaterThanOrEqual(held + run.committed.length);
      db.close();
    },
    60_000,
  );
});
