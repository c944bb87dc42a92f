// Offline sign-in: an operator who signed in online on a workstation can sign in there while the server is gone,
// with the same password and the same role and jurisdiction limits; the store keeps a verifier, never the password.
import { existsSync, readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWorkstation, type Workstation } from '../../src/main/host';
import type { SyncClient } from '../../src/main/sync/client';
import { startSync } from '../../src/main/sync/start';
import { HttpTransport } from '../../src/main/sync/transport';
import { startServer, type RunningServer } from '../../src/server/app';
import { demoPassword } from '../../src/server/admin';
import { DeskError } from '../../src/shared/errors';
import { burglaryCall, HANBIN, HANBIN_CENTRE, PINGLI } from '../helpers/desk';

const OPERATOR = `op-${PINGLI}`;
/** Accounts created on the server only: the workstation knows them from their online sign-in, nothing else. */
const ANALYST = { id: 'pl-analyst-zhao', password: 'zhao-平利-analyst-2026', role: 'analyst' } as const;
const OFFICER = { id: 'pl-officer-li', password: 'li-平利-officer-2026', role: 'county_operator' } as const;
const PASSWORDS = [demoPassword(OPERATOR), ANALYST.password, OFFICER.password];

const dirs: string[] = [];
const tempDir = (prefix: string): string => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};

let serverDir: string;
let server: RunningServer;
let port: number;
let wsDir: string;
let secret: string;

function openPingli(): Workstation {
  return openWorkstation({ dataDir: wsDir, jurisdiction: PINGLI });
}

function sync(ws: Workstation, operatorId: string, password: string): ReturnType<typeof startSync> {
  return startSync(ws, {
    url: `http://127.0.0.1:${port}`,
    operatorId,
    password,
    workstationSecret: secret,
    jurisdictionId: PINGLI,
  });
}

async function refusal(promise: Promise<unknown>): Promise<DeskError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'the sign-in was refused').toBeInstanceOf(DeskError);
  return error as DeskError;
}

beforeAll(async () => {
  serverDir = tempDir('desk-offline-server-');
  wsDir = tempDir('desk-offline-ws-');
  server = await startServer({ dataDir: serverDir, port: 0, demo: true });
  port = server.port;
  for (const account of [ANALYST, OFFICER])
    server.hub.addAccount({ ...account, name: account.id, jurisdictionId: PINGLI, orgId: null });
  const { token } = server.hub.createEnrollToken(PINGLI);
  const ws = openPingli();
  try {
    secret = (await new HttpTransport(server.url).enroll(token, ws.workstationId)).workstationSecret;
  } finally {
    ws.close();
  }
}, 60_000);

afterAll(async () => {
  await server?.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('offline sign-in on a Pingli workstation', () => {
  it('signs three operators in online, then loses the server', async () => {
    const ws = openPingli();
    let client: SyncClient | undefined;
    try {
      const first = await sync(ws, OPERATOR, demoPassword(OPERATOR));
      client = first.client;
      expect(first.online, `${OPERATOR} signed in online`).toBe(true);
      for (const account of [ANALYST, OFFICER]) {
        const answer = await client.signIn(account.id, account.password);
        expect(answer, `${account.id} signed in online`).toMatchObject({
          online: true,
          operator: { role: account.role, jurisdictionId: PINGLI },
        });
      }
      expect((await client.syncNow()).ok, 'the first sync went through').toBe(true);
    } finally {
      await client?.stop();
      ws.close();
    }
    await server.close();
  });

  it('lets each of them in offline with the same password, with the role and county they had online', async () => {
    const ws = openPingli();
    try {
      const { client, online } = await sync(ws, OPERATOR, demoPassword(OPERATOR));
      try {
        expect(online, 'the server is gone: the sign-in was checked against the local verifier').toBe(false);
        expect(client.status().mode).toBe('offline');
        for (const account of [ANALYST, OFFICER]) {
          const answer = await client.signIn(account.id, account.password);
          expect(answer, `${account.id} signed in offline`).toMatchObject({
            online: false,
            operator: { id: account.id, role: account.role, jurisdictionId: PINGLI },
          });
        }

        // Work in the operator's own county is accepted locally and queued.
        const own = ws.desk.command(client.actorFor(OPERATOR), 'incident.create', burglaryCall());
        expect(own.countyId).toBe(PINGLI);
        const note = ws.desk.command(client.actorFor(OFFICER.id), 'incident.addNote', {
          id: own.id,
          text: '李警官：已到现场',
        });
        expect(note).toMatchObject({ incidentId: own.id, by: OFFICER.id });
        expect(client.status().pending, 'offline work waits in the outbox').toBe(2);

        // Another county stays out of reach offline, for the demo operator and the server-only officer alike.
        const hanbinCall = burglaryCall({
          address: '汉滨区新城街道',
          location: HANBIN_CENTRE,
          countyId: HANBIN,
        });
        for (const operatorId of [OPERATOR, OFFICER.id]) {
          expect(
            () => ws.desk.command(client.actorFor(operatorId), 'incident.create', hanbinCall),
            `${operatorId} offline still may not write Hanbin`,
          ).toThrow(expect.objectContaining({ code: 'forbidden' }));
        }
        // An analyst's role does not grow offline: no incident intake.
        expect(
          () => ws.desk.command(client.actorFor(ANALYST.id), 'incident.create', burglaryCall()),
          'an analyst offline still may not record incidents',
        ).toThrow(expect.objectContaining({ code: 'forbidden' }));
        expect(client.status().pending, 'refused commands were not queued').toBe(2);
      } finally {
        await client.stop();
      }
    } finally {
      ws.close();
    }
  });

  it('refuses a wrong password and an operator who never signed in online here, with the same answer', async () => {
    const ws = openPingli();
    try {
      const wrong = await refusal(sync(ws, OPERATOR, 'demo-op-610926-wrong'));
      expect(wrong.code).toBe('unauthenticated');
      const stranger = await refusal(sync(ws, 'op-610902', demoPassword('op-610902')));
      expect(stranger.code).toBe('unauthenticated');
      expect(stranger.message.replace('op-610902', OPERATOR), 'no hint of who has signed in here').toBe(
        wrong.message,
      );
      const { client, online } = await sync(ws, OPERATOR, demoPassword(OPERATOR));
      expect(online).toBe(false);
      await expect(client.signIn(OFFICER.id, ANALYST.password)).rejects.toMatchObject({
        code: 'unauthenticated',
      });
      await client.stop();
    } finally {
      ws.close();
    }
  });

  it('stores a verifier, never a password: no password is anywhere in the store’s bytes', () => {
    const ws = openPingli();
    const rows = ws.db
      .prepare('SELECT operator_id, salt, hash FROM offline_verifiers ORDER BY operator_id')
      .all() as {
      operator_id: string;
      salt: string;
      hash: string;
    }[];
    expect(rows.map((row) => row.operator_id)).toEqual([OFFICER.id, ANALYST.id, OPERATOR].sort());
    ws.db.pragma('wal_checkpoint(TRUNCATE)');
    ws.close();
    const files = ['desk.sqlite', 'desk.sqlite-wal', 'desk.sqlite-journal']
      .map((name) => join(wsDir, name))
      .filter((file) => existsSync(file));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const bytes = readFileSync(file);
      for (const password of [...PASSWORDS, 'demo-op-610926-wrong']) {
        const plain = Buffer.from(password, 'utf8');
        const forms = {
          utf8: plain,
          utf16: Buffer.from(password, 'utf16le'),
          hex: Buffer.from(plain.toString('hex')),
          base64: Buffer.from(plain.toString('base64')),
        };
        for (const [form, needle] of Object.entries(forms))
          expect(bytes.includes(needle), `a password (${form}) is in ${file}`).toBe(false);
      }
    }
  });

  it('when the server returns, the offline work of both operators is accepted', async () => {
    server = await startServer({ dataDir: serverDir, port });
    const ws = openPingli();
    try {
      const { client, online } = await sync(ws, OPERATOR, demoPassword(OPERATOR));
      try {
        expect(online).toBe(true);
        const cycle = await client.syncNow();
        expect(cycle.error).toBeUndefined();
        expect(client.status(), 'the queue drained and nothing was refused').toMatchObject({
          mode: 'online',
          pending: 0,
          rejections: 0,
        });
        const notes = server.hub.db
          .prepare("SELECT by FROM timeline WHERE kind = 'note' AND by = ?")
          .all(OFFICER.id) as { by: string }[];
        expect(notes, 'the officer’s offline note reached the server under his name').toHaveLength(1);
      } finally {
        await client.stop();
      }
    } finally {
      ws.close();
    }
  });
});
