// Small geodesy helpers shared by the core (dispatch radius, duplicates) and the map (cordon circle).
import type { BBox, LngLat } from './domain/model';

const EARTH_RADIUS_KM = 6371.0088;

export function distanceKm(a: LngLat, b: LngLat): number {
  const toRad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * toRad;
  const dLng = (b.lng - a.lng) * toRad;
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * toRad) * Math.cos(b.lat * toRad) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The bounding box of a circle, for a first cut before the exact distance test. */
export function bboxAround(center: LngLat, radiusKm: number): BBox {
  const dLat = radiusKm / 111.32;
  const dLng = radiusKm / (111.32 * Math.max(0.01, Math.cos((center.lat * Math.PI) / 180)));
  return {
    west: center.lng - dLng,
    east: center.lng + dLng,
    south: center.lat - dLat,
    north: center.lat + dLat,
  };
}

/** A polygon ring approximating a circle, for drawing a cordon. */
export function circleRing(center: LngLat, radiusKm: number, steps = 64): [number, number][] {
  const ring: [number, number][] = [];
  const dLat = radiusKm / 111.32;
  const dLng = radiusKm / (111.32 * Math.max(0.01, Math.cos((center.lat * Math.PI) / 180)));
  for (let i = 0; i <= steps; i += 1) {
    const angle = (2 * Math.PI * i) / steps;
    ring.push([center.lng + dLng * Math.cos(angle), center.lat + dLat * Math.sin(angle)]);
  }
  return ring;
}
