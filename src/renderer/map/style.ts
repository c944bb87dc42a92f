// The offline map style: basemap from resources/map (served under ./map/) and the console's operational layers.
import type { FeatureCollection } from 'geojson';
import type { ExpressionSpecification, StyleSpecification } from 'maplibre-gl';
import { PART_PROPERTY, type BasemapCollection, type BasemapPart } from './basemap';

export const COLORS = {
  /**
   * Land: the whole map box is land, so the background is land colour and neighbouring prefectures are told
   * apart by their outlines. Every full-screen fill costs a frame its whole area again (the software renderer
   * of a machine without a GPU spends most of a start drawing), so the basemap has one fill: the counties.
   */
  background: '#0f1726',
  neighbourLine: '#24324a',
  county: '#131e33',
  countyOwn: '#172641',
  countyLine: '#4a6690',
  river: '#1d4a73',
  label: '#9fb3cf',
  placeLabel: '#7f93b0',
  accent: '#38bdf8',
  priority: { 1: '#ef4444', 2: '#f59e0b', 3: '#d4c04a', 4: '#5fa8e8' },
  unit: {
    available: '#34d399',
    dispatched: '#38bdf8',
    en_route: '#60a5fa',
    on_scene: '#a78bfa',
    busy: '#f59e0b',
    off_duty: '#64748b',
  },
  /** Warnings (预警) by level: red, orange, yellow. */
  warning: { 1: '#dc2626', 2: '#f97316', 3: '#eab308' },
} as const;

const empty = (): FeatureCollection => ({ type: 'FeatureCollection', features: [] });

/** Symbol layers whose text follows the language (their features carry name and nameEn). */
export const LABEL_LAYERS = ['county-labels', 'county-area-labels', 'place-labels'] as const;

/** Below this zoom a county is named once at its centre; above it, in every part of it on screen. */
const COUNTY_CLOSE_ZOOM = 9.5;

/** The one source of the basemap (see basemap.ts); every other source is the console's own. */
export const BASEMAP_SOURCE = 'basemap';

/** A basemap layer draws the features of one part of the merged basemap. */
const partOf = (part: BasemapPart): ExpressionSpecification => ['==', ['get', PART_PROPERTY], part];

/** The county fill: the operator's own county stands out (set again once the session is known). */
export function countyFill(ownCountyId: string | null): ExpressionSpecification {
  return ['case', ['==', ['get', 'id'], ownCountyId ?? ''], COLORS.countyOwn, COLORS.county];
}

/**
 * Counties (with county names), rivers and neighbours' outlines; no glyphs URL: text is drawn from local fonts.
 * lakes.geojson is not drawn: it is empty (Natural Earth has no lake this small), and an empty source would
 * still cost the map its tiles and a frame at start.
 */
export function buildStyle(ownCountyId: string | null, basemap: BasemapCollection): StyleSpecification {
  return {
    version: 8,
    sources: {
      // Simplified to 1.5 px at every zoom (invisible on a border line) with half the default tile overlap:
      // fewer vertices for the worker to cut and tessellate and for the renderer to draw.
      [BASEMAP_SOURCE]: { type: 'geojson', data: basemap, tolerance: 1.5, buffer: 64 },
      cordon: { type: 'geojson', data: empty() },
      draft: { type: 'geojson', data: empty() },
      checkpoints: { type: 'geojson', data: empty(), promoteId: 'id' },
      units: { type: 'geojson', data: empty(), promoteId: 'id' },
      incidents: {
        type: 'geojson',
        data: empty(),
        cluster: true,
        clusterRadius: 42,
        clusterMaxZoom: 11,
        clusterProperties: { top: ['min', ['get', 'priority']] },
      },
      warnings: { type: 'geojson', data: empty(), promoteId: 'id' },
      selected: { type: 'geojson', data: empty() },
      places: { type: 'geojson', data: empty() },
    },
    layers: [
      { id: 'background', type: 'background', paint: { 'background-color': COLORS.background } },
      {
        id: 'neighbours-line',
        type: 'line',
        source: BASEMAP_SOURCE,
        filter: partOf('neighbours'),
        paint: { 'line-color': COLORS.neighbourLine, 'line-width': 0.8 },
      },
      {
        id: 'counties',
        type: 'fill',
        source: BASEMAP_SOURCE,
        filter: partOf('counties'),
        paint: {
          'fill-color': countyFill(ownCountyId),
          // The county lines are drawn over the edges: the fill's own antialiased outline would be a second
          // pass over every border for nothing.
          'fill-antialias': false,
        },
      },
      {
        id: 'rivers',
        type: 'line',
        source: BASEMAP_SOURCE,
        filter: partOf('rivers'),
        paint: {
          'line-color': COLORS.river,
          'line-width': ['interpolate', ['linear'], ['zoom'], 6, 1, 11, 3],
        },
      },
      {
        id: 'county-lines',
        type: 'line',
        source: BASEMAP_SOURCE,
        filter: partOf('counties'),
        paint: {
          'line-color': COLORS.countyLine,
          'line-width': ['interpolate', ['linear'], ['zoom'], 7, 1.1, 12, 2.4],
          'line-opacity': 0.85,
        },
      },
      {
        id: 'places',
        type: 'circle',
        source: 'places',
        minzoom: 8.5,
        paint: {
          'circle-radius': ['match', ['get', 'kind'], 'county_seat', 3.5, 2.5],
          'circle-color': COLORS.label,
          'circle-opacity': 0.7,
        },
      },
      {
        id: 'cordon-fill',
        type: 'fill',
        source: 'cordon',
        paint: { 'fill-color': COLORS.accent, 'fill-opacity': 0.08 },
      },
      {
        id: 'cordon-line',
        type: 'line',
        source: 'cordon',
        paint: { 'line-color': COLORS.accent, 'line-width': 1.5, 'line-dasharray': [3, 2] },
      },
      {
        id: 'draft-lines',
        type: 'line',
        source: 'draft',
        filter: ['==', ['geometry-type'], 'LineString'],
        paint: {
          'line-color': COLORS.accent,
          'line-width': 1.2,
          'line-opacity': 0.7,
          'line-dasharray': [2, 2],
        },
      },
      {
        id: 'draft-targets',
        type: 'circle',
        source: 'draft',
        filter: ['==', ['geometry-type'], 'Point'],
        paint: {
          'circle-radius': 9,
          'circle-color': 'rgba(0,0,0,0)',
          'circle-stroke-color': COLORS.accent,
          'circle-stroke-width': 2,
        },
      },
      {
        id: 'checkpoints',
        type: 'circle',
        source: 'checkpoints',
        paint: {
          'circle-radius': ['case', ['get', 'active'], 5.5, 4],
          'circle-color': ['case', ['get', 'active'], COLORS.accent, '#1b2a40'],
          'circle-stroke-color': ['case', ['get', 'active'], '#e0f2fe', '#5d7596'],
          'circle-stroke-width': 1.5,
        },
      },
      {
        id: 'units',
        type: 'circle',
        source: 'units',
        paint: {
          'circle-radius': 4,
          'circle-color': [
            'match',
            ['get', 'status'],
            ...Object.entries(COLORS.unit).flat(),
            '#94a3b8',
          ] as unknown as string,
          'circle-stroke-color': '#0a101c',
          'circle-stroke-width': 1,
        },
      },
      {
        id: 'incident-clusters',
        type: 'circle',
        source: 'incidents',
        filter: ['has', 'point_count'],
        paint: {
          'circle-color': [
            'match',
            ['get', 'top'],
            1,
            COLORS.priority[1],
            2,
            COLORS.priority[2],
            3,
            COLORS.priority[3],
            COLORS.priority[4],
          ],
          'circle-opacity': 0.8,
          'circle-radius': ['step', ['get', 'point_count'], 11, 20, 14, 100, 18, 1000, 23],
          'circle-stroke-color': '#0a101c',
          'circle-stroke-width': 1.5,
        },
      },
      {
        id: 'incident-cluster-count',
        type: 'symbol',
        source: 'incidents',
        filter: ['has', 'point_count'],
        layout: {
          'text-field': ['get', 'point_count_abbreviated'],
          'text-font': ['sans-serif'],
          'text-size': 11,
          'text-allow-overlap': true,
        },
        paint: { 'text-color': '#0a101c' },
      },
      {
        id: 'incidents',
        type: 'circle',
        source: 'incidents',
        filter: ['!', ['has', 'point_count']],
        paint: {
          'circle-radius': ['match', ['get', 'priority'], 1, 7, 2, 6, 5],
          'circle-color': [
            'match',
            ['get', 'priority'],
            1,
            COLORS.priority[1],
            2,
            COLORS.priority[2],
            3,
            COLORS.priority[3],
            COLORS.priority[4],
          ],
          'circle-opacity': ['case', ['get', 'open'], 1, 0.35],
          // The ring says where the incident stands: white waiting, blue dispatched, green on scene.
          'circle-stroke-color': [
            'match',
            ['get', 'status'],
            'received',
            '#ffffff',
            'dispatched',
            COLORS.accent,
            'on_scene',
            '#34d399',
            '#475569',
          ],
          'circle-stroke-width': [
            'match',
            ['get', 'status'],
            'received',
            2,
            'dispatched',
            2,
            'on_scene',
            2.5,
            1,
          ],
        },
      },
      {
        // A warning sits on its checkpoint: a larger disk in its level's colour with a white rim and a '!',
        // faded once handled.
        id: 'warnings',
        type: 'circle',
        source: 'warnings',
        paint: {
          'circle-radius': ['case', ['==', ['get', 'status'], 'handled'], 6, 9],
          'circle-color': [
            'match',
            ['get', 'level'],
            1,
            COLORS.warning[1],
            2,
            COLORS.warning[2],
            COLORS.warning[3],
          ],
          'circle-opacity': ['case', ['==', ['get', 'status'], 'handled'], 0.45, 1],
          'circle-stroke-color': '#ffffff',
          'circle-stroke-width': ['case', ['==', ['get', 'status'], 'handled'], 1, 2.5],
        },
      },
      {
        id: 'warning-marks',
        type: 'symbol',
        source: 'warnings',
        filter: ['!=', ['get', 'status'], 'handled'],
        layout: {
          'text-field': '!',
          'text-font': ['sans-serif'],
          'text-size': 13,
          'text-allow-overlap': true,
          'text-ignore-placement': true,
        },
        paint: { 'text-color': ['match', ['get', 'level'], 1, '#ffffff', '#0a101c'] },
      },
      {
        id: 'selected',
        type: 'circle',
        source: 'selected',
        paint: {
          'circle-radius': 13,
          'circle-color': 'rgba(0,0,0,0)',
          'circle-stroke-color': '#f8fafc',
          'circle-stroke-width': 2,
        },
      },
      {
        id: 'place-labels',
        type: 'symbol',
        source: 'places',
        minzoom: 8.5,
        layout: {
          'text-field': ['get', 'name'],
          'text-font': ['sans-serif'],
          'text-size': ['match', ['get', 'kind'], 'county_seat', 12, 11],
          'text-offset': [0, 0.9],
          'text-anchor': 'top',
          'text-optional': true,
        },
        paint: {
          'text-color': COLORS.placeLabel,
          'text-halo-color': COLORS.background,
          'text-halo-width': 1,
        },
      },
      {
        // Close up, the county's own polygon carries its name, so one stays on screen wherever the map is.
        id: 'county-area-labels',
        type: 'symbol',
        source: BASEMAP_SOURCE,
        filter: partOf('counties'),
        minzoom: COUNTY_CLOSE_ZOOM,
        layout: {
          'text-field': ['get', 'name'],
          'text-font': ['sans-serif'],
          'text-size': 14,
          'text-letter-spacing': 0.2,
          'text-padding': 80,
        },
        paint: {
          'text-color': COLORS.label,
          'text-opacity': 0.55,
          'text-halo-color': COLORS.background,
          'text-halo-width': 1.2,
        },
      },
      {
        id: 'county-labels',
        type: 'symbol',
        source: BASEMAP_SOURCE,
        filter: partOf('countyLabels'),
        maxzoom: COUNTY_CLOSE_ZOOM,
        layout: {
          'text-field': ['get', 'name'],
          'text-font': ['sans-serif'],
          'text-size': 13,
          'text-letter-spacing': 0.1,
        },
        paint: { 'text-color': COLORS.label, 'text-halo-color': COLORS.background, 'text-halo-width': 1.2 },
      },
    ],
  };
}
