// The map panel and maplibre are a chunk of their own: the console's shell, the live link and the queue start
// without waiting for the map library to load and compile, and the map's chunk loads alongside them.
import { useEffect, useState } from 'react';
import type * as MapModuleNamespace from '../panels/MapPanel';
import { useT } from '../i18n';
import type { DeskStore } from '../store';
import { loadBasemap, type BasemapCollection } from '../map/basemap';

/** The map panel's chunk and the basemap it draws, which load side by side. */
interface MapParts {
  module: typeof MapModuleNamespace;
  basemap: BasemapCollection;
}

let loading: Promise<MapParts> | null = null;
let loaded: MapParts | null = null;

/**
 * Starts loading the map's chunk and the basemap's files (once); the map's worker starts as soon as the chunk
 * runs, and the map is made once both are there.
 */
function loadMapParts(): Promise<MapParts> {
  loading ??= Promise.all([import('../panels/MapPanel'), loadBasemap()]).then(
    ([module, basemap]) => (loaded = { module, basemap }),
  );
  return loading;
}

/**
 * In a window that will show the map, starts its chunk before anything else and says the map is loading, so
 * the bulk of the incidents waits for its first drawing instead of competing with it.
 */
export function startMapFirst(store: DeskStore, panel: string | null): void {
  const { layout } = store.getState();
  const shown = panel === 'map' || (panel === null && !layout.collapsed.includes(layout.panels.map));
  if (!shown) return;
  store.getState().setMapLoading('loading');
  void loadMapParts();
}

/** What the map's slot shows while its chunk loads: the same frame and words as a map still drawing. */
function MapPlaceholder() {
  const t = useT();
  return (
    <div className="map-panel">
      <div className="map-canvas" />
      <div className="map-loading">{t('map.loading')}</div>
    </div>
  );
}

/**
 * The map panel once its chunk is there. Plain state rather than React.lazy: Suspense holds back a revealed
 * boundary for a moment after its fallback showed, and the map should start drawing the moment it can.
 */
export function LazyMapPanel() {
  const [parts, setParts] = useState<MapParts | null>(loaded);
  useEffect(() => {
    if (parts) return;
    let current = true;
    void loadMapParts().then((ready) => {
      if (current) setParts(ready);
    });
    return () => {
      current = false;
    };
  }, [parts]);
  return parts ? <parts.module.MapPanel basemap={parts.basemap} /> : <MapPlaceholder />;
}
