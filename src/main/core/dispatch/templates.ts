// One-key order templates: 设卡盘查 (checkpoints in a radius, the county's traffic brigade, the area's station)
// and 出警 (nearest available units). The result is a proposal the operator adjusts before issuing.
import type { DispatchProposal, ProposedTarget, QueryArgs } from '../../../shared/contract';
import type { Actor, LngLat, Org } from '../../../shared/domain/model';
import { DeskError } from '../../../shared/errors';
import { distanceKm } from '../../../shared/geo';
import { listCheckpoints } from '../../db/checkpoints';
import type { DB } from '../../db/connection';
import { getIncident } from '../../db/incidents';
import { listOrgs } from '../../db/region';
import { listUnits } from '../../db/units';
import { coversCounty } from '../access';
import { required } from '../lookup';

function nearestOrg(orgs: Org[], kind: Org['kind'], at: LngLat): Org | undefined {
  return orgs
    .filter((org) => org.kind === kind)
    .map((org) => ({ org, d: distanceKm(org.location, at) }))
    .sort((a, b) => a.d - b.d)[0]?.org;
}

export function proposeDispatch(db: DB, actor: Actor, args: QueryArgs<'dispatch.preview'>): DispatchProposal {
  const incident = args.incidentId
    ? required(getIncident(db, args.incidentId), 'incident', args.incidentId)
    : undefined;
  const center = incident?.location ?? args.location;
  const countyId =
    incident?.countyId ??
    args.countyId ??
    (coversCounty(actor, actor.jurisdictionId) ? actor.jurisdictionId : undefined);
  if (!center) throw new DeskError('invalid_input', 'dispatch.preview: give an incidentId or a location');
  if (!countyId) throw new DeskError('invalid_input', 'dispatch.preview: give an incidentId or a countyId');
  // Only what the operator may give orders to is offered.
  const allowed = (county: string): boolean => coversCounty(actor, county);
  const targets: ProposedTarget[] = [];
  const place = incident ? `${incident.address}` : `${center.lng.toFixed(4)},${center.lat.toFixed(4)}`;

  if (args.template === 'checkpoint_search') {
    const checkpoints = listCheckpoints(db, {})
      .filter((cp) => allowed(cp.countyId))
      .map((cp) => ({ cp, d: distanceKm(center, cp.location) }))
      .filter(({ d }) => d <= args.radiusKm)
      .sort((a, b) => a.d - b.d);
    for (const { cp, d } of checkpoints) {
      targets.push({
        targetKind: 'checkpoint',
        targetId: cp.id,
        countyId: cp.countyId,
        name: cp.name,
        nameEn: cp.nameEn,
        location: cp.location,
        distanceKm: d,
        reason: 'checkpoint_in_radius',
      });
    }
    const countyOrgs = listOrgs(db, [countyId]).filter((org) => allowed(org.countyId));
    const brigade = nearestOrg(countyOrgs, 'traffic_brigade', center);
    if (brigade) {
      targets.push({
        targetKind: 'org',
        targetId: brigade.id,
        countyId: brigade.countyId,
        name: brigade.name,
        nameEn: brigade.nameEn,
        location: brigade.location,
        distanceKm: distanceKm(center, brigade.location),
        reason: 'traffic_brigade',
      });
    }
    const station = nearestOrg(countyOrgs, 'station', center);
    if (station) {
      targets.push({
        targetKind: 'org',
        targetId: station.id,
        countyId: station.countyId,
        name: station.name,
        nameEn: station.nameEn,
        location: station.location,
        distanceKm: distanceKm(center, station.location),
        reason: 'area_station',
      });
    }
    return {
      template: 'checkpoint_search',
      center,
      countyId,
      title: `设卡盘查：${place}`,
      content: `${place}发生警情，请立即在责任卡点设卡，盘查过往可疑车辆和人员，发现情况立即反馈。`,
      targets,
    };
  }

  const units = listUnits(db, { status: ['available'] })
    .filter((unit) => allowed(unit.countyId))
    .map((unit) => ({ unit, d: distanceKm(center, unit.location) }))
    .sort((a, b) => a.d - b.d)
    .slice(0, args.count);
  for (const { unit, d } of units) {
    targets.push({
      targetKind: 'unit',
      targetId: unit.id,
      countyId: unit.countyId,
      name: unit.callsign,
      nameEn: unit.callsignEn,
      location: unit.location,
      distanceKm: d,
      reason: 'nearest_unit',
    });
  }
  return {
    template: 'dispatch',
    center,
    countyId,
    title: `出警：${place}`,
    content: `请立即前往${place}处置，到场后反馈。`,
    targets,
  };
}
