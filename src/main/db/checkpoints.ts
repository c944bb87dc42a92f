// checkpoints table: fixed road checkpoints, activated by orders.
import type { Checkpoint } from '../../shared/domain/model';
import { prepared, type DB } from './connection';

interface CheckpointRow {
  id: string;
  county_id: string;
  org_id: string;
  name: string;
  name_en: string;
  road: string;
  lng: number;
  lat: number;
  active: number;
  order_id: string | null;
  updated_at: number;
}

function rowToCheckpoint(row: CheckpointRow): Checkpoint {
  return {
    id: row.id,
    countyId: row.county_id,
    orgId: row.org_id,
    name: row.name,
    nameEn: row.name_en,
    road: row.road,
    location: { lng: row.lng, lat: row.lat },
    active: row.active === 1,
    orderId: row.order_id,
    updatedAt: row.updated_at,
  };
}

export function getCheckpoint(db: DB, id: string): Checkpoint | undefined {
  const row = prepared(db, 'SELECT * FROM checkpoints WHERE id = ?').get(id) as CheckpointRow | undefined;
  return row ? rowToCheckpoint(row) : undefined;
}

export function putCheckpoint(db: DB, checkpoint: Checkpoint): void {
  prepared(
    db,
    `INSERT INTO checkpoints (id, county_id, org_id, name, name_en, road, lng, lat, active, order_id, updated_at)
     VALUES (@id, @county_id, @org_id, @name, @name_en, @road, @lng, @lat, @active, @order_id, @updated_at)
     ON CONFLICT (id) DO UPDATE SET county_id = excluded.county_id, org_id = excluded.org_id, name = excluded.name,
       name_en = excluded.name_en, road = excluded.road, lng = excluded.lng, lat = excluded.lat,
       active = excluded.active, order_id = excluded.order_id, updated_at = excluded.updated_at`,
  ).run({
    id: checkpoint.id,
    county_id: checkpoint.countyId,
    org_id: checkpoint.orgId,
    name: checkpoint.name,
    name_en: checkpoint.nameEn,
    road: checkpoint.road,
    lng: checkpoint.location.lng,
    lat: checkpoint.location.lat,
    active: checkpoint.active ? 1 : 0,
    order_id: checkpoint.orderId,
    updated_at: checkpoint.updatedAt,
  });
}

export function listCheckpoints(
  db: DB,
  filter: {
    countyIds?: string[] | undefined;
    bbox?: { west: number; south: number; east: number; north: number } | undefined;
    orgId?: string;
  },
): Checkpoint[] {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.countyIds) {
    where.push(`county_id IN (${filter.countyIds.map(() => '?').join(', ') || "''"})`);
    params.push(...filter.countyIds);
  }
  if (filter.bbox) {
    where.push('lng BETWEEN ? AND ? AND lat BETWEEN ? AND ?');
    params.push(filter.bbox.west, filter.bbox.east, filter.bbox.south, filter.bbox.north);
  }
  if (filter.orgId) {
    where.push('org_id = ?');
    params.push(filter.orgId);
  }
  const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
  return (
    db.prepare(`SELECT * FROM checkpoints ${clause} ORDER BY county_id, id`).all(...params) as CheckpointRow[]
  ).map(rowToCheckpoint);
}
