// The basemap's four files are fetched once and merged into one map source; the style draws each part from it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FilterSpecification } from 'maplibre-gl';
import {
  BASEMAP_FILES,
  basemapPart,
  mergeBasemap,
  PART_PROPERTY,
  type BasemapCollection,
  type BasemapPart,
} from '../../src/renderer/map/basemap';
import { REPO_ROOT } from '../e2e/helpers/build';

const PARTS = Object.keys(BASEMAP_FILES) as BasemapPart[];
const read = (part: BasemapPart): BasemapCollection =>
  JSON.parse(
    readFileSync(join(REPO_ROOT, 'resources', 'map', `${BASEMAP_FILES[part]}.geojson`), 'utf8'),
  ) as BasemapCollection;

beforeAll(() => {
  Object.assign(globalThis, { document: { baseURI: 'http://127.0.0.1:5170/' } });
});

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  vi.resetModules();
});

/** A fetch answering the basemap's files from resources/map, or `status` for the file named `failing`. */
function fakeFetch(failing?: string, status = 404): ReturnType<typeof vi.fn> {
  return vi.fn((url: URL) => {
    const name = url.pathname.replace('/map/', '').replace('.geojson', '');
    const part = PARTS.find((p) => BASEMAP_FILES[p] === name);
    if (!part || name === failing)
      return Promise.resolve(new Response('not here', { status: failing ? status : 404 }));
    return Promise.resolve(new Response(JSON.stringify(read(part)), { status: 200 }));
  });
}

describe('the merged basemap', () => {
  it('holds every feature of every file once, tagged with its part, and leaves the files as they were', () => {
    const parts = Object.fromEntries(PARTS.map((part) => [part, read(part)])) as Record<
      BasemapPart,
      BasemapCollection
    >;
    const before = JSON.stringify(parts);
    const merged = mergeBasemap(parts);
    expect(JSON.stringify(parts), 'the parts were changed').toBe(before);
    for (const part of PARTS) {
      const mine = basemapPart(merged, part);
      expect(mine.length, part).toBe(parts[part].features.length);
      expect(mine.length, `${part} has no features`).toBeGreaterThan(0);
      mine.forEach((feature, i) => {
        const { [PART_PROPERTY]: tag, ...rest } = feature.properties;
        expect(tag).toBe(part);
        expect(rest).toEqual(parts[part].features[i]?.properties);
        expect(feature.geometry).toEqual(parts[part].features[i]?.geometry);
      });
    }
    expect(merged.features.length).toBe(PARTS.reduce((n, part) => n + parts[part].features.length, 0));
  });

  it('is fetched once for the map and the county finder', async () => {
    const fetch = fakeFetch();
    vi.stubGlobal('fetch', fetch);
    const { loadBasemap } = await import('../../src/renderer/map/basemap');
    const { countyAt } = await import('../../src/renderer/map/counties');
    const merged = await loadBasemap();
    expect(basemapPart(merged, 'counties')).toHaveLength(10);
    // 平利县 (Pingli) around its seat.
    expect(await countyAt({ lng: 109.36, lat: 32.39 })).toBe('610926');
    expect(await countyAt({ lng: 100, lat: 20 })).toBeNull();
    expect(fetch).toHaveBeenCalledTimes(PARTS.length);
  });

  it('names a file that cannot be read, goes on without a basemap, and tries again next time', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    vi.stubGlobal('fetch', fakeFetch('rivers', 500));
    const { loadBasemap } = await import('../../src/renderer/map/basemap');
    const empty = await loadBasemap();
    expect(empty.features).toEqual([]);
    expect(errors).toHaveBeenCalledWith(expect.stringContaining('/map/rivers.geojson answered 500'));
    const fetch = fakeFetch();
    vi.stubGlobal('fetch', fetch);
    expect((await loadBasemap()).features.length).toBeGreaterThan(0);
    expect(fetch).toHaveBeenCalledTimes(PARTS.length);
  });

  it('refuses a file that is not a FeatureCollection, by name', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    vi.stubGlobal(
      'fetch',
      vi.fn((url: URL) =>
        Promise.resolve(
          new Response(
            url.pathname.includes('counties')
              ? '{"type":"Feature"}'
              : '{"type":"FeatureCollection","features":[]}',
          ),
        ),
      ),
    );
    const { loadBasemap } = await import('../../src/renderer/map/basemap');
    expect((await loadBasemap()).features).toEqual([]);
    expect(errors).toHaveBeenCalledWith(
      expect.stringContaining('/map/counties.geojson is not a GeoJSON FeatureCollection'),
    );
  });

  it('gives each basemap layer of the style a part that has features to draw', async () => {
    const { buildStyle, BASEMAP_SOURCE } = await import('../../src/renderer/map/style');
    const merged = mergeBasemap(
      Object.fromEntries(PARTS.map((part) => [part, read(part)])) as Record<BasemapPart, BasemapCollection>,
    );
    const basemapLayers = buildStyle(null, merged).layers.filter(
      (layer) => 'source' in layer && layer.source === BASEMAP_SOURCE,
    );
    expect(basemapLayers.map((layer) => layer.id)).toEqual(
      expect.arrayContaining(['counties', 'county-lines', 'county-labels', 'rivers', 'neighbours-line']),
    );
    for (const layer of basemapLayers) {
      const filter = ('filter' in layer ? layer.filter : undefined) as FilterSpecification | undefined;
      expect(filter, `${layer.id} draws every part`).toEqual([
        '==',
        ['get', PART_PROPERTY],
        expect.any(String),
      ]);
      const part = (filter as unknown as [string, unknown, BasemapPart])[2];
      expect(PARTS, layer.id).toContain(part);
      expect(basemapPart(merged, part).length, `${layer.id} has nothing to draw`).toBeGreaterThan(0);
    }
  });
});
