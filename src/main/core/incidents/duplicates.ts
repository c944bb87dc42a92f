// Duplicate-call detection: an open incident of the same category, near in place and time, is offered for linking.
import type { DuplicateCandidate } from '../../../shared/contract';
import type { IncidentCategory, LngLat } from '../../../shared/domain/model';
import { bboxAround, distanceKm } from '../../../shared/geo';
import type { DB } from '../../db/connection';
import { incidentsNear } from '../../db/incidents';

export const DUPLICATE_RADIUS_KM = 1;
export const DUPLICATE_WINDOW_MIN = 30;

export function findDuplicates(
  db: DB,
  query: { category: IncidentCategory; location: LngLat; receivedAt: number; excludeId?: string | undefined },
  visible: (countyId: string) => boolean,
): DuplicateCandidate[] {
  const window = DUPLICATE_WINDOW_MIN * 60_000;
  return incidentsNear(
    db,
    query.category,
    bboxAround(query.location, DUPLICATE_RADIUS_KM),
    query.receivedAt - window,
    query.receivedAt + window,
  )
    .filter((incident) => incident.id !== query.excludeId && visible(incident.countyId))
    .map((incident) => ({
      incident,
      distanceKm: distanceKm(query.location, incident.location),
      minutesApart: Math.abs(incident.receivedAt - query.receivedAt) / 60_000,
    }))
    .filter((candidate) => candidate.distanceKm <= DUPLICATE_RADIUS_KM)
    .sort(
      (a, b) =>
        a.distanceKm / DUPLICATE_RADIUS_KM +
        a.minutesApart / DUPLICATE_WINDOW_MIN -
        (b.distanceKm / DUPLICATE_RADIUS_KM + b.minutesApart / DUPLICATE_WINDOW_MIN),
    );
}
