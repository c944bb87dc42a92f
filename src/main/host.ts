// Opens a workstation's store and Desk from a data directory: the one start-up path the CLI, the web host,
// Electron and tests share, so each gets the same file name, first-run seeding and workstation id.
import { startSearchIndexer } from './db/search-index';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Actor } from '../shared/domain/model';
import { DeskError } from '../shared/errors';
import { Desk } from './api/desk';
import { openDatabase, type DB } from './db/connection';
import { actorOf, getMeta, getOperator, setMeta } from './db/region';
import { loadRegionFile, seedRegion, type RegionFile } from './core/region/seed';
import { SupervisionService, type SupervisionOptions } from './core/supervision/timer';

const STORE_FILE = 'desk.sqlite';

/** Meta keys the host owns: who this workstation is and which jurisdiction it serves (supervision reads both). */
const META_WORKSTATION_ID = 'workstation_id';
const META_JURISDICTION = 'jurisdiction';

export interface WorkstationOptions {
  dataDir: string;
  /** Seed the demo region and operators when the store holds no region yet (default true). */
  seed?: boolean;
  /** Milliseconds since the epoch; the story and tests pass a scripted clock. */
  clock?: () => number;
  region?: RegionFile;
  /** The jurisdiction this workstation serves (a county id, or the city); kept in the store once given. */
  jurisdiction?: string;
  /** better-sqlite3's native module built for Electron (see OpenOptions.nativeBinding). */
  nativeBinding?: string;
}

export interface Workstation {
  db: DB;
  desk: Desk;
  workstationId: string;
  file: string;
  /** The actor of a known operator on this workstation (hosts resolve sessions with it). */
  actor(operatorId: string): Actor;
  close(): void;
}

function hasRegion(db: DB): boolean {
  return db.prepare('SELECT 1 FROM jurisdictions LIMIT 1').get() !== undefined;
}

export function storeFile(dataDir: string): string {
  return join(dataDir, STORE_FILE);
}

export function openWorkstation(options: WorkstationOptions): Workstation {
  mkdirSync(options.dataDir, { recursive: true });
  const file = storeFile(options.dataDir);
  const db = openDatabase(file, { nativeBinding: options.nativeBinding });
  const clock = options.clock ?? Date.now;
  try {
    if ((options.seed ?? true) && !hasRegion(db)) seedRegion(db, options.region ?? loadRegionFile(), clock());
    let workstationId = getMeta(db, META_WORKSTATION_ID);
    if (!workstationId) {
      // Chosen once and kept: every command this workstation sends is known by (workstation id, counter).
      workstationId = `ws-${randomUUID()}`;
      setMeta(db, META_WORKSTATION_ID, workstationId);
    }
    if (options.jurisdiction) setMeta(db, META_JURISDICTION, options.jurisdiction);
    const desk = new Desk(db, { clock });
    const id = workstationId;
    const stopIndexer = startSearchIndexer(db);
    return {
      db,
      desk,
      workstationId: id,
      file,
      actor(operatorId) {
        const operator = getOperator(db, operatorId);
        if (!operator)
          throw new DeskError('not_found', `operator ${operatorId} does not exist on this workstation`, {
            kind: 'operator',
            id: operatorId,
          });
        return actorOf(operator, id);
      },
      close() {
        stopIndexer();
        if (db.open) db.close();
      },
    };
  } catch (error) {
    db.close();
    throw error;
  }
}

/** How often a running console looks for order targets past their sign or finish deadline. */
export const SUPERVISION_INTERVAL_MS = 15_000;

/**
 * What a console's supervision timer covers and whom its escalations name: the console's own jurisdiction and
 * workstation (for a synced console, the enrolled workstation the server authorises the escalations against).
 */
export function supervisionScope(actor: Actor): SupervisionOptions {
  return { jurisdictionId: actor.jurisdictionId, workstationId: actor.workstationId };
}

/**
 * Starts the supervision timer on an open workstation's Desk (a first tick at once, then every `intervalMs`; 0 or
 * less runs nothing): the browser mode and the desktop app both start it once the store is open, so an overdue
 * order escalates whichever host the console runs in. Returns the stop, which the host calls before the store
 * closes; a tick after that would only find the store closed.
 */
export function startSupervision(
  desk: Desk,
  intervalMs: number = SUPERVISION_INTERVAL_MS,
  scope: SupervisionOptions = {},
): () => void {
  if (intervalMs <= 0) return () => undefined;
  return new SupervisionService(desk, scope).start(intervalMs);
}
