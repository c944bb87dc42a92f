// Incidents the console holds (the working set), the queue's filter and sort, and the pure view over them.
import type { Incident, IncidentStatus, Priority } from '../../shared/domain/model';
import type { DataOf, Slice } from './types';

export const OPEN_STATUSES: readonly IncidentStatus[] = ['received', 'dispatched', 'on_scene', 'handled'];
export const ALL_STATUSES: readonly IncidentStatus[] = [
  ...OPEN_STATUSES,
  'closed',
  'cancelled',
  'duplicate',
  'merged',
];

export interface IncidentFilter {
  /** Empty means every status. */
  statuses: IncidentStatus[];
  /** Show priorities up to this one (1 = only 一级). */
  maxPriority: Priority;
  countyId: string | null;
  /** Only incidents received within this many hours; null for any time. */
  withinHours: number | null;
  text: string;
}

export type IncidentSortKey = 'receivedAt' | 'priority' | 'status' | 'countyId' | 'category';

export interface IncidentSort {
  key: IncidentSortKey;
  descending: boolean;
}

export interface IncidentsSlice {
  incidents: Record<string, Incident>;
  /** How many incidents the store holds for the loaded scope (may exceed what is loaded). */
  incidentTotal: number;
  /** Bumped on every change so derived views can memoise on it. */
  incidentVersion: number;
  incidentFilter: IncidentFilter;
  incidentSort: IncidentSort;
  setIncidents(items: Incident[], total: number): void;
  addIncidents(items: Incident[]): void;
  upsertIncidents(items: Incident[]): void;
  /** The workstation's answer for changed ids: these copies as they are now, and the ids it no longer holds. */
  replaceIncidents(items: Incident[], goneIds: string[]): void;
  setIncidentFilter(patch: Partial<IncidentFilter>): void;
  setIncidentSort(key: IncidentSortKey): void;
}

export const defaultIncidentFilter: IncidentFilter = {
  statuses: [...OPEN_STATUSES],
  maxPriority: 4,
  countyId: null,
  withinHours: null,
  text: '',
};

export const emptyIncidents: DataOf<IncidentsSlice> = {
  incidents: {},
  incidentTotal: 0,
  incidentVersion: 0,
  incidentFilter: defaultIncidentFilter,
  incidentSort: { key: 'receivedAt', descending: true },
};

export const createIncidentsSlice: Slice<IncidentsSlice> = (set) => ({
  ...emptyIncidents,
  setIncidents: (items, total) =>
    set((state) => ({
      incidents: Object.fromEntries(items.map((incident) => [incident.id, incident])),
      incidentTotal: total,
      incidentVersion: state.incidentVersion + 1,
    })),
  addIncidents: (items) =>
    set((state) => {
      if (items.length === 0) return {};
      const incidents = { ...state.incidents };
      for (const incident of items) {
        // A page read before a live change arrived must not undo it.
        const held = incidents[incident.id];
        if (!held || held.updatedAt <= incident.updatedAt) incidents[incident.id] = incident;
      }
      return { incidents, incidentVersion: state.incidentVersion + 1 };
    }),
  upsertIncidents: (items) =>
    set((state) => {
      const incidents = { ...state.incidents };
      let added = 0;
      for (const incident of items) {
        // A change that arrives late (an older updatedAt) never overwrites what is newer.
        const held = incidents[incident.id];
        if (held && held.updatedAt > incident.updatedAt) continue;
        if (!held) added += 1;
        incidents[incident.id] = incident;
      }
      return {
        incidents,
        incidentTotal: state.incidentTotal + added,
        incidentVersion: state.incidentVersion + 1,
      };
    }),
  // Unlike upsert, an older updatedAt wins here: a sync rebase rolls a local change back (a refused command, a
  // 'mine' the server kept as a new conflict) to the server's older copy, and an incident moved to a county this
  // console does not read is gone; keeping the newer local copy showed what the server never accepted.
  replaceIncidents: (items, goneIds) =>
    set((state) => {
      const incidents = { ...state.incidents };
      let total = state.incidentTotal;
      for (const incident of items) {
        if (!incidents[incident.id]) total += 1;
        incidents[incident.id] = incident;
      }
      for (const id of goneIds) {
        if (!incidents[id]) continue;
        delete incidents[id];
        total -= 1;
      }
      return { incidents, incidentTotal: Math.max(0, total), incidentVersion: state.incidentVersion + 1 };
    }),
  setIncidentFilter: (patch) => set((state) => ({ incidentFilter: { ...state.incidentFilter, ...patch } })),
  setIncidentSort: (key) =>
    set((state) => ({
      incidentSort:
        state.incidentSort.key === key
          ? { key, descending: !state.incidentSort.descending }
          : { key, descending: key === 'receivedAt' },
    })),
});

const STATUS_RANK = Object.fromEntries(ALL_STATUSES.map((status, index) => [status, index])) as Record<
  IncidentStatus,
  number
>;

export function matchesFilter(incident: Incident, filter: IncidentFilter, now: number): boolean {
  if (filter.statuses.length > 0 && !filter.statuses.includes(incident.status)) return false;
  if (incident.priority > filter.maxPriority) return false;
  if (filter.countyId && incident.countyId !== filter.countyId) return false;
  if (filter.withinHours !== null && now - incident.receivedAt > filter.withinHours * 3_600_000) return false;
  if (filter.text) {
    const text = filter.text.toLowerCase();
    const haystack = `${incident.number} ${incident.address} ${incident.summary} ${incident.callerName} ${incident.callerPhone}`;
    if (!haystack.toLowerCase().includes(text)) return false;
  }
  return true;
}

/** The queue: filtered, then sorted, ties broken by newest first so the order is stable. */
export function queueOf(
  incidents: Record<string, Incident>,
  filter: IncidentFilter,
  sort: IncidentSort,
  now: number,
): Incident[] {
  const rows = Object.values(incidents).filter((incident) => matchesFilter(incident, filter, now));
  const direction = sort.descending ? -1 : 1;
  const value = (incident: Incident): number | string =>
    sort.key === 'status' ? STATUS_RANK[incident.status] : incident[sort.key];
  rows.sort((a, b) => {
    const x = value(a);
    const y = value(b);
    if (x < y) return -direction;
    if (x > y) return direction;
    return b.receivedAt - a.receivedAt || (a.id < b.id ? -1 : 1);
  });
  return rows;
}

export type AgeLevel = 'fresh' | 'amber' | 'red' | 'none';

/** Waiting time colour: an unhandled (接警) incident is amber after 5 minutes and red after 15. */
export function ageLevel(incident: Incident, now: number): AgeLevel {
  if (incident.status !== 'received') return 'none';
  const minutes = (now - incident.receivedAt) / 60_000;
  if (minutes > 15) return 'red';
  if (minutes > 5) return 'amber';
  return 'fresh';
}
