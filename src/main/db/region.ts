// jurisdictions, orgs, places and operators: the static picture of the region the store serves.
import type { Actor, Jurisdiction, Org, Place, Role } from '../../shared/domain/model';
import { prepared, type DB } from './connection';

interface JurisdictionRow {
  id: string;
  parent_id: string | null;
  level: string;
  name: string;
  name_en: string;
  bureau: string;
  bureau_en: string;
  lng: number;
  lat: number;
}

interface PlaceRow {
  id: string;
  county_id: string;
  kind: string;
  name: string;
  name_en: string;
  lng: number;
  lat: number;
}

export function putJurisdiction(db: DB, j: Jurisdiction): void {
  prepared(
    db,
    `INSERT OR REPLACE INTO jurisdictions (id, parent_id, level, name, name_en, bureau, bureau_en, lng, lat)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(j.id, j.parentId, j.level, j.name, j.nameEn, j.bureau, j.bureauEn, j.center.lng, j.center.lat);
}

export function listJurisdictions(db: DB): Jurisdiction[] {
  const rows = prepared(db, 'SELECT * FROM jurisdictions ORDER BY level, id').all() as JurisdictionRow[];
  return rows.map((row) => ({
    id: row.id,
    parentId: row.parent_id,
    level: row.level as Jurisdiction['level'],
    name: row.name,
    nameEn: row.name_en,
    bureau: row.bureau,
    bureauEn: row.bureau_en,
    center: { lng: row.lng, lat: row.lat },
  }));
}

export function putOrg(db: DB, org: Org): void {
  prepared(
    db,
    'INSERT OR REPLACE INTO orgs (id, county_id, kind, name, name_en, lng, lat) VALUES (?, ?, ?, ?, ?, ?, ?)',
  ).run(org.id, org.countyId, org.kind, org.name, org.nameEn, org.location.lng, org.location.lat);
}

function rowToOrg(row: PlaceRow): Org {
  return {
    id: row.id,
    countyId: row.county_id,
    kind: row.kind as Org['kind'],
    name: row.name,
    nameEn: row.name_en,
    location: { lng: row.lng, lat: row.lat },
  };
}

export function getOrg(db: DB, id: string): Org | undefined {
  const row = prepared(db, 'SELECT * FROM orgs WHERE id = ?').get(id) as PlaceRow | undefined;
  return row ? rowToOrg(row) : undefined;
}

export function listOrgs(db: DB, countyIds?: string[]): Org[] {
  const rows = countyIds
    ? (db
        .prepare(
          `SELECT * FROM orgs WHERE county_id IN (${countyIds.map(() => '?').join(', ') || "''"}) ORDER BY id`,
        )
        .all(...countyIds) as PlaceRow[])
    : (prepared(db, 'SELECT * FROM orgs ORDER BY id').all() as PlaceRow[]);
  return rows.map(rowToOrg);
}

export function putPlace(db: DB, place: Place): void {
  prepared(
    db,
    'INSERT OR REPLACE INTO places (id, county_id, kind, name, name_en, lng, lat) VALUES (?, ?, ?, ?, ?, ?, ?)',
  ).run(
    place.id,
    place.countyId,
    place.kind,
    place.name,
    place.nameEn,
    place.location.lng,
    place.location.lat,
  );
}

export function listPlaces(db: DB): Place[] {
  const rows = prepared(db, 'SELECT * FROM places ORDER BY county_id, kind, id').all() as PlaceRow[];
  return rows.map((row) => ({ ...rowToOrg(row), kind: row.kind as Place['kind'] }));
}

export interface OperatorRecord {
  id: string;
  name: string;
  role: Role;
  jurisdictionId: string;
  orgId: string | null;
}

export function putOperator(db: DB, operator: OperatorRecord): void {
  prepared(
    db,
    'INSERT OR REPLACE INTO operators (id, name, role, jurisdiction_id, org_id) VALUES (?, ?, ?, ?, ?)',
  ).run(operator.id, operator.name, operator.role, operator.jurisdictionId, operator.orgId);
}

export function getOperator(db: DB, id: string): OperatorRecord | undefined {
  const row = prepared(db, 'SELECT * FROM operators WHERE id = ?').get(id) as
    { id: string; name: string; role: string; jurisdiction_id: string; org_id: string | null } | undefined;
  return row
    ? {
        id: row.id,
        name: row.name,
        role: row.role as Role,
        jurisdictionId: row.jurisdiction_id,
        orgId: row.org_id,
      }
    : undefined;
}

export function listOperators(db: DB): OperatorRecord[] {
  const rows = prepared(db, 'SELECT * FROM operators ORDER BY id').all() as {
    id: string;
    name: string;
    role: string;
    jurisdiction_id: string;
    org_id: string | null;
  }[];
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    role: row.role as Role,
    jurisdictionId: row.jurisdiction_id,
    orgId: row.org_id,
  }));
}

export function actorOf(operator: OperatorRecord, workstationId: string): Actor {
  return {
    operatorId: operator.id,
    name: operator.name,
    role: operator.role,
    jurisdictionId: operator.jurisdictionId,
    orgId: operator.orgId,
    workstationId,
  };
}

export function getMeta(db: DB, key: string): string | undefined {
  return (prepared(db, 'SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)
    ?.value;
}

export function setMeta(db: DB, key: string, value: string): void {
  prepared(
    db,
    'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  ).run(key, value);
}
