// Shared test fixtures: a Desk on a store seeded with the real demo region, the demo actors, and a scripted clock.
import { Desk } from '../../src/main/api/desk';
import { openDatabase, type DB } from '../../src/main/db/connection';
import { actorOf, getOperator } from '../../src/main/db/region';
import { seedRegion } from '../../src/main/core/region/seed';
import type { Actor } from '../../src/shared/domain/model';

/** 2026-11-29 10:00 China Standard Time: a fixed morning so numbers and deadlines are predictable. */
export const MORNING = Date.UTC(2026, 10, 29, 2, 0, 0);

export const PINGLI = '610926';
export const HANBIN = '610902';

/** A place in 平利县长安镇 and one in 汉滨区 city centre. */
export const CHANGAN = { lng: 109.2852, lat: 32.4702 };
export const HANBIN_CENTRE = { lng: 109.0293, lat: 32.6849 };

export interface ScriptedClock {
  (): number;
  advance(ms: number): number;
  set(at: number): void;
}

export function scriptedClock(start = MORNING): ScriptedClock {
  let now = start;
  const clock = (() => now) as ScriptedClock;
  clock.advance = (ms) => (now += ms);
  clock.set = (at) => {
    now = at;
  };
  return clock;
}

export function actorFor(db: DB, operatorId: string, workstationId = 'ws-test'): Actor {
  const operator = getOperator(db, operatorId);
  if (!operator) throw new Error(`demo operator ${operatorId} is not in the seeded store`);
  return actorOf(operator, workstationId);
}

export interface TestDesk {
  db: DB;
  desk: Desk;
  clock: ScriptedClock;
  city: Actor;
  pingli: Actor;
  hanbin: Actor;
  analyst: Actor;
  supervisor: Actor;
}

/** Opens a store (in memory unless a file is given), seeds the region and returns a Desk with the demo actors. */
export function makeDesk(file = ':memory:', start = MORNING): TestDesk {
  const db = openDatabase(file);
  seedRegion(db, undefined, start);
  const clock = scriptedClock(start);
  const desk = new Desk(db, { clock });
  return {
    db,
    desk,
    clock,
    city: actorFor(db, 'city-dispatcher'),
    pingli: actorFor(db, `op-${PINGLI}`),
    hanbin: actorFor(db, `op-${HANBIN}`),
    analyst: actorFor(db, 'city-analyst'),
    supervisor: actorFor(db, 'city-supervisor'),
  };
}

/** A valid 110 call in Pingli's 长安镇; override any field. */
export function burglaryCall(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    source: 'call_110',
    category: 'burglary',
    priority: 1,
    callerName: '王先生',
    callerPhone: '13912345678',
    address: '平利县长安镇中心街18号',
    summary: '多名嫌疑人入室盗窃后驾车逃离，车牌陕G开头',
    location: CHANGAN,
    ...overrides,
  };
}
