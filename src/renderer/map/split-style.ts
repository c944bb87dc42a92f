// The map's style in two parts, so the first drawing of the map waits for the basemap alone.
import type { LayerSpecification, StyleSpecification } from 'maplibre-gl';

/** The style split in two: the basemap (files, drawn first) and the console's own layers, added once it shows. */
interface SplitStyle {
  basemap: StyleSpecification;
  later: { sources: StyleSpecification['sources']; layers: { layer: LayerSpecification; before?: string }[] };
}

/**
 * Every source with data in a file is basemap, every other source is the console's. Until the basemap's first
 * drawing the map's one worker then tiles only the basemap, and no frame waits for empty operational tiles.
 */
export function splitStyle(style: StyleSpecification): SplitStyle {
  const basemapSources = Object.entries(style.sources).filter(
    ([, source]) => source.type !== 'geojson' || typeof source.data === 'string',
  );
  const isBasemap = (layer: LayerSpecification): boolean =>
    !('source' in layer) || basemapSources.some(([id]) => id === layer.source);
  const later: SplitStyle['later'] = {
    sources: Object.fromEntries(
      Object.entries(style.sources).filter(([id]) => !basemapSources.some(([b]) => b === id)),
    ),
    layers: [],
  };
  style.layers.forEach((layer, index) => {
    if (isBasemap(layer)) return;
    // Inserted under the next basemap layer (the labels), so the order is the style's own.
    const before = style.layers.slice(index + 1).find(isBasemap)?.id;
    later.layers.push(before ? { layer, before } : { layer });
  });
  return {
    basemap: {
      ...style,
      sources: Object.fromEntries(basemapSources),
      layers: style.layers.filter(isBasemap),
    },
    later,
  };
}
