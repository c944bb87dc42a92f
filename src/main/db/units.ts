// units table: patrol cars, foot patrols, traffic cars and special teams with status and position.
import type { Unit } from '../../shared/domain/model';
import { prepared, type DB } from './connection';

interface UnitRow {
  id: string;
  county_id: string;
  org_id: string;
  kind: string;
  callsign: string;
  callsign_en: string;
  status: string;
  lng: number;
  lat: number;
  incident_id: string | null;
  updated_at: number;
}

function rowToUnit(row: UnitRow): Unit {
  return {
    id: row.id,
    countyId: row.county_id,
    orgId: row.org_id,
    kind: row.kind as Unit['kind'],
    callsign: row.callsign,
    callsignEn: row.callsign_en,
    status: row.status as Unit['status'],
    location: { lng: row.lng, lat: row.lat },
    incidentId: row.incident_id,
    updatedAt: row.updated_at,
  };
}

export function getUnit(db: DB, id: string): Unit | undefined {
  const row = prepared(db, 'SELECT * FROM units WHERE id = ?').get(id) as UnitRow | undefined;
  return row ? rowToUnit(row) : undefined;
}

export function putUnit(db: DB, unit: Unit): void {
  prepared(
    db,
    `INSERT INTO units (id, county_id, org_id, kind, callsign, callsign_en, status, lng, lat, incident_id, updated_at)
     VALUES (@id, @county_id, @org_id, @kind, @callsign, @callsign_en, @status, @lng, @lat, @incident_id, @updated_at)
     ON CONFLICT (id) DO UPDATE SET county_id = excluded.county_id, org_id = excluded.org_id, kind = excluded.kind,
       callsign = excluded.callsign, callsign_en = excluded.callsign_en, status = excluded.status, lng = excluded.lng,
       lat = excluded.lat, incident_id = excluded.incident_id, updated_at = excluded.updated_at`,
  ).run({
    id: unit.id,
    county_id: unit.countyId,
    org_id: unit.orgId,
    kind: unit.kind,
    callsign: unit.callsign,
    callsign_en: unit.callsignEn,
    status: unit.status,
    lng: unit.location.lng,
    lat: unit.location.lat,
    incident_id: unit.incidentId,
    updated_at: unit.updatedAt,
  });
}

export function listUnits(
  db: DB,
  filter: { countyIds?: string[] | undefined; status?: string[] | undefined; orgId?: string },
): Unit[] {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.countyIds) {
    where.push(`county_id IN (${filter.countyIds.map(() => '?').join(', ') || "''"})`);
    params.push(...filter.countyIds);
  }
  if (filter.status?.length) {
    where.push(`status IN (${filter.status.map(() => '?').join(', ')})`);
    params.push(...filter.status);
  }
  if (filter.orgId) {
    where.push('org_id = ?');
    params.push(filter.orgId);
  }
  const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
  return (
    db.prepare(`SELECT * FROM units ${clause} ORDER BY county_id, callsign`).all(...params) as UnitRow[]
  ).map(rowToUnit);
}
