// Which county a clicked point is in: point-in-polygon over the basemap's county outlines.
import type { LngLat } from '../../shared/domain/model';

type Ring = [number, number][];
interface CountyShape {
  id: string;
  polygons: Ring[][];
}

let shapes: Promise<CountyShape[]> | null = null;

function loadShapes(): Promise<CountyShape[]> {
  shapes ??= fetch(new URL('map/counties.geojson', document.baseURI))
    .then(
      (response) =>
        response.json() as Promise<{
          features: { properties: { id: string }; geometry: { type: string; coordinates: unknown } }[];
        }>,
    )
    .then((collection) =>
      collection.features.map((feature) => ({
        id: feature.properties.id,
        polygons:
          feature.geometry.type === 'Polygon'
            ? [feature.geometry.coordinates as Ring[]]
            : (feature.geometry.coordinates as Ring[][]),
      })),
    )
    .catch(() => {
      shapes = null;
      return [];
    });
  return shapes;
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
