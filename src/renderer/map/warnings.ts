// Warnings on the map: one feature per warning at its checkpoint (drawn by the style's warning layers), and a
// pulsing ring over each warning nobody has signed for yet. The ring is an HTML marker animated by CSS, so it
// pulses without making the map redraw its canvas on every frame.
import type { FeatureCollection, Geometry } from 'geojson';
import { Marker, type Map as MapLibre } from 'maplibre-gl';
import type { Warning } from '../../shared/domain/model';
import type { DeskState, DeskStore } from '../store';

type Features = FeatureCollection<Geometry, Record<string, unknown>>;

export function warningFeatures(state: DeskState): Features {
  const features: Features['features'] = [];
  for (const id in state.warnings) {
    const warning = state.warnings[id] as Warning;
    features.push({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [warning.location.lng, warning.location.lat] },
      properties: { id: warning.id, level: warning.level, status: warning.status },
    });
  }
  // Most urgent drawn last (on top): handled under open, yellow under red.
  features.sort(
    (a, b) =>
      Number(b.properties.status === 'handled') - Number(a.properties.status === 'handled') ||
      (b.properties.level as number) - (a.properties.level as number),
  );
  return { type: 'FeatureCollection', features };
}

/** The marker's own element is positioned by maplibre (a transform); the ring inside it is what pulses. */
function ring(level: number): HTMLElement {
  const anchor = document.createElement('div');
  anchor.className = 'warning-ring-anchor';
  anchor.dataset.testid = 'warning-ring';
  const pulse = document.createElement('div');
  pulse.className = `warning-ring wlevel-${level}`;
  anchor.appendChild(pulse);
  return anchor;
}

/** Keeps one pulsing ring per new warning on `map`; returns the undo, which removes them all. */
export function pulseNewWarnings(map: MapLibre, store: DeskStore): () => void {
  const rings = new Map<string, Marker>();
  const sync = (warnings: DeskState['warnings']): void => {
    for (const [id, marker] of rings) {
      if (warnings[id]?.status === 'new') continue;
      marker.remove();
      rings.delete(id);
    }
    for (const id in warnings) {
      const warning = warnings[id] as Warning;
      if (warning.status !== 'new' || rings.has(id)) continue;
      const marker = new Marker({ element: ring(warning.level) })
        .setLngLat([warning.location.lng, warning.location.lat])
        .addTo(map);
      rings.set(id, marker);
    }
  };
  sync(store.getState().warnings);
  const unsubscribe = store.subscribe((state, previous) => {
    if (state.warnings !== previous.warnings) sync(state.warnings);
  });
  return () => {
    unsubscribe();
    for (const marker of rings.values()) marker.remove();
    rings.clear();
  };
}
