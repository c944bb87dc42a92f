// The map's style in two parts, so the first drawing of the map waits for the basemap alone.
import type { LayerSpecification, StyleSpecification } from 'maplibre-gl';
import { BASEMAP_SOURCE } from './style';

/** The style split in two: the basemap (files, drawn first) and the console's own layers, added once it shows. */
interface SplitStyle {
  basemap: StyleSpecification;
  later: { sources: StyleSpecification['sources']; layers: LayerSpecification[] };
}

/**
 * The basemap's source (and any source that is not GeoJSON) is basemap, every other source is the console's.
 * Until the basemap's first drawing the map's one worker then tiles only the basemap, and no frame waits for
 * empty operational tiles.
 */
export function splitStyle(style: StyleSpecification): SplitStyle {
  const basemapSources = Object.entries(style.sources).filter(
    ([id, source]) => source.type !== 'geojson' || id === BASEMAP_SOURCE,
  );
  const isBasemap = (layer: LayerSpecification): boolean =>
    !('source' in layer) || basemapSources.some(([id]) => id === layer.source);
  const later: SplitStyle['later'] = {
    sources: Object.fromEntries(
      Object.entries(style.sources).filter(([id]) => !basemapSources.some(([b]) => b === id)),
    ),
    layers: [],
  };
  for (const layer of style.layers) if (!isBasemap(layer)) later.layers.push(layer);
  return {
    basemap: {
      ...style,
      sources: Object.fromEntries(basemapSources),
      layers: style.layers.filter(isBasemap),
    },
    later,
  };
}

/**
 * The layer a layer joining the map goes under, so that the map keeps the style's order whichever of the
 * console's sources arrive first: the next layer of the style (`order`, the style's layer ids) already on the map.
 */
export function layerAbove(
  order: readonly string[],
  id: string,
  onMap: (id: string) => boolean,
): string | undefined {
  const at = order.indexOf(id);
  if (at < 0) throw new Error(`the layer ${id} is not in the map's style`);
  return order.slice(at + 1).find(onMap);
}
