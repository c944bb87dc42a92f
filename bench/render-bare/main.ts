// The bare comparison page of the render benchmark: maplibre with the console's own style and the data the
// console is given, and nothing else (no React, no store, no contract), driven by bench/render.ts.
import { Map as MapLibre, setWorkerUrl, type GeoJSONSource } from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import type { Feature, FeatureCollection, Point } from 'geojson';
import { loadBasemap } from '../../src/renderer/map/basemap';
import { buildStyle } from '../../src/renderer/map/style';

setWorkerUrl(workerUrl);

/** [lng, lat, priority, open] for an incident; [lng, lat] for a unit or checkpoint. */
type IncidentRow = [number, number, number, boolean];
type PlaceRow = [number, number];

const params = new URLSearchParams(window.location.search);
const container = document.getElementById('map') as HTMLDivElement;
// The same canvas size as the console's map panel, so both draw the same number of pixels.
container.style.width = `${Number(params.get('w') ?? 800)}px`;
container.style.height = `${Number(params.get('h') ?? 500)}px`;

const map = new MapLibre({
  container,
  style: buildStyle(null, await loadBasemap()),
  center: [108.95, 32.7],
  zoom: 7.6,
  attributionControl: false,
  localIdeographFontFamily: '"Noto Sans CJK SC", "Microsoft YaHei", sans-serif',
  fadeDuration: 0,
});

const point = (lng: number, lat: number): Point => ({ type: 'Point', coordinates: [lng, lat] });
const collection = (features: Feature[]): FeatureCollection => ({ type: 'FeatureCollection', features });

let units: PlaceRow[] = [];
let moving: ReturnType<typeof setInterval> | null = null;

function setSource(id: string, data: FeatureCollection): void {
  (map.getSource(id) as GeoJSONSource | undefined)?.setData(data);
}

function drawUnits(): void {
  setSource(
    'units',
    collection(
      units.map(([lng, lat], i) => ({
        type: 'Feature',
        geometry: point(lng, lat),
        properties: { id: `u${i}`, status: 'available' },
      })),
    ),
  );
}

let loadedAt: number | null = null;
const loaded = new Promise<void>((resolve) =>
  map.on('load', () => {
    loadedAt = performance.now();
    resolve();
  }),
);

const bench = {
  map,
  loaded: () => loaded,
  /** When the style and basemap had loaded, in ms since navigation: the bare page's part of a start. */
  loadedAt: () => loadedAt,
  setIncidents(rows: IncidentRow[]): void {
    setSource(
      'incidents',
      collection(
        rows.map(([lng, lat, priority, open], i) => ({
          type: 'Feature',
          geometry: point(lng, lat),
          properties: { id: `i${i}`, priority, status: 'received', open },
        })),
      ),
    );
  },
  setCheckpoints(rows: PlaceRow[]): void {
    setSource(
      'checkpoints',
      collection(
        rows.map(([lng, lat], i) => ({
          type: 'Feature',
          geometry: point(lng, lat),
          properties: { id: `c${i}`, active: false },
        })),
      ),
    );
  },
  /** Moves every unit a little once a second, as the console's units move when the workstation says so. */
  startUnits(rows: PlaceRow[]): void {
    units = rows;
    drawUnits();
    if (moving) clearInterval(moving);
    moving = setInterval(() => {
      units = units.map(([lng, lat]) => [
        lng + (Math.random() - 0.5) * 0.004,
        lat + (Math.random() - 0.5) * 0.004,
      ]);
      drawUnits();
    }, 1000);
  },
};

(window as unknown as { __commandDeskTest: typeof bench }).__commandDeskTest = bench;
