// The server's WAL is checkpointed by a worker thread: committed pages reach the database file without the writer
// copying them, the WAL stays bounded however long pushes go on, and nothing committed depends on it.
import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyAudit } from '../../src/main/db/audit';
import { WRITER_CHECKPOINT_PAGES } from '../../src/main/db/checkpointer';
import { SyncHub } from '../../src/server/hub';
import type { PushedCommand } from '../../src/shared/sync';
import { burglaryCall, demoSession, demoDataDir, PINGLI, V } from './helpers';

const dirs: string[] = [];
const hubs: SyncHub[] = [];
afterEach(() => {
  for (const hub of hubs.splice(0)) hub.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function openHub(dir: string) {
  const hub = SyncHub.open(dir);
  hubs.push(hub);
  const session = demoSession(hub, 'city-dispatcher', 'ws-city');
  let counter = 0;
  return {
    hub,
    /** Pushes `count` incident creates in one batch. */
    push(count: number): void {
      const commands: PushedCommand[] = [];
      for (let i = 0; i < count; i += 1) {
        counter += 1;
        commands.push({
          commandId: `cmd-ckpt-${counter}`,
          counter,
          name: 'incident.create',
          input: burglaryCall(`inc-ckpt-${counter}`, {
            countyId: PINGLI,
            summary: `第${counter}起：入室盗窃`,
          }),
          operatorId: 'city-dispatcher',
          at: Date.now(),
        });
      }
      const reply = hub.push(session, { ...V, workstationId: 'ws-city', commands });
      expect(reply.results.every((r) => r.status === 'applied')).toBe(true);
    },
  };
}

function size(file: string): number {
  return statSync(file, { throwIfNoEntry: false })?.size ?? 0;
}

describe('the background checkpointer', () => {
  it('copies committed pages into the database file while the writer leaves them in the WAL', async () => {
    const dir = demoDataDir();
    dirs.push(dir);
    const store = join(dir, 'server.sqlite');
    const { hub, push } = openHub(dir);
    await hub.checkpointed();
    const before = size(store);
    push(300);
    push(300);
    // Far below the writer's own threshold: only the worker can have written the database file.
    expect(size(`${store}-wal`) / 4096).toBeLessThan(WRITER_CHECKPOINT_PAGES);
    await hub.checkpointed();
    expect(size(store), 'the pushed pages are in the database file').toBeGreaterThan(before + 300 * 1024);
  });

  it('lets go of the store when the hub closes, so its files can be copied at once', () => {
    const dir = demoDataDir();
    dirs.push(dir);
    const store = join(dir, 'server.sqlite');
    const { hub, push } = openHub(dir);
    push(300);
    // A checkpoint was asked for and may be running: close() waits for the worker's connection to close, then the
    // hub's own close, the last one, checkpoints the rest and removes the WAL.
    hub.close();
    hubs.splice(hubs.indexOf(hub), 1);
    expect(existsSync(`${store}-wal`), 'the WAL is gone after close').toBe(false);
    const reader = new Database(store, { readonly: true });
    try {
      expect(reader.prepare("SELECT count(*) AS n FROM incidents WHERE id LIKE 'inc-ckpt-%'").get()).toEqual({
        n: 300,
      });
    } finally {
      reader.close();
    }
  });

  it('keeps the WAL bounded over a long run of pushes, and the store whole after a reopen', async () => {
    const dir = demoDataDir();
    dirs.push(dir);
    const store = join(dir, 'server.sqlite');
    const { hub, push } = openHub(dir);
    // A batch of 500 creates writes about 430 pages: this goes well past what the writer lets pile up.
    const batches = Math.ceil((1.25 * WRITER_CHECKPOINT_PAGES) / 430);
    let largest = 0;
    for (let i = 0; i < batches; i += 1) {
      push(500);
      largest = Math.max(largest, size(`${store}-wal`));
    }
    await hub.checkpointed();
    expect(largest / 4096, 'WAL pages at most').toBeLessThan(WRITER_CHECKPOINT_PAGES + 2_000);
    hub.close();
    hubs.splice(hubs.indexOf(hub), 1);

    const reader = new Database(store, { readonly: true });
    try {
      expect(reader.prepare("SELECT count(*) AS n FROM incidents WHERE id LIKE 'inc-ckpt-%'").get()).toEqual({
        n: batches * 500,
      });
      expect(verifyAudit(reader).ok).toBe(true);
    } finally {
      reader.close();
    }
  });
});
