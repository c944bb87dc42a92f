// Opens the workstation store the browser-mode host serves (the shared openWorkstation start-up path, or an
// in-memory store for tests and benchmarks) and signs in the chosen demo operator.
import type { Actor } from '../../shared/domain/model';
import { DeskError } from '../../shared/errors';
import { Desk } from '../api/desk';
import { openDatabase, type DB } from '../db/connection';
import { actorOf, getMeta, getOperator, listJurisdictions, listOperators, setMeta } from '../db/region';
import { seedRegion } from '../core/region/seed';
import { openWorkstation } from '../host';

export interface OpenedStore {
  db: DB;
  desk: Desk;
  actor: Actor;
  file: string;
  close(): void;
}

/** The demo operator this console signs in as; an unknown id is refused with the known ones named. */
function signIn(db: DB, operatorId: string): Actor {
  const operator = getOperator(db, operatorId);
  if (!operator) {
    const known = listOperators(db)
      .map((op) => op.id)
      .join(', ');
    throw new DeskError(
      'not_found',
      `operator ${operatorId} is not in this store; known operators: ${known}`,
    );
  }
  return actorOf(operator, getMeta(db, 'workstation_id') ?? 'ws-memory');
}

/** dataDir null opens an in-memory store seeded with the demo region (tests, benchmarks). */
export function openWebStore(dataDir: string | null, operatorId: string): OpenedStore {
  if (dataDir !== null) {
    const workstation = openWorkstation({ dataDir });
    try {
      return {
        db: workstation.db,
        desk: workstation.desk,
        actor: signIn(workstation.db, operatorId),
        file: workstation.file,
        close: () => workstation.close(),
      };
    } catch (error) {
      workstation.close();
      throw error;
    }
  }
  const db = openDatabase(':memory:');
  try {
    if (listJurisdictions(db).length === 0) seedRegion(db);
    setMeta(db, 'workstation_id', 'ws-memory');
    return {
      db,
      desk: new Desk(db),
      actor: signIn(db, operatorId),
      file: ':memory:',
      close: () => db.close(),
    };
  } catch (error) {
    db.close();
    throw error;
  }
}
