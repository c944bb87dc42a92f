// The desktop app as a county substation runs it: the built main bundle (with its pull reader's worker beside it),
// started against a fake Electron with --server, --workstation, --secret and --password, syncing with a real
// central server process through a link that can be cut. Work made through the IPC contract reaches the server
// under the enrolled workstation; work made offline survives quitting and is sent by the next start.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncStatus } from '../../src/shared/contract';
import type { Actor, Incident } from '../../src/shared/domain/model';
import {
  Cleanup,
  countIn,
  LinkProxy,
  serverCli,
  serverFile,
  startServerProcess,
  waitFor,
  type ServerProcess,
} from '../sync/fixtures/processes';
import { burglaryCall } from '../helpers/desk';
import { FakeElectron, forgetFakeElectron, prepareApp, ROOT, startMainBundle } from './fake-electron';

const APP = join(ROOT, 'test-output', `electron-sync-${process.pid}`);
const USER_DATA = join(APP, 'user-data');
const STORE = join(USER_DATA, 'workstation', 'desk.sqlite');
const PINGLI = '610926';
const WORKSTATION = `ws-${PINGLI}`;

const cleanup = new Cleanup();
let serverDir: string;
let server: ServerProcess;
let link: LinkProxy;
let viaLink: string;

/**
 * Every worker thread started in this process (the bundle runs in it), and what each told its parent in the pull
 * reader's words: `{ id: 0, ready: true }` once loaded, then per answer read `{ id, json }` (or `{ id, error }`), or
 * `{ stream, json }` (or `{ stream, failure }`) for an answer it asked for itself over HTTP.
 */
const workers: { ready: boolean; answers: number }[] = [];
function watchWorker(worker: Worker): void {
  const seen = { ready: false, answers: 0 };
  workers.push(seen);
  worker.on(
    'message',
    (reply: {
      id?: unknown;
      stream?: unknown;
      ready?: unknown;
      json?: unknown;
      error?: unknown;
      failure?: unknown;
    }) => {
      if (typeof reply !== 'object' || reply === null) return;
      if (reply.id === 0 && reply.ready === true) seen.ready = true;
      else if (
        seen.ready &&
        (typeof reply.id === 'number' || typeof reply.stream === 'number') &&
        (reply.json instanceof Uint8Array || reply.error !== undefined || reply.failure !== undefined)
      )
        seen.answers += 1;
    },
  );
  // Listening refs the worker's port; an idle worker must not keep the process alive.
  worker.unref();
}
/** Workers started from `from` on (a start's own: the refused starts before it may have left ready ones behind). */
const answersReadInWorkers = (from: number) =>
  workers.slice(from).reduce((sum, worker) => sum + worker.answers, 0);

/** The Pingli substation's flags, as its operator would start the app. */
function substationArgs(url: string, secret = `demo-secret-${WORKSTATION}`): string[] {
  return [
    '--operator',
    `op-${PINGLI}`,
    '--server',
    url,
    '--workstation',
    WORKSTATION,
    `--secret=${secret}`,
    '--password',
    `demo-op-${PINGLI}`,
  ];
}

/** Starts the app and waits until it opened its console or gave up. */
async function startDesktop(args: string[]): Promise<FakeElectron> {
  const desk = new FakeElectron({ appDir: APP, userData: USER_DATA });
  startMainBundle(APP, desk, args);
  await desk.ready();
  await waitFor(
    'the app opened its console or stopped',
    () => desk.windows.length > 0 || desk.exitCode !== null,
  );
  return desk;
}

/** Quits as Electron does: will-quit, held back until sync stopped, then will-quit again on app.quit(). */
async function quit(desk: FakeElectron): Promise<void> {
  expect(desk.willQuit(), 'the app holds the quit back until its sync client has stopped').toBe(true);
  await waitFor('the app quit once sync had stopped', () => desk.calls.includes('quit'));
  expect(desk.willQuit(), 'the second will-quit goes through').toBe(false);
  expect(desk.handlers.has('desk:call'), 'no call reaches the store after quitting').toBe(false);
  expect(existsSync(`${STORE}-wal`), 'the store was closed (its WAL checkpointed and removed)').toBe(false);
}

const status = (desk: FakeElectron) => desk.call<SyncStatus>('query', 'sync.status');

/** A second-priority burglary in Pingli (no alarm on the console). */
const burglary = (summary: string) => burglaryCall({ summary, priority: 2, countyId: PINGLI });

const onServer = (sql: string, ...params: unknown[]) => countIn(serverFile(serverDir), sql, ...params);
const incidentsOnServer = (id: string) => onServer('SELECT count(*) AS n FROM incidents WHERE id = ?', id);
const appliedFromSubstation = () =>
  onServer(
    "SELECT count(*) AS n FROM received_commands WHERE workstation_id = ? AND name = 'incident.create' AND status = 'applied'",
    WORKSTATION,
  );

beforeAll(async () => {
  process.on('worker', watchWorker);
  await prepareApp(APP, { pullWorker: true });
  serverDir = cleanup.dir('desk-electron-server-');
  // Demo accounts and the pre-enrolled ws-city / ws-610926 with their demo secrets.
  await serverCli(['seed', '--data', serverDir, '--demo-workstations']);
  server = await startServerProcess(cleanup, serverDir);
  link = cleanup.proxy(new LinkProxy(server.port));
  viaLink = await link.listen();
}, 60_000);

afterAll(async () => {
  process.off('worker', watchWorker);
  forgetFakeElectron();
  await server?.stop();
  await cleanup.run();
  rmSync(APP, { recursive: true, force: true });
});

describe('the desktop app syncing with the central server', () => {
  let first: FakeElectron;
  /** Index in `workers` of the first worker the first start made (its pull reader's, once it loads). */
  let firstWorkers = 0;
  let online: Incident;
  let offline: Incident;

  it('builds the pull reader’s worker beside main.cjs as one self-contained file', () => {
    const worker = readFileSync(join(APP, 'dist', 'electron', 'pull-worker.cjs'), 'utf8');
    const required = [...worker.matchAll(/require\("([^"]+)"\)/g)].map((match) => match[1] ?? '');
    const builtins = new Set([...builtinModules, ...builtinModules.map((name) => `node:${name}`)]);
    expect(
      required.filter((name) => !builtins.has(name)),
      'the worker loads nothing but Node',
    ).toEqual([]);
  });

  it('refuses to start with a wrong workstation secret, naming the server, and leaves its store closed', async () => {
    const refused = await startDesktop(substationArgs(viaLink, 'not-the-secret-of-this-workstation'));
    expect(refused.exitCode).toBe(1);
    expect(refused.errorBox).toContain(`could not sign in to ${viaLink}`);
    expect(refused.windows, 'no console opens without a session').toHaveLength(0);
    expect(existsSync(`${STORE}-wal`), 'the store was closed').toBe(false);
  });

  it('reads the secret from DESK_SYNC_SECRET when --secret is left out (a wrong one is refused as well)', async () => {
    // Without the variable the demo secret (the right one) would be used and the start would succeed.
    process.env.DESK_SYNC_SECRET = 'not-the-secret-of-this-workstation';
    let refused: FakeElectron;
    try {
      refused = await startDesktop(substationArgs(viaLink).filter((arg) => !arg.startsWith('--secret')));
    } finally {
      delete process.env.DESK_SYNC_SECRET;
    }
    expect(refused.exitCode).toBe(1);
    expect(refused.errorBox).toContain(`could not sign in to ${viaLink}`);
    expect(refused.windows).toHaveLength(0);
  });

  it('signs in online as the enrolled workstation and shows sync status through the contract', async () => {
    firstWorkers = workers.length;
    first = await startDesktop(substationArgs(viaLink));
    expect(first.errorBox, `start-up failed: ${first.errorBox}`).toBeNull();
    expect(first.exitCode).toBeNull();
    expect(first.call<Actor>('query', 'session.get')).toMatchObject({
      operatorId: `op-${PINGLI}`,
      jurisdictionId: PINGLI,
      workstationId: WORKSTATION,
    });
    await waitFor('the first sync finished online', () => {
      const current = status(first);
      return current.mode === 'online' && current.lastSyncAt !== null;
    });
  });

  it('sends an incident recorded through IPC to the server, under the enrolled workstation', async () => {
    // This start's own worker: until it has loaded, answers are read on the main thread.
    await waitFor('the pull reader’s worker is ready', () =>
      workers.slice(firstWorkers).some((worker) => worker.ready),
    );
    const readBefore = answersReadInWorkers(firstWorkers);
    online = first.call<Incident>('command', 'incident.create', burglary('入室盗窃，嫌疑人驾车逃离'));
    await waitFor('the server holds the incident', () => incidentsOnServer(online.id) === 1);
    expect(appliedFromSubstation(), 'the server applied it once, from ws-610926').toBe(1);
    await waitFor('the desktop’s outbox drained', () => status(first).pending === 0);
    await waitFor(
      'a pull answer was read in the worker thread',
      () => answersReadInWorkers(firstWorkers) > readBefore,
    );
  });

  it('keeps work made with the link down through quitting: stopped sync, closed store, nothing lost', async () => {
    link.cut();
    offline = first.call<Incident>('command', 'incident.create', burglary('链路中断期间接报：电动车被盗'));
    await waitFor('the desktop noticed the link is down, the incident waiting', () => {
      const current = status(first);
      return current.mode === 'offline' && current.pending === 1;
    });
    await quit(first);

    const db = new Database(STORE, { fileMustExist: true });
    try {
      const outbox = db.prepare('SELECT name, input FROM outbox').all() as { name: string; input: string }[];
      expect(outbox.map((row) => row.name)).toEqual(['incident.create']);
      expect(JSON.parse(outbox[0]?.input ?? '{}')).toMatchObject({ summary: offline.summary });
      for (const incident of [online, offline])
        expect(
          db.prepare('SELECT count(*) AS n FROM incidents WHERE id = ?').get(incident.id),
          `${incident.summary} is in the store`,
        ).toEqual({ n: 1 });
      const audit = db
        .prepare('SELECT workstation_id FROM audit WHERE entity_id = ? AND command = ?')
        .all(offline.id, 'incident.create');
      expect(audit, 'the offline command names the enrolled workstation').toEqual([
        { workstation_id: WORKSTATION },
      ]);
    } finally {
      db.close();
    }
    expect(incidentsOnServer(offline.id), 'nothing reached the server while the link was down').toBe(0);
  });

  it('started again with the link back, sends what waited; the server holds each incident once', async () => {
    link.restore();
    const again = await startDesktop(substationArgs(viaLink));
    expect(again.errorBox, `start-up failed: ${again.errorBox}`).toBeNull();
    await waitFor('the server holds the offline incident', () => incidentsOnServer(offline.id) === 1);
    await waitFor('the desktop is in sync', () => {
      const current = status(again);
      return current.mode === 'online' && current.pending === 0 && current.rejections === 0;
    });
    expect(appliedFromSubstation(), 'both incidents applied once each').toBe(2);
    expect(again.call<Incident>('query', 'incident.get', { id: online.id }).summary).toBe(online.summary);
    await quit(again);
    const db = new Database(STORE, { fileMustExist: true });
    try {
      expect(db.prepare('SELECT count(*) AS n FROM outbox').get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });
});
