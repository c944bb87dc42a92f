// The real server process: SIGTERM while a push is in flight, and SIGKILL after a commit but before the answer.
// Either way, after a restart every accepted command is there exactly once.
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { verifyAudit } from '../../src/main/db/audit';
import { partitionChecksum } from '../../src/main/sync/checksum';
import type { PushResponse } from '../../src/shared/sync';
import { burglaryCall, command, demoDataDir, login, PINGLI, push, V } from './helpers';

const ROOT = join(import.meta.dirname, '..', '..');
const WS = `ws-${PINGLI}`;
const OPERATOR = `op-${PINGLI}`;

interface ServerProcess {
  child: ChildProcess;
  url: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  lines: string[];
}

const started: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const child of started.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function startProcess(dataDir: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/server/cli.ts', '--data', dataDir, '--port', '0'],
    {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  started.push(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const lines: string[] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.on('line', (line) => {
      lines.push(line);
      const entry = JSON.parse(line) as { msg: string; url?: string };
      if (entry.msg === 'server listening' && entry.url) resolve({ child, url: entry.url, exited, lines });
    });
    void exited.then(({ code }) =>
      reject(new Error(`server exited with ${code} before listening: ${stderr}`)),
    );
  });
}

/** Audit chain check and every partition's running checksum against a recomputation, on the stopped store. */
function storeHolds(dataDir: string): { audit: boolean; checksums: boolean } {
  const db = new Database(join(dataDir, 'server.sqlite'), { readonly: true });
  try {
    const partitions = db.prepare('SELECT id, checksum FROM partitions').all() as {
      id: string;
      checksum: string;
    }[];
    return {
      audit: verifyAudit(db).ok,
      checksums: partitions.every((p) => p.checksum === partitionChecksum(db, p.id)),
    };
  } finally {
    db.close();
  }
}

function countRows(dataDir: string, sql: string): number {
  const db = new Database(join(dataDir, 'server.sqlite'), { readonly: true });
  try {
    return (db.prepare(sql).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('the server process', () => {
  it('finishes a push that is in flight when SIGTERM arrives, then exits 0; nothing is half-applied', async () => {
    const dataDir = demoDataDir();
    dirs.push(dataDir);
    const server = await startProcess(dataDir);
    const { token } = await login(server, OPERATOR, WS);
    const commands = Array.from({ length: 200 }, (_, i) =>
      command(i + 1, 'incident.create', burglaryCall(`inc-${i}`), OPERATOR, Date.now(), `cmd-term-${i}`),
    );
    const body = Buffer.from(JSON.stringify({ ...V, workstationId: WS, commands }));
    const half = Math.floor(body.length / 2);

    const answer = new Promise<{ status: number; body: PushResponse | null }>((resolve) => {
      const req = request(
        `${server.url}/v1/push`,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'content-length': body.length,
            authorization: `Bearer ${token}`,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body: JSON.parse(Buffer.concat(chunks).toString()) as PushResponse,
            }),
          );
        },
      );
      req.on('error', () => resolve({ status: 0, body: null }));
      req.write(body.subarray(0, half), () => {
        // The server has the first half: stop it now, then send the rest.
        setTimeout(() => {
          server.child.kill('SIGTERM');
          setTimeout(() => req.end(body.subarray(half)), 200);
        }, 200);
      });
    });
    const reply = await answer;
    const exit = await server.exited;
    expect(exit.code, 'a clean stop exits 0').toBe(0);
    expect(server.lines.some((line) => line.includes('"server stopped"'))).toBe(true);

    const created = countRows(dataDir, 'SELECT count(*) AS n FROM incidents');
    const received = countRows(
      dataDir,
      "SELECT count(*) AS n FROM received_commands WHERE status = 'applied'",
    );
    if (reply.status === 200) {
      expect(reply.body?.results.every((r) => r.status === 'applied')).toBe(true);
      expect(created, 'an answered push is fully stored').toBe(200);
    } else {
      expect([0, 200], 'an unanswered push is all or nothing').toContain(created);
    }
    expect(received).toBe(created);

    // After a restart the resend is recognised: nothing doubled, nothing missing.
    const again = await startProcess(dataDir);
    const resend = await push(again, token, WS, commands);
    expect(resend.status).toBe(200);
    const statuses = new Set(resend.body.results.map((r) => r.status));
    expect([...statuses]).toEqual([created === 200 ? 'duplicate' : 'applied']);
    again.child.kill('SIGTERM');
    await again.exited;
    expect(countRows(dataDir, 'SELECT count(*) AS n FROM incidents')).toBe(200);
    expect(countRows(dataDir, "SELECT count(*) AS n FROM timeline WHERE kind = 'received'")).toBe(200);
  });

  it('after SIGKILL between commit and answer, the resend is a duplicate, not a second copy', async () => {
    const dataDir = demoDataDir();
    dirs.push(dataDir);
    const crashing = await startProcess(dataDir, { DESK_TEST_CRASH_AFTER_APPLY: '1' });
    const { token } = await login(crashing, OPERATOR, WS);
    const batch = [
      command(1, 'incident.create', burglaryCall('inc-crash'), OPERATOR, Date.now(), 'cmd-crash-1'),
    ];
    await expect(push(crashing, token, WS, batch), 'the server dies before answering').rejects.toThrow();
    const exit = await crashing.exited;
    expect(exit.signal).toBe('SIGKILL');
    expect(countRows(dataDir, "SELECT count(*) AS n FROM incidents WHERE id = 'inc-crash'")).toBe(1);

    const restarted = await startProcess(dataDir);
    const resend = await push(restarted, token, WS, batch);
    expect(resend.body.results[0]?.status).toBe('duplicate');
    restarted.child.kill('SIGTERM');
    expect((await restarted.exited).code).toBe(0);
    expect(countRows(dataDir, "SELECT count(*) AS n FROM incidents WHERE id = 'inc-crash'")).toBe(1);
    expect(countRows(dataDir, "SELECT count(*) AS n FROM timeline WHERE incident_id = 'inc-crash'")).toBe(1);
    expect(
      countRows(dataDir, "SELECT count(*) AS n FROM changes WHERE kind = 'incident' AND id = 'inc-crash'"),
    ).toBe(1);
  });

  it('after SIGKILL between commit and answer, a batch with a rejected command is answered the same on resend', async () => {
    const dataDir = demoDataDir();
    dirs.push(dataDir);
    const crashing = await startProcess(dataDir, { DESK_TEST_CRASH_AFTER_APPLY: '1' });
    const { token } = await login(crashing, OPERATOR, WS);
    const at = Date.now();
    const batch = [
      command(1, 'incident.create', burglaryCall('inc-k1'), OPERATOR, at, 'cmd-kill-1'),
      command(2, 'incident.create', burglaryCall('inc-k2'), OPERATOR, at, 'cmd-kill-2'),
      // Links inc-k1 (an audit entry, a timeline entry) before failing on the missing incident: rolled back alone.
      command(
        3,
        'case.create',
        { id: 'case-k', title: '系列盗窃', incidentIds: ['inc-k1', 'inc-missing'] },
        OPERATOR,
        at,
        'cmd-kill-3',
      ),
      command(4, 'incident.addNote', { id: 'inc-k2', text: '现场已封锁' }, OPERATOR, at, 'cmd-kill-4'),
      command(5, 'incident.update', { id: 'inc-k1', patch: { priority: 2 } }, OPERATOR, at, 'cmd-kill-5'),
    ];
    await expect(push(crashing, token, WS, batch), 'the server dies before answering').rejects.toThrow();
    expect((await crashing.exited).signal).toBe('SIGKILL');
    expect(storeHolds(dataDir), 'audit chain and checksums after the crash').toEqual({
      audit: true,
      checksums: true,
    });

    const restarted = await startProcess(dataDir);
    const resend = await push(restarted, token, WS, batch);
    expect(resend.body.results.map((r) => r.status)).toEqual([
      'duplicate',
      'duplicate',
      'rejected',
      'duplicate',
      'duplicate',
    ]);
    expect(resend.body.results[2]?.error?.code).toBe('not_found');
    restarted.child.kill('SIGTERM');
    expect((await restarted.exited).code).toBe(0);
    expect(countRows(dataDir, "SELECT count(*) AS n FROM incidents WHERE id IN ('inc-k1', 'inc-k2')")).toBe(
      2,
    );
    expect(countRows(dataDir, 'SELECT count(*) AS n FROM incidents WHERE case_id IS NOT NULL')).toBe(0);
    expect(countRows(dataDir, "SELECT count(*) AS n FROM audit WHERE command_id = 'cmd-kill-3'")).toBe(0);
    expect(countRows(dataDir, "SELECT count(*) AS n FROM audit WHERE command_id = 'cmd-kill-5'")).toBe(1);
    expect(storeHolds(dataDir)).toEqual({ audit: true, checksums: true });
  });
});
