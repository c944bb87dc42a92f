// The map's view, the selection every panel shares, and the map tools (picking a place, drawing a cordon).
import type { LngLat } from '../../shared/domain/model';
import type { DataOf, Slice } from './types';

export type SelectionKind = 'incident' | 'unit' | 'checkpoint' | 'order' | 'warning';

export interface Selection {
  kind: SelectionKind;
  id: string;
}

export type MapTool = 'none' | 'pick-intake' | 'cordon';

export interface Cordon {
  center: LngLat;
  radiusKm: number;
}

export interface MapView {
  center: LngLat;
  zoom: number;
}

/** Whether a map in this window is still drawing its basemap (bulk loading waits for it, to not compete). */
export type MapLoading = 'none' | 'loading' | 'ready';

export interface MapSlice {
  selection: Selection | null;
  mapLoading: MapLoading;
  /** Where the map should fly next (set by panels, consumed by the map). */
  focus: { at: LngLat; zoom: number | null; seq: number } | null;
  view: MapView | null;
  tool: MapTool;
  cordon: Cordon | null;
  select(selection: Selection | null): void;
  focusOn(at: LngLat, zoom?: number): void;
  setView(view: MapView): void;
  setTool(tool: MapTool): void;
  setCordon(cordon: Cordon | null): void;
  setMapLoading(mapLoading: MapLoading): void;
}

/** Deepest the map goes at all: the basemap holds county outlines and towns, nothing street-level. */
export const MAX_MAP_ZOOM = 15;
/** Selecting something brings the map to about town scale (a few km across), never deeper. */
export const FOCUS_MIN_ZOOM = 10.5;
export const FOCUS_MAX_ZOOM = 12;

/**
 * The zoom a fly-to ends at: an asked-for zoom is capped at town scale; otherwise the current zoom is kept
 * when it is already at town scale, raised from a city overview and lowered from a street-level close-up.
 */
export function focusZoom(current: number, requested: number | null): number {
  if (requested !== null) return Math.min(requested, FOCUS_MAX_ZOOM);
  return Math.min(Math.max(current, FOCUS_MIN_ZOOM), FOCUS_MAX_ZOOM);
}

export const emptyMap: DataOf<MapSlice> = {
  selection: null,
  mapLoading: 'none',
  focus: null,
  view: null,
  tool: 'none',
  cordon: null,
};

export const createMapSlice: Slice<MapSlice> = (set) => ({
  ...emptyMap,
  select: (selection) => set({ selection }),
  focusOn: (at, zoom) =>
    set((state) => ({ focus: { at, zoom: zoom ?? null, seq: (state.focus?.seq ?? 0) + 1 } })),
  setView: (view) => set({ view }),
  setTool: (tool) => set({ tool }),
  setCordon: (cordon) => set({ cordon }),
  setMapLoading: (mapLoading) => set({ mapLoading }),
});

export function isSelected(selection: Selection | null, kind: SelectionKind, id: string): boolean {
  return selection !== null && selection.kind === kind && selection.id === id;
}
