// Which county a clicked point is in: point-in-polygon over the basemap's county outlines.
import type { LngLat } from '../../shared/domain/model';
import { basemapPart, loadBasemap } from './basemap';

type Ring = [number, number][];
interface CountyShape {
  id: string;
  polygons: Ring[][];
}

/** The county outlines of the basemap the map loads (one fetch for both). */
async function loadShapes(): Promise<CountyShape[]> {
  return basemapPart(await loadBasemap(), 'counties').map((feature) => ({
    id: String(feature.properties.id),
    polygons:
      feature.geometry.type === 'Polygon'
        ? [feature.geometry.coordinates as Ring[]]
        : feature.geometry.type === 'MultiPolygon'
          ? (feature.geometry.coordinates as Ring[][])
          : [],
  }));
}

export function insideRing(point: LngLat, ring: Ring): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i, i += 1) {
    const [xi, yi] = ring[i] as [number, number];
    const [xj, yj] = ring[j] as [number, number];
    if (yi > point.lat !== yj > point.lat && point.lng < ((xj - xi) * (point.lat - yi)) / (yj - yi) + xi)
      inside = !inside;
  }
  return inside;
}

/** The county id at a point, or null outside the region. */
export async function countyAt(point: LngLat): Promise<string | null> {
  for (const county of await loadShapes()) {
    for (const [outer, ...holes] of county.polygons) {
      if (outer && insideRing(point, outer) && !holes.some((hole) => insideRing(point, hole)))
        return county.id;
    }
  }
  return null;
}
