// The map starts on its basemap alone: the style is split into the basemap (file sources) and the console's
// own layers, which are added after the first drawing in the style's own order.
import { beforeAll, describe, expect, it } from 'vitest';
import type { StyleSpecification } from 'maplibre-gl';
import { splitStyle } from '../../src/renderer/map/split-style';

let style: StyleSpecification;

beforeAll(async () => {
  // The style points its basemap at files next to the page.
  Object.assign(globalThis, { document: { baseURI: 'http://127.0.0.1:5170/' } });
  style = (await import('../../src/renderer/map/style')).buildStyle(null);
});

/** Adds layers one by one as maplibre's addLayer(layer, before) does, onto the basemap's list. */
function addBack(basemap: string[], later: { layer: { id: string }; before?: string }[]): string[] {
  const order = [...basemap];
  for (const { layer, before } of later) {
    const at = before === undefined ? order.length : order.indexOf(before);
    if (at < 0) throw new Error(`layer ${layer.id} is to go before ${before}, which is not on the map`);
    order.splice(at, 0, layer.id);
  }
  return order;
}

describe('the map style split for a fast first drawing', () => {
  it('starts with the basemap files only, and every layer of the map is in one part or the other', () => {
    const { basemap, later } = splitStyle(style);
    for (const [id, source] of Object.entries(basemap.sources)) {
      expect(
        source.type === 'geojson' && typeof source.data === 'string',
        `${id} is not a basemap file`,
      ).toBe(true);
    }
    expect(Object.keys(basemap.sources)).toContain('counties');
    expect(Object.keys(later.sources), 'the incidents should wait for the first drawing').toContain(
      'incidents',
    );
    expect(basemap.layers.length + later.layers.length).toBe(style.layers.length);
    for (const layer of basemap.layers)
      if ('source' in layer)
        expect(basemap.sources[layer.source], `${layer.id} lost its source`).toBeDefined();
    for (const { layer } of later.layers)
      if ('source' in layer) expect(later.sources[layer.source], `${layer.id} lost its source`).toBeDefined();
  });

  it('puts the console’s layers back in the style’s order, under the county and place labels', () => {
    const { basemap, later } = splitStyle(style);
    const order = addBack(
      basemap.layers.map((layer) => layer.id),
      later.layers,
    );
    expect(order).toEqual(style.layers.map((layer) => layer.id));
    expect(order.indexOf('incidents')).toBeLessThan(order.indexOf('county-labels'));
  });
});
