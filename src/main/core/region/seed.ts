// Loads the demo region (resources/region/ankang.json) into a store: jurisdictions, organisations, places,
// units, checkpoints and the demo operators.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  CITY_ID,
  type Checkpoint,
  type Jurisdiction,
  type Org,
  type Place,
  type Role,
  type Unit,
} from '../../../shared/domain/model';
import { putCheckpoint } from '../../db/checkpoints';
import type { DB } from '../../db/connection';
import { putJurisdiction, putOperator, putOrg, putPlace, type OperatorRecord } from '../../db/region';
import { putUnit } from '../../db/units';

type Point = [number, number];

export interface RegionFile {
  attribution: string;
  city: { id: string; name: string; nameEn: string; bureau: string; bureauEn: string; center: Point };
  counties: { id: string; name: string; nameEn: string; bureau: string; bureauEn: string; center: Point }[];
  orgs: { id: string; countyId: string; kind: Org['kind']; name: string; nameEn: string; location: Point }[];
  checkpoints: {
    id: string;
    countyId: string;
    orgId: string;
    name: string;
    nameEn: string;
    road: string;
    location: Point;
  }[];
  units: {
    id: string;
    countyId: string;
    orgId: string;
    kind: Unit['kind'];
    callsign: string;
    callsignEn: string;
    location: Point;
  }[];
  places: {
    id: string;
    countyId: string;
    kind: Place['kind'];
    name: string;
    nameEn: string;
    location: Point;
  }[];
}

export const REGION_FILE = fileURLToPath(
  new URL('../../../../resources/region/ankang.json', import.meta.url),
);

let cached: RegionFile | undefined;

export function loadRegionFile(file = REGION_FILE): RegionFile {
  if (file === REGION_FILE && cached) return cached;
  const region = JSON.parse(readFileSync(file, 'utf8')) as RegionFile;
  if (file === REGION_FILE) cached = region;
  return region;
}

const at = (point: Point) => ({ lng: point[0], lat: point[1] });

/** The demo accounts: one operator per county command centre, and the city hall's roles. */
export function demoOperators(region: RegionFile): OperatorRecord[] {
  const city: { id: string; name: string; role: Role }[] = [
    { id: 'city-commander', name: '市局值班领导', role: 'city_commander' },
    { id: 'city-dispatcher', name: '市局指挥调度员', role: 'dispatcher' },
    { id: 'city-supervisor', name: '市局督察员', role: 'supervisor' },
    { id: 'city-analyst', name: '市局情报分析员', role: 'analyst' },
    { id: 'admin', name: '系统管理员', role: 'admin' },
  ];
  return [
    ...city.map((op) => ({ ...op, jurisdictionId: CITY_ID, orgId: `${CITY_ID}-CC` })),
    ...region.counties.map((county) => ({
      id: `op-${county.id}`,
      name: `${county.name}值班员`,
      role: 'county_operator' as const,
      jurisdictionId: county.id,
      orgId: `${county.id}-CC`,
    })),
  ];
}

/** Writes the region into the store in one transaction; running it twice leaves the same rows. */
export function seedRegion(db: DB, region: RegionFile = loadRegionFile(), now = Date.now()): void {
  db.transaction(() => {
    const city: Jurisdiction = {
      ...region.city,
      parentId: null,
      level: 'city',
      center: at(region.city.center),
    };
    putJurisdiction(db, city);
    for (const county of region.counties) {
      putJurisdiction(db, { ...county, parentId: CITY_ID, level: 'county', center: at(county.center) });
    }
    for (const org of region.orgs) putOrg(db, { ...org, location: at(org.location) });
    for (const place of region.places) putPlace(db, { ...place, location: at(place.location) });
    for (const unit of region.units) {
      putUnit(db, {
        ...unit,
        status: 'available',
        location: at(unit.location),
        incidentId: null,
        updatedAt: now,
      });
    }
    for (const checkpoint of region.checkpoints) {
      const record: Checkpoint = {
        ...checkpoint,
        location: at(checkpoint.location),
        active: false,
        orderId: null,
        updatedAt: now,
      };
      putCheckpoint(db, record);
    }
    for (const operator of demoOperators(region)) putOperator(db, operator);
  })();
}
