// The basemap's files, fetched once when the page starts and merged into one collection. One map source
// instead of four is one job for the map's worker and one set of tiles arriving together, so the first drawing
// is not redrawn file by file (each drawing is costly where the browser renders without a GPU).
import type { Feature, FeatureCollection, Geometry } from 'geojson';

/** Each part of the basemap and the file under ./map/ it comes from. */
export const BASEMAP_FILES = {
  neighbours: 'neighbours',
  counties: 'counties',
  countyLabels: 'county-labels',
  rivers: 'rivers',
} as const;

export type BasemapPart = keyof typeof BASEMAP_FILES;
export type BasemapCollection = FeatureCollection<Geometry, Record<string, unknown>>;

/** The feature property naming the part a merged feature came from (the style's layers filter on it). */
export const PART_PROPERTY = 'part';

/** One collection of every part's features, each tagged with its part; the parts themselves are not changed. */
export function mergeBasemap(parts: Record<BasemapPart, BasemapCollection>): BasemapCollection {
  const features: Feature<Geometry, Record<string, unknown>>[] = [];
  for (const part of Object.keys(BASEMAP_FILES) as BasemapPart[])
    for (const feature of parts[part].features)
      features.push({ ...feature, properties: { ...feature.properties, [PART_PROPERTY]: part } });
  return { type: 'FeatureCollection', features };
}

async function fetchPart(part: BasemapPart): Promise<BasemapCollection> {
  const url = new URL(`map/${BASEMAP_FILES[part]}.geojson`, document.baseURI);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`the basemap file ${url.pathname} answered ${response.status}`);
  const collection = (await response.json()) as Partial<BasemapCollection>;
  if (collection.type !== 'FeatureCollection' || !Array.isArray(collection.features))
    throw new Error(`the basemap file ${url.pathname} is not a GeoJSON FeatureCollection`);
  return collection as BasemapCollection;
}

let loading: Promise<BasemapCollection> | null = null;

/**
 * The merged basemap, fetched once. A file that cannot be read is reported on the console and the map goes on
 * without a basemap (its incidents and units still show); the next call tries again.
 */
export function loadBasemap(): Promise<BasemapCollection> {
  loading ??= Promise.all(
    (Object.keys(BASEMAP_FILES) as BasemapPart[]).map(async (part) => [part, await fetchPart(part)] as const),
  )
    .then((parts) => mergeBasemap(Object.fromEntries(parts) as Record<BasemapPart, BasemapCollection>))
    .catch((error: unknown) => {
      loading = null;
      console.error(`basemap: ${error instanceof Error ? error.message : String(error)}`);
      return { type: 'FeatureCollection', features: [] };
    });
  return loading;
}

/** The features of one part of a merged basemap. */
export function basemapPart(basemap: BasemapCollection, part: BasemapPart): BasemapCollection['features'] {
  return basemap.features.filter((feature) => feature.properties[PART_PROPERTY] === part);
}
