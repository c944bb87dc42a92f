// Checks the offline basemap (resources/map) and the Ankang demo region (resources/region/ankang.json).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

type LngLat = [number, number];
type Ring = LngLat[];

interface AreaFeature {
  type: 'Feature';
  properties: { id: string; name: string; nameEn: string };
  geometry: { type: 'Polygon'; coordinates: Ring[] } | { type: 'MultiPolygon'; coordinates: Ring[][] };
}
interface PointFeature {
  type: 'Feature';
  properties: { id: string; name: string; nameEn: string };
  geometry: { type: 'Point'; coordinates: LngLat };
}
interface LineFeature {
  type: 'Feature';
  properties: Record<string, string | number | null>;
  geometry:
    { type: 'LineString'; coordinates: LngLat[] } | { type: 'MultiLineString'; coordinates: LngLat[][] };
}
interface FeatureCollection<F> {
  type: 'FeatureCollection';
  features: F[];
}

interface Located {
  id: string;
  countyId: string;
  location: LngLat;
}
interface RegionCounty {
  id: string;
  name: string;
  nameEn: string;
  bureau: string;
  bureauEn: string;
  center: LngLat;
}
interface RegionOrg extends Located {
  kind: 'station' | 'traffic_brigade' | 'special_team' | 'command_center';
  name: string;
  nameEn: string;
}
interface RegionCheckpoint extends Located {
  orgId: string;
  name: string;
  nameEn: string;
  road: string;
}
interface RegionUnit extends Located {
  orgId: string;
  kind: 'patrol_car' | 'foot_patrol' | 'traffic_car' | 'special_team';
  callsign: string;
  callsignEn: string;
}
interface RegionPlace extends Located {
  name: string;
  nameEn: string;
  kind: 'county_seat' | 'town' | 'landmark';
}
interface Region {
  attribution: string;
  city: RegionCounty;
  counties: RegionCounty[];
  orgs: RegionOrg[];
  checkpoints: RegionCheckpoint[];
  units: RegionUnit[];
  places: RegionPlace[];
}

const resource = (path: string): string => fileURLToPath(new URL(`../resources/${path}`, import.meta.url));
const readJson = <T>(path: string): T => JSON.parse(readFileSync(resource(path), 'utf8')) as T;

const counties = readJson<FeatureCollection<AreaFeature>>('map/counties.geojson');
const labels = readJson<FeatureCollection<PointFeature>>('map/county-labels.geojson');
const rivers = readJson<FeatureCollection<LineFeature>>('map/rivers.geojson');
const region = readJson<Region>('region/ankang.json');

const CITY_ID = '610900';
const EXPECTED_COUNTIES: Record<string, string> = {
  '610902': '汉滨区',
  '610921': '汉阴县',
  '610922': '石泉县',
  '610923': '宁陕县',
  '610924': '紫阳县',
  '610925': '岚皋县',
  '610926': '平利县',
  '610927': '镇坪县',
  '610981': '旬阳市',
  '610929': '白河县',
};
const ANKANG_BBOX: [number, number, number, number] = [107.5, 31.3, 110.5, 33.8];

function polygonsOf(f: AreaFeature): Ring[][] {
  return f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
}

function pointInRing(p: LngLat, ring: Ring): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const a = ring[i] as LngLat;
    const b = ring[j] as LngLat;
    if (a[1] > p[1] !== b[1] > p[1] && p[0] < ((b[0] - a[0]) * (p[1] - a[1])) / (b[1] - a[1]) + a[0])
      inside = !inside;
  }
  return inside;
}

/** Ray casting; a point is inside a MultiPolygon if it is inside one part's outer ring and none of its holes. */
function pointInArea(p: LngLat, f: AreaFeature): boolean {
  return polygonsOf(f).some((rings) => {
    const [outer, ...holes] = rings;
    return outer !== undefined && pointInRing(p, outer) && !holes.some((h) => pointInRing(p, h));
  });
}

const countyById = new Map<string, AreaFeature>(counties.features.map((f) => [f.properties.id, f]));

function isValidLngLat(p: unknown): p is LngLat {
  return (
    Array.isArray(p) &&
    p.length === 2 &&
    typeof p[0] === 'number' &&
    typeof p[1] === 'number' &&
    Number.isFinite(p[0]) &&
    Number.isFinite(p[1]) &&
    Math.abs(p[0]) <= 180 &&
    Math.abs(p[1]) <= 90
  );
}

/** Every located record, with a label naming it for failure messages. */
function allPoints(): { label: string; countyId: string; location: LngLat }[] {
  return [
    { label: `city ${region.city.id} center`, countyId: CITY_ID, location: region.city.center },
    ...region.counties.map((c) => ({
      label: `county ${c.id} ${c.name} center`,
      countyId: c.id,
      location: c.center,
    })),
    ...region.orgs.map((o) => ({
      label: `org ${o.id} ${o.name}`,
      countyId: o.countyId,
      location: o.location,
    })),
    ...region.checkpoints.map((c) => ({
      label: `checkpoint ${c.id} ${c.name}`,
      countyId: c.countyId,
      location: c.location,
    })),
    ...region.units.map((u) => ({
      label: `unit ${u.id} ${u.callsign}`,
      countyId: u.countyId,
      location: u.location,
    })),
    ...region.places.map((p) => ({
      label: `place ${p.id} ${p.name}`,
      countyId: p.countyId,
      location: p.location,
    })),
  ];
}

describe('basemap', () => {
  it('counties.geojson is a valid FeatureCollection of the 10 county polygons', () => {
    expect(counties.type).toBe('FeatureCollection');
    expect(counties.features).toHaveLength(10);
    const bad: string[] = [];
    for (const f of counties.features) {
      const { id, name, nameEn } = f.properties;
      const where = `county ${id} ${name}`;
      if (f.type !== 'Feature') bad.push(`${where}: not a Feature`);
      if (EXPECTED_COUNTIES[id] !== name)
        bad.push(`${where}: expected name ${EXPECTED_COUNTIES[id] ?? '(unknown id)'}`);
      if (typeof nameEn !== 'string' || nameEn.length === 0) bad.push(`${where}: no English name`);
      const geometryType: string = (f.geometry as { type: string }).type;
      if (geometryType !== 'Polygon' && geometryType !== 'MultiPolygon')
        bad.push(`${where}: geometry ${geometryType}`);
      for (const rings of polygonsOf(f)) {
        for (const ring of rings) {
          const first = ring[0];
          const last = ring[ring.length - 1];
          if (ring.length < 4) bad.push(`${where}: ring with ${ring.length} positions`);
          if (!first || !last || first[0] !== last[0] || first[1] !== last[1])
            bad.push(`${where}: ring not closed`);
          for (const p of ring) {
            if (!isValidLngLat(p)) {
              bad.push(`${where}: bad position ${JSON.stringify(p)}`);
              break;
            }
            if (
              Math.abs(p[0] * 1e5 - Math.round(p[0] * 1e5)) > 1e-6 ||
              Math.abs(p[1] * 1e5 - Math.round(p[1] * 1e5)) > 1e-6
            ) {
              bad.push(`${where}: more than 5 decimals in ${JSON.stringify(p)}`);
              break;
            }
          }
        }
      }
    }
    expect(bad).toEqual([]);
    expect([...countyById.keys()].sort()).toEqual(Object.keys(EXPECTED_COUNTIES).sort());
  });

  it('county label points lie inside their counties', () => {
    expect(labels.features).toHaveLength(10);
    const bad = labels.features
      .filter((l) => {
        const county = countyById.get(l.properties.id);
        return (
          !county ||
          county.properties.name !== l.properties.name ||
          !pointInArea(l.geometry.coordinates, county)
        );
      })
      .map((l) => `label ${l.properties.id} ${l.properties.name}`);
    expect(bad).toEqual([]);
  });

  it('rivers.geojson has a river crossing the Ankang box, the Han river among them', () => {
    const [x0, y0, x1, y1] = ANKANG_BBOX;
    const lines = (f: LineFeature): LngLat[][] =>
      f.geometry.type === 'LineString' ? [f.geometry.coordinates] : f.geometry.coordinates;
    const crossing = rivers.features.filter((f) =>
      lines(f).some((l) => l.some((p) => p[0] >= x0 && p[0] <= x1 && p[1] >= y0 && p[1] <= y1)),
    );
    expect(crossing.length).toBeGreaterThan(0);
    expect(crossing.some((f) => f.properties['name'] === '汉江')).toBe(true);
  });

  it('resources/map stays small (under 1.5 MB)', () => {
    const dir = resource('map');
    const total = readdirSync(dir).reduce((sum, name) => sum + statSync(`${dir}/${name}`).size, 0);
    expect(total).toBeLessThan(1.5 * 1024 * 1024);
  });
});

describe('Ankang demo region', () => {
  it('has the city and the 10 counties, named as the polygons are', () => {
    expect(region.city.id).toBe(CITY_ID);
    expect(region.city.name).toBe('安康市');
    expect(typeof region.attribution).toBe('string');
    expect(region.counties.map((c) => c.id).sort()).toEqual(Object.keys(EXPECTED_COUNTIES).sort());
    const bad = region.counties
      .filter((c) => countyById.get(c.id)?.properties.name !== c.name || EXPECTED_COUNTIES[c.id] !== c.name)
      .map((c) => `county ${c.id} ${c.name} (polygon: ${countyById.get(c.id)?.properties.name ?? 'none'})`);
    expect(bad).toEqual([]);
    for (const c of region.counties) {
      expect(c.nameEn, `county ${c.id} nameEn`).toBeTruthy();
      expect(c.bureau, `county ${c.id} bureau`).toMatch(/公安局/);
      expect(c.bureauEn, `county ${c.id} bureauEn`).toMatch(/Public Security Bureau/);
    }
  });

  it('has unique ids across all records', () => {
    const ids = [
      region.city.id,
      ...region.counties.map((c) => c.id),
      ...region.orgs.map((o) => o.id),
      ...region.checkpoints.map((c) => c.id),
      ...region.units.map((u) => u.id),
      ...region.places.map((p) => p.id),
    ];
    const seen = new Set<string>();
    const dups = ids.filter((id) => (seen.has(id) ? true : (seen.add(id), false)));
    expect(dups).toEqual([]);
  });

  it('has valid coordinates on every record', () => {
    const bad = allPoints()
      .filter((p) => !isValidLngLat(p.location))
      .map((p) => `${p.label}: ${JSON.stringify(p.location)}`);
    expect(bad).toEqual([]);
  });

  it('puts every point inside its county polygon (city-level records inside the city)', () => {
    const bad: string[] = [];
    for (const p of allPoints()) {
      if (p.countyId === CITY_ID) {
        if (!counties.features.some((f) => pointInArea(p.location, f)))
          bad.push(`${p.label} [${p.location.join(', ')}] is outside Ankang`);
        continue;
      }
      const county = countyById.get(p.countyId);
      if (!county) bad.push(`${p.label}: unknown county ${p.countyId}`);
      else if (!pointInArea(p.location, county))
        bad.push(`${p.label} [${p.location.join(', ')}] is outside ${county.properties.name} ${p.countyId}`);
    }
    expect(bad).toEqual([]);
  });

  it('resolves every countyId and orgId reference', () => {
    const countyIds = new Set<string>([CITY_ID, ...region.counties.map((c) => c.id)]);
    const orgById = new Map<string, RegionOrg>(region.orgs.map((o) => [o.id, o]));
    const bad: string[] = [];
    for (const p of allPoints())
      if (!countyIds.has(p.countyId)) bad.push(`${p.label}: unknown countyId ${p.countyId}`);
    for (const c of region.checkpoints) {
      const org = orgById.get(c.orgId);
      if (!org) bad.push(`checkpoint ${c.id} ${c.name}: unknown orgId ${c.orgId}`);
      else if (org.countyId !== c.countyId)
        bad.push(`checkpoint ${c.id} ${c.name}: org ${c.orgId} is in county ${org.countyId}`);
    }
    const orgKindFor: Record<RegionUnit['kind'], RegionOrg['kind']> = {
      patrol_car: 'station',
      foot_patrol: 'station',
      traffic_car: 'traffic_brigade',
      special_team: 'special_team',
    };
    for (const u of region.units) {
      const org = orgById.get(u.orgId);
      if (!org) bad.push(`unit ${u.id} ${u.callsign}: unknown orgId ${u.orgId}`);
      else {
        if (org.countyId !== u.countyId)
          bad.push(`unit ${u.id} ${u.callsign}: org ${u.orgId} is in county ${org.countyId}`);
        if (org.kind !== orgKindFor[u.kind])
          bad.push(`unit ${u.id} ${u.callsign} (${u.kind}): owned by ${org.kind} ${u.orgId}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('gives the city a command centre and a special team', () => {
    const city = region.orgs.filter((o) => o.countyId === CITY_ID);
    expect(city.find((o) => o.id === '610900-CC')?.kind).toBe('command_center');
    expect(city.some((o) => o.kind === 'special_team')).toBe(true);
  });

  it('gives each county a command centre, a traffic brigade, ≥3 stations, ≥3 checkpoints and ≥4 units', () => {
    const bad: string[] = [];
    for (const c of region.counties) {
      const orgs = region.orgs.filter((o) => o.countyId === c.id);
      const count = (kind: RegionOrg['kind']): number => orgs.filter((o) => o.kind === kind).length;
      const where = `county ${c.id} ${c.name}`;
      if (count('command_center') !== 1) bad.push(`${where}: ${count('command_center')} command centres`);
      if (count('traffic_brigade') !== 1) bad.push(`${where}: ${count('traffic_brigade')} traffic brigades`);
      if (count('station') < 3) bad.push(`${where}: only ${count('station')} stations`);
      const cps = region.checkpoints.filter((x) => x.countyId === c.id).length;
      if (cps < 3) bad.push(`${where}: only ${cps} checkpoints`);
      const units = region.units.filter((x) => x.countyId === c.id).length;
      if (units < 4) bad.push(`${where}: only ${units} units`);
      const seats = region.places.filter((p) => p.countyId === c.id && p.kind === 'county_seat').length;
      if (seats !== 1) bad.push(`${where}: ${seats} county seats`);
    }
    expect(bad).toEqual([]);
  });

  it('has 长安镇 in Pingli (610926)', () => {
    const changan = region.places.find((p) => p.name === '长安镇' && p.countyId === '610926');
    expect(changan, '长安镇 in 610926').toBeDefined();
    expect(changan?.kind).toBe('town');
  });

  it('has English names and callsigns on every record', () => {
    const bad: string[] = [
      ...region.orgs.filter((o) => !o.name || !o.nameEn).map((o) => `org ${o.id}`),
      ...region.checkpoints.filter((c) => !c.name || !c.nameEn || !c.road).map((c) => `checkpoint ${c.id}`),
      ...region.units.filter((u) => !u.callsign || !u.callsignEn).map((u) => `unit ${u.id}`),
      ...region.places.filter((p) => !p.name || !p.nameEn).map((p) => `place ${p.id}`),
    ];
    expect(bad).toEqual([]);
  });
});
