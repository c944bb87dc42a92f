// The map panel: maplibre over the offline basemap, with incidents, units, checkpoints, the order draft and
// the cordon tool; data flows from the store to the map outside React so thousands of points stay smooth.
import {
  Map as MapLibre,
  NavigationControl,
  prewarm,
  setWorkerUrl,
  type GeoJSONSource,
  type MapMouseEvent,
} from 'maplibre-gl';
import type { FeatureCollection, Geometry, Point } from 'geojson';
import 'maplibre-gl/dist/maplibre-gl.css';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import { useEffect, useRef, useState } from 'react';
import { circleRing, distanceKm } from '../../shared/geo';
import type { Incident, LngLat } from '../../shared/domain/model';
import { previewDispatch } from '../app/actions';
import { nameIn, useT } from '../i18n';
import { deskStore, useDesk, type DeskState } from '../store';
import { matchesFilter, OPEN_STATUSES } from '../store/incidents';
import { focusZoom, MAX_MAP_ZOOM } from '../store/map';
import { isCityOperator } from '../store/session';
import type { BasemapCollection } from '../map/basemap';
import { countyAt } from '../map/counties';
import { CalmScaleControl } from '../map/scale';
import { layerAbove, splitStyle } from '../map/split-style';
import { buildStyle, countyFill, LABEL_LAYERS } from '../map/style';
import { pulseNewWarnings, warningFeatures } from '../map/warnings';

setWorkerUrl(workerUrl);
// The map's worker starts (fetches and compiles its script) while the page is still laying out its panels.
prewarm();

type Features = FeatureCollection<Geometry, Record<string, unknown>>;
const point = (at: LngLat): Point => ({ type: 'Point', coordinates: [at.lng, at.lat] });

type Feature = Features['features'][number];

/**
 * One map feature per incident record, kept as long as the record itself: records are replaced, never mutated,
 * so a reload of 50,000 incidents only builds features for the ones that changed.
 */
const incidentFeatureCache = new WeakMap<Incident, Feature>();

function incidentFeature(incident: Incident): Feature {
  let feature = incidentFeatureCache.get(incident);
  if (!feature) {
    feature = {
      type: 'Feature',
      geometry: point(incident.location),
      properties: {
        id: incident.id,
        priority: incident.priority,
        status: incident.status,
        open: OPEN_STATUSES.includes(incident.status),
      },
    };
    incidentFeatureCache.set(incident, feature);
  }
  return feature;
}

function incidentFeatures(state: DeskState): Features {
  const features: Feature[] = [];
  for (const id in state.incidents) {
    const incident = state.incidents[id] as Incident;
    if (matchesFilter(incident, state.incidentFilter, state.now)) features.push(incidentFeature(incident));
  }
  return { type: 'FeatureCollection', features };
}

function unitFeatures(state: DeskState): Features {
  return {
    type: 'FeatureCollection',
    features: Object.values(state.units).map((unit) => ({
      type: 'Feature',
      geometry: point(unit.location),
      properties: { id: unit.id, status: unit.status },
    })),
  };
}

function checkpointFeatures(state: DeskState): Features {
  return {
    type: 'FeatureCollection',
    features: Object.values(state.checkpoints).map((cp) => ({
      type: 'Feature',
      geometry: point(cp.location),
      properties: { id: cp.id, active: cp.active },
    })),
  };
}

function draftFeatures(state: DeskState): Features {
  const draft = state.draft;
  if (!draft?.center) return { type: 'FeatureCollection', features: [] };
  const features: Features['features'] = [];
  for (const target of draft.targets) {
    if (!target.included || !target.location) continue;
    features.push({ type: 'Feature', geometry: point(target.location), properties: {} });
    features.push({
      type: 'Feature',
      geometry: {
        type: 'LineString',
        coordinates: [
          [draft.center.lng, draft.center.lat],
          [target.location.lng, target.location.lat],
        ],
      },
      properties: {},
    });
  }
  return { type: 'FeatureCollection', features };
}

function cordonFeatures(state: DeskState): Features {
  const cordon = state.cordon;
  if (!cordon) return { type: 'FeatureCollection', features: [] };
  return {
    type: 'FeatureCollection',
    features: [
      {
        type: 'Feature',
        geometry: { type: 'Polygon', coordinates: [circleRing(cordon.center, cordon.radiusKm)] },
        properties: {},
      },
    ],
  };
}

/** Towns, county seats and landmarks of the gazetteer: what makes a close-up view recognisable. */
function placeFeatures(state: DeskState): Features {
  return {
    type: 'FeatureCollection',
    features: (state.region?.places ?? []).map((place) => ({
      type: 'Feature',
      geometry: point(place.location),
      properties: { id: place.id, kind: place.kind, name: place.name, nameEn: place.nameEn || place.name },
    })),
  };
}

function selectedAt(state: DeskState): LngLat | undefined {
  const selection = state.selection;
  if (selection?.kind === 'incident') return state.incidents[selection.id]?.location;
  if (selection?.kind === 'unit') return state.units[selection.id]?.location;
  if (selection?.kind === 'checkpoint') return state.checkpoints[selection.id]?.location;
  if (selection?.kind === 'warning') return state.warnings[selection.id]?.location;
  return undefined;
}

function selectedFeatures(state: DeskState): Features {
  const at = selectedAt(state);
  return {
    type: 'FeatureCollection',
    features: at ? [{ type: 'Feature', geometry: point(at), properties: {} }] : [],
  };
}

const CORDON_RADII = [1, 2, 5, 10, 15];
const THROTTLED = new Set(['incidents', 'units']);
const THROTTLE_MS = 500;
const VIEW_IDLE_MS = 400;

/** The map over `basemap`, the merged basemap the page loaded (see map/basemap.ts). */
export function MapPanel({ basemap }: { basemap: BasemapCollection }) {
  const t = useT();
  const container = useRef<HTMLDivElement>(null);
  const [ready, setReady] = useState(false);
  const tool = useDesk((s) => s.tool);
  const cordon = useDesk((s) => s.cordon);
  const language = useDesk((s) => s.language);
  const checkpoints = useDesk((s) => s.checkpoints);
  const setTool = useDesk((s) => s.setTool);
  const setCordon = useDesk((s) => s.setCordon);
  const mapRef = useRef<MapLibre | null>(null);

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    // The map is made at once over the basemap (already loaded); the session and the data come when they come.
    const homeOf = (state: DeskState): { own: string | null; home: LngLat | undefined } => {
      const own = state.actor && !isCityOperator(state.actor) ? state.actor.jurisdictionId : null;
      const region = state.region;
      return { own, home: own ? region?.counties.find((c) => c.id === own)?.center : region?.city.center };
    };
    const { own, home } = homeOf(deskStore.getState());
    /** Whether the operator has moved the map; until then it goes to their jurisdiction once it is known. */
    let moved = false;
    const fullStyle = buildStyle(own, basemap);
    const style = splitStyle(fullStyle);
    const layerOrder = fullStyle.layers.map((layer) => layer.id);
    const map = new MapLibre({
      container: element,
      style: style.basemap,
      center: home ? [home.lng, home.lat] : [108.95, 32.7],
      zoom: own ? 9 : 7.6,
      minZoom: 5,
      maxZoom: MAX_MAP_ZOOM,
      attributionControl: false,
      localIdeographFontFamily: '"Noto Sans CJK SC", "Microsoft YaHei", sans-serif',
      fadeDuration: 0,
    });
    mapRef.current = map;
    deskStore.getState().setMapLoading('loading');
    // End-to-end tests and the render benchmark drive this map; only a test build (vite --mode test) has the hook.
    if (import.meta.env.MODE === 'test')
      (window as unknown as { __commandDeskTest?: object }).__commandDeskTest = { map, store: deskStore };
    map.addControl(new NavigationControl({ showCompass: false }), 'top-right');
    map.addControl(new CalmScaleControl({ unit: 'metric' }), 'bottom-right');

    const sources: [string, (s: DeskState) => Features, (a: DeskState, b: DeskState) => boolean][] = [
      [
        'incidents',
        incidentFeatures,
        (a, b) => a.incidents !== b.incidents || a.incidentFilter !== b.incidentFilter,
      ],
      ['units', unitFeatures, (a, b) => a.units !== b.units],
      ['checkpoints', checkpointFeatures, (a, b) => a.checkpoints !== b.checkpoints],
      ['warnings', warningFeatures, (a, b) => a.warnings !== b.warnings],
      ['draft', draftFeatures, (a, b) => a.draft !== b.draft],
      ['cordon', cordonFeatures, (a, b) => a.cordon !== b.cordon],
      ['places', placeFeatures, (a, b) => a.region !== b.region],
      [
        'selected',
        selectedFeatures,
        // Units move every second: only the selected one's move redraws the ring.
        (a, b) => a.selection !== b.selection || selectedAt(a) !== selectedAt(b),
      ],
    ];
    const showLabelsIn = (language: DeskState['language']): void => {
      for (const layer of LABEL_LAYERS)
        if (map.getLayer(layer))
          map.setLayoutProperty(layer, 'text-field', ['get', language === 'en' ? 'nameEn' : 'name']);
    };
    /**
     * An operational source and its layers join the map the first time they have something to draw: an empty
     * source still costs the map's worker its tiles and the map a frame for each, and at start every frame counts.
     */
    const addOperational = (id: string, data: Features): void => {
      const spec = style.later.sources[id];
      if (data.features.length === 0 || spec?.type !== 'geojson') return;
      map.addSource(id, { ...spec, data });
      for (const layer of style.later.layers)
        if ('source' in layer && layer.source === id)
          map.addLayer(
            layer,
            layerAbove(layerOrder, layer.id, (other) => map.getLayer(other) !== undefined),
          );
      showLabelsIn(deskStore.getState().language);
    };
    const due = new Set<string>();
    let frame = 0;
    let later: ReturnType<typeof setTimeout> | null = null;
    let loaded = false;
    const sentAt = new Map<string, number>();
    const flush = (): void => {
      frame = 0;
      if (!loaded) return;
      const current = deskStore.getState();
      const now = performance.now();
      let wait = Infinity;
      for (const [id, build] of sources) {
        if (!due.has(id)) continue;
        // Big layers are sent to the map's worker at most twice a second: each send re-tiles (and re-clusters).
        const since = now - (sentAt.get(id) ?? -Infinity);
        if (THROTTLED.has(id) && since < THROTTLE_MS) {
          wait = Math.min(wait, THROTTLE_MS - since);
          continue;
        }
        const source = map.getSource(id) as GeoJSONSource | undefined;
        if (source) source.setData(build(current));
        else addOperational(id, build(current));
        sentAt.set(id, now);
        due.delete(id);
      }
      if (wait !== Infinity && !later)
        later = setTimeout(() => {
          later = null;
          if (!frame) frame = requestAnimationFrame(flush);
        }, wait);
    };
    const showSession = (current: DeskState): void => {
      const { own: ownNow, home: homeNow } = homeOf(current);
      if (loaded) map.setPaintProperty('counties', 'fill-color', countyFill(ownNow));
      // The camera may move before the first drawing: a county's console then reads its county's tiles only.
      if (!moved && homeNow) map.jumpTo({ center: [homeNow.lng, homeNow.lat], zoom: ownNow ? 9 : 7.6 });
    };
    // Store changes are coalesced to one map update per animation frame.
    const unsubscribe = deskStore.subscribe((current, previous) => {
      for (const [id, , changed] of sources) if (changed(current, previous)) due.add(id);
      if (current.actor !== previous.actor || current.region !== previous.region) showSession(current);
      if (current.focus && current.focus !== previous.focus) {
        moved = true;
        map.easeTo({
          center: [current.focus.at.lng, current.focus.at.lat],
          zoom: focusZoom(map.getZoom(), current.focus.zoom),
          duration: 400,
        });
      }
      if (current.language !== previous.language && loaded) showLabelsIn(current.language);
      if (due.size > 0 && !frame) frame = requestAnimationFrame(flush);
    });
    map.on('load', () => {
      loaded = true;
      sources.forEach(([id]) => due.add(id));
      showLabelsIn(deskStore.getState().language);
      showSession(deskStore.getState());
      flush();
      setReady(true);
      element.dataset.mapReady = 'true';
      // The bulk of the incidents waits until the operational layers have been drawn once too.
      map.once('idle', () => deskStore.getState().setMapLoading('ready'));
    });

    const onClick = (event: MapMouseEvent): void => {
      const current = deskStore.getState();
      const at = { lng: event.lngLat.lng, lat: event.lngLat.lat };
      if (current.tool === 'pick-intake') {
        current.editIntake({ location: at });
        current.setTool('none');
        current.showPanel('intake');
        void countyAt(at).then((countyId) => deskStore.getState().editIntake({ countyId }));
        return;
      }
      if (current.tool === 'cordon') {
        current.setCordon({ center: at, radiusKm: current.cordon?.radiusKm ?? 5 });
        return;
      }
      const box: [[number, number], [number, number]] = [
        [event.point.x - 6, event.point.y - 6],
        [event.point.x + 6, event.point.y + 6],
      ];
      const hit = map.queryRenderedFeatures(box, {
        layers: ['warnings', 'incidents', 'incident-clusters', 'units', 'checkpoints'].filter((id) =>
          map.getLayer(id),
        ),
      })[0];
      if (!hit) return;
      if (hit.layer.id === 'incident-clusters') {
        const clusterId = hit.properties.cluster_id as number;
        void (map.getSource('incidents') as GeoJSONSource).getClusterExpansionZoom(clusterId).then((zoom) =>
          map.easeTo({
            center: (hit.geometry as Point).coordinates as [number, number],
            zoom: focusZoom(map.getZoom(), zoom),
          }),
        );
        return;
      }
      if (hit.layer.id === 'warnings') {
        current.select({ kind: 'warning', id: String(hit.properties.id) });
        current.showPanel('warnings');
        return;
      }
      const kind =
        hit.layer.id === 'incidents' ? 'incident' : hit.layer.id === 'units' ? 'unit' : 'checkpoint';
      current.select({ kind, id: String(hit.properties.id) });
      if (kind === 'incident') current.showPanel('detail');
    };
    map.on('click', onClick);
    const hover = ['warnings', 'incidents', 'incident-clusters', 'units', 'checkpoints'];
    for (const layer of hover) {
      map.on('mouseenter', layer, () => (map.getCanvas().style.cursor = 'pointer'));
      map.on('mouseleave', layer, () => (map.getCanvas().style.cursor = ''));
    }
    // The operator's own moves (not the fly-tos of the console) stop the map going home when the session comes.
    map.on('movestart', (event: { originalEvent?: unknown }) => {
      if (event.originalEvent) moved = true;
    });
    // The view is kept in the store only once the map rests: a pan ends a move on every frame, and each store
    // update wakes every panel's selectors.
    let viewTimer: ReturnType<typeof setTimeout> | null = null;
    map.on('moveend', () => {
      if (viewTimer) clearTimeout(viewTimer);
      viewTimer = setTimeout(() => {
        viewTimer = null;
        const center = map.getCenter();
        deskStore.getState().setView({ center: { lng: center.lng, lat: center.lat }, zoom: map.getZoom() });
      }, VIEW_IDLE_MS);
    });
    const observer = new ResizeObserver(() => map.resize());
    observer.observe(element);
    const stopPulse = pulseNewWarnings(map, deskStore);

    return () => {
      observer.disconnect();
      stopPulse();
      unsubscribe();
      if (frame) cancelAnimationFrame(frame);
      if (later) clearTimeout(later);
      if (viewTimer) clearTimeout(viewTimer);
      map.remove();
      mapRef.current = null;
      deskStore.getState().setMapLoading('none');
    };
  }, [basemap]);

  useEffect(() => {
    const canvas = mapRef.current?.getCanvas();
    if (canvas) canvas.style.cursor = tool === 'none' ? '' : 'crosshair';
  }, [tool]);

  const inside = cordon
    ? Object.values(checkpoints).filter((cp) => distanceKm(cp.location, cordon.center) <= cordon.radiusKm)
    : [];

  return (
    <div className="map-panel">
      <div ref={container} className="map-canvas" data-testid="map" />
      <div className="map-toolbar">
        <button
          className={tool === 'cordon' ? 'on' : ''}
          title={t('map.cordonHint')}
          onClick={() => {
            if (tool === 'cordon') {
              setTool('none');
              setCordon(null);
            } else setTool('cordon');
          }}
        >
          ◎ {t('map.cordon')} <kbd>C</kbd>
        </button>
        {tool === 'pick-intake' && <span className="map-hint">{t('map.pickHint')}</span>}
        {tool === 'cordon' && !cordon && <span className="map-hint">{t('map.cordonHint')}</span>}
        {cordon && (
          <>
            <label>
              {t('map.radius')}
              <select
                value={cordon.radiusKm}
                onChange={(e) => setCordon({ ...cordon, radiusKm: Number(e.target.value) })}
              >
                {CORDON_RADII.map((r) => (
                  <option key={r} value={r}>
                    {t('map.radiusKm', { r })}
                  </option>
                ))}
              </select>
            </label>
            <span className="map-hint">
              {t('map.checkpointsInside', { count: inside.length })}
              {inside.length > 0 &&
                `: ${inside
                  .slice(0, 3)
                  .map((cp) => nameIn(language, cp))
                  .join(t('common.listSeparator'))}${inside.length > 3 ? '…' : ''}`}
            </span>
            <button
              className="primary"
              disabled={inside.length === 0}
              onClick={() => void previewDispatch('checkpoint_search')}
            >
              {t('map.cordonOrder')}
            </button>
          </>
        )}
      </div>
      <div className="map-legend">
        <span className="dot p1" />
        {t('priority.1')} <span className="dot p2" />
        {t('priority.2')} <span className="dot p3" />
        {t('priority.3')} <span className="dot unit" />
        {t('map.units')} <span className="dot cp" />
        {t('map.checkpoints')} <span className="dot warn" />
        {t('map.warnings')}
      </div>
      {!ready && <div className="map-loading">{t('map.loading')}</div>}
    </div>
  );
}
