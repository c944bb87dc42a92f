// The map starts on its basemap alone: the style is split into the basemap (file sources) and the console's
// own layers, each source's layers added the first time it has something to draw, in the style's own order.
import { beforeAll, describe, expect, it } from 'vitest';
import type { LayerSpecification, StyleSpecification } from 'maplibre-gl';
import { layerAbove, splitStyle } from '../../src/renderer/map/split-style';

let style: StyleSpecification;

beforeAll(async () => {
  // The style points its basemap at files next to the page.
  Object.assign(globalThis, { document: { baseURI: 'http://127.0.0.1:5170/' } });
  style = (await import('../../src/renderer/map/style')).buildStyle(null, {
    type: 'FeatureCollection',
    features: [],
  });
});

/**
 * Adds the console's sources in the given order, each with all its layers, as the map panel does (maplibre's
 * addLayer(layer, before) inserts under `before`, or on top without it).
 */
function addBySource(basemap: string[], later: LayerSpecification[], sources: string[]): string[] {
  const order = style.layers.map((layer) => layer.id);
  const map = [...basemap];
  for (const source of sources)
    for (const layer of later) {
      if (!('source' in layer) || layer.source !== source) continue;
      const before = layerAbove(order, layer.id, (id) => map.includes(id));
      map.splice(before === undefined ? map.length : map.indexOf(before), 0, layer.id);
    }
  return map;
}

/** A seeded shuffle, so a failing order can be seen again. */
function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i -= 1) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

describe('the map style split for a fast first drawing', () => {
  it('starts with the basemap files only, and every layer of the map is in one part or the other', () => {
    const { basemap, later } = splitStyle(style);
    expect(Object.keys(basemap.sources), 'one source holds the whole basemap').toEqual(['basemap']);
    expect(Object.keys(later.sources), 'the incidents should wait for the first drawing').toContain(
      'incidents',
    );
    expect(basemap.layers.length + later.layers.length).toBe(style.layers.length);
    for (const layer of basemap.layers)
      if ('source' in layer)
        expect(basemap.sources[layer.source], `${layer.id} lost its source`).toBeDefined();
    for (const layer of later.layers)
      if ('source' in layer) expect(later.sources[layer.source], `${layer.id} lost its source`).toBeDefined();
  });

  it('puts the console’s layers back in the style’s order, under the labels, whichever source comes first', () => {
    const { basemap, later } = splitStyle(style);
    const sources = Object.keys(later.sources);
    const full = style.layers.map((layer) => layer.id);
    for (let seed = 1; seed <= 50; seed += 1) {
      const arrival = shuffled(sources, seed);
      const order = addBySource(
        basemap.layers.map((layer) => layer.id),
        later.layers,
        arrival,
      );
      expect(order, `sources arriving as ${arrival.join(', ')}`).toEqual(full);
    }
    // Sources that never get anything to draw are never added; the rest still keep their order.
    const some = addBySource(
      basemap.layers.map((layer) => layer.id),
      later.layers,
      ['units', 'incidents'],
    );
    expect(some).toEqual(full.filter((id) => some.includes(id)));
    expect(some.indexOf('incidents')).toBeLessThan(some.indexOf('county-labels'));
    expect(() => layerAbove(full, 'no-such-layer', () => true)).toThrow(/no-such-layer/);
  });
});
