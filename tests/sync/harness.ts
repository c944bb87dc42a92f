// In-process sync fixtures: the real server hub on an in-memory store, workstations (store + Desk + SyncClient)
// linked to it through the in-process transport, and dumps of what each side holds per partition.
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { Desk } from '../../src/main/api/desk';
import { seedRegion } from '../../src/main/core/region/seed';
import { openDatabase, type DB } from '../../src/main/db/connection';
import { migrate } from '../../src/main/db/migrations/index';
import { canonicalJson, liveRecords } from '../../src/main/sync/checksum';
import { SyncClient } from '../../src/main/sync/client';
import { InProcessTransport, type SyncEndpoint } from '../../src/main/sync/transport';
import { CITY_ID, type Actor, type Incident } from '../../src/shared/domain/model';
import { CHANGAN } from '../helpers/desk';
import type { LivePoke } from '../../src/shared/sync';
import { demoPassword, seedDemo } from '../../src/server/admin';
import { SyncHub } from '../../src/server/hub';

export function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 0x9e3779b9;
  return () => {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The real hub behind the in-process transport, pokes filtered to what each session may read. */
export function hubEndpoint(hub: SyncHub): SyncEndpoint {
  return {
    login: (request) => hub.login(request),
    push: (token, request) => hub.push(hub.session(token), request),
    pull: (token, request) => hub.pull(hub.session(token), request),
    subscribe: (token, onPoke: (poke: LivePoke) => void) => {
      const readable = new Set(hub.readable(hub.session(token)));
      return hub.onPoke((heads) => {
        for (const [partition, head] of heads)
          if (readable.has(partition)) onPoke({ type: 'poke', partition, head });
      });
    },
  };
}

export function createHub(clock: () => number): SyncHub {
  const key = createHash('sha256').update('sync-tests').digest();
  const hub = new SyncHub(openDatabase(':memory:'), key, { now: clock });
  seedDemo(hub);
  return hub;
}

export interface TestWorkstation {
  id: string;
  jurisdictionId: string;
  operatorId: string;
  db: DB;
  desk: Desk;
  client: SyncClient;
  transport: InProcessTransport;
  actor: Actor;
}

export interface WorkstationSpec {
  id: string;
  jurisdictionId: string;
  operatorId: string;
  clock: () => number;
  random?: () => number;
  /** Changes per partition per pull answer (the client's default otherwise). */
  pullLimit?: number;
  /** A store file (WAL, as on a console) instead of a store in memory. */
  file?: string;
}

function secretOf(id: string): string {
  return `secret-of-${id}-0123456789`;
}

export function enroll(hub: SyncHub, spec: Pick<WorkstationSpec, 'id' | 'jurisdictionId'>): void {
  const exists = hub.db.prepare('SELECT 1 FROM workstations WHERE id = ?').get(spec.id);
  if (!exists) hub.enrollDirect(spec.id, spec.jurisdictionId, secretOf(spec.id));
}

/** Enrols the workstation with the hub and opens its store (fresh, or from a saved image after a restart). */
export function openTestWorkstation(
  hub: SyncHub,
  spec: WorkstationSpec,
  image?: Buffer,
  endpoint: SyncEndpoint = hubEndpoint(hub),
): TestWorkstation {
  enroll(hub, spec);
  let db: DB;
  if (image) {
    db = new Database(image);
    db.pragma('foreign_keys = ON');
    migrate(db);
  } else {
    db = openDatabase(spec.file ?? ':memory:');
    seedRegion(db, undefined, spec.clock());
  }
  const desk = new Desk(db, { clock: spec.clock });
  const transport = new InProcessTransport(endpoint);
  const client = new SyncClient({
    db,
    desk,
    transport,
    workstationId: spec.id,
    workstationSecret: secretOf(spec.id),
    jurisdictionId: spec.jurisdictionId,
    clock: spec.clock,
    random: spec.random ?? seededRandom(1),
    automatic: false,
    verifierCost: 1 << 10,
    ...(spec.pullLimit ? { pullLimit: spec.pullLimit } : {}),
  });
  return {
    ...spec,
    db,
    desk,
    client,
    transport,
    actor: client.actorFor(spec.operatorId),
  };
}

export async function signIn(ws: TestWorkstation): Promise<boolean> {
  const { online } = await ws.client.signIn(ws.operatorId, demoPassword(ws.operatorId));
  return online;
}

/** Closes the store as a shutdown would and opens it again from its bytes: memory, triggers and session are gone. */
export async function restart(
  hub: SyncHub,
  ws: TestWorkstation,
  spec: WorkstationSpec,
  endpoint: SyncEndpoint = hubEndpoint(hub),
): Promise<TestWorkstation> {
  await ws.client.stop();
  const image = ws.db.serialize();
  ws.db.close();
  const again = openTestWorkstation(hub, spec, image, endpoint);
  again.transport.faults.down = ws.transport.faults.down;
  return again;
}

/** Every replicated record of a partition, canonical and sorted: equal dumps mean equal state. */
export function partitionDump(db: DB, partition: string): string[] {
  return liveRecords(db, partition)
    .map((live) => `${live.kind} ${live.id} ${canonicalJson(live.record)}`)
    .sort();
}

export function outboxSize(db: DB): number {
  return (db.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n;
}

export function lastOutboxCommand(db: DB): string | undefined {
  return (
    db.prepare('SELECT command_id FROM outbox ORDER BY counter DESC LIMIT 1').get() as
      { command_id: string } | undefined
  )?.command_id;
}

const PINGLI_ID = '610926';

/** The story's two consoles on one hub, both signed in: the city hall's dispatcher and the Pingli substation. */
export async function cityAndPingli(
  clock: () => number,
): Promise<{ hub: SyncHub; city: TestWorkstation; pingli: TestWorkstation }> {
  const hub = createHub(clock);
  const city = openTestWorkstation(hub, {
    id: 'ws-city',
    jurisdictionId: CITY_ID,
    operatorId: 'city-dispatcher',
    clock,
  });
  const pingli = openTestWorkstation(hub, {
    id: 'ws-pingli',
    jurisdictionId: PINGLI_ID,
    operatorId: `op-${PINGLI_ID}`,
    clock,
  });
  for (const ws of [city, pingli])
    if (!(await signIn(ws))) throw new Error(`${ws.id} could not sign in online`);
  return { hub, city, pingli };
}

/** One sync cycle that must succeed (the error names the workstation and what went wrong). */
export async function synced(ws: TestWorkstation): Promise<void> {
  const result = await ws.client.syncNow();
  if (!result.ok) throw new Error(`${ws.id} sync: ${result.error?.message}`);
}

/** A burglary call in Pingli (Chang'an), as an operator types it. */
export const PINGLI_CALL = {
  source: 'call_110' as const,
  category: 'burglary' as const,
  priority: 2,
  address: '平利县长安镇',
  summary: '入室盗窃',
  location: CHANGAN,
  countyId: PINGLI_ID,
};

/** A burglary call in Pingli (Chang'an) recorded on the workstation; the created incident. */
export function recordPingliCall(ws: TestWorkstation, summary: string): Incident {
  return ws.desk.command(ws.actor, 'incident.create', { ...PINGLI_CALL, summary });
}
