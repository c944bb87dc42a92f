// Who is signed in, the region they work in, the host connection, and the ticking clock (sync: ./sync).
import type { RegionInfo } from '../../shared/contract';
import { CITY_ID, type Actor, type Jurisdiction } from '../../shared/domain/model';
import type { DataOf, Slice } from './types';

export type HostConnection = 'connecting' | 'open' | 'closed';

export interface SessionSlice {
  actor: Actor | null;
  region: RegionInfo | null;
  connection: HostConnection;
  /** Milliseconds since the epoch, advanced once a second so ages and countdowns re-render together. */
  now: number;
  setSession(actor: Actor, region: RegionInfo): void;
  setConnection(connection: HostConnection): void;
  tick(now: number): void;
}

export const emptySession: DataOf<SessionSlice> = {
  actor: null,
  region: null,
  connection: 'connecting',
  now: 0,
};

export const createSessionSlice: Slice<SessionSlice> = (set) => ({
  ...emptySession,
  setSession: (actor, region) => set({ actor, region }),
  setConnection: (connection) => set({ connection }),
  tick: (now) => set({ now }),
});

/** The county (or the city) with this id, for names in the panels. */
export function jurisdictionOf(region: RegionInfo | null, id: string): Jurisdiction | undefined {
  if (!region) return undefined;
  return region.city.id === id ? region.city : region.counties.find((county) => county.id === id);
}

/** Whether the operator covers the whole city (and must say which county an incident is in). */
export function isCityOperator(actor: Actor | null): boolean {
  return actor !== null && actor.jurisdictionId === CITY_ID;
}
