// The docking layout: three resizable columns of two slots each; every panel sits in a slot, as a tab.
import type { DataOf, Slice } from './types';

export const PANEL_IDS = ['map', 'queue', 'intake', 'orders', 'units', 'detail', 'warnings'] as const;
export type PanelId = (typeof PANEL_IDS)[number];

export const SLOT_IDS = [
  'left-top',
  'left-bottom',
  'center-top',
  'center-bottom',
  'right-top',
  'right-bottom',
] as const;
export type SlotId = (typeof SLOT_IDS)[number];

export interface Layout {
  /** Column widths as fractions of the window, summing to 1. */
  columns: [number, number, number];
  /** Per column, the share of the top slot. */
  splits: [number, number, number];
  panels: Record<PanelId, SlotId>;
  /** The tab shown in each slot. */
  active: Partial<Record<SlotId, PanelId>>;
  collapsed: SlotId[];
}

export const DEFAULT_LAYOUT: Layout = {
  columns: [0.25, 0.47, 0.28],
  splits: [0.58, 0.64, 0.55],
  panels: {
    queue: 'left-top',
    intake: 'left-bottom',
    map: 'center-top',
    orders: 'center-bottom',
    detail: 'right-top',
    units: 'right-bottom',
    warnings: 'right-bottom',
  },
  active: {},
  collapsed: [],
};

const MIN_SHARE = 0.1;

export interface LayoutSlice {
  layout: Layout;
  helpOpen: boolean;
  movePanel(panel: PanelId, slot: SlotId): void;
  showPanel(panel: PanelId): void;
  toggleCollapsed(slot: SlotId): void;
  resizeColumns(border: 0 | 1, fraction: number): void;
  resizeSplit(column: 0 | 1 | 2, share: number): void;
  resetLayout(): void;
  setHelpOpen(open: boolean): void;
}

export const emptyLayout: DataOf<LayoutSlice> = { layout: DEFAULT_LAYOUT, helpOpen: false };

const clamp = (value: number, min: number, max: number): number => Math.min(max, Math.max(min, value));

export const createLayoutSlice: Slice<LayoutSlice> = (set) => ({
  ...emptyLayout,
  movePanel: (panel, slot) =>
    set((state) => ({
      layout: {
        ...state.layout,
        panels: { ...state.layout.panels, [panel]: slot },
        active: { ...state.layout.active, [slot]: panel },
        collapsed: state.layout.collapsed.filter((s) => s !== slot),
      },
    })),
  showPanel: (panel) =>
    set((state) => {
      const slot = state.layout.panels[panel];
      // Already in front (F2 on an open intake): no new layout, so no panel is drawn again and nothing is saved.
      if (slotContents(state.layout, slot).active === panel && !state.layout.collapsed.includes(slot))
        return {};
      return {
        layout: {
          ...state.layout,
          active: { ...state.layout.active, [slot]: panel },
          collapsed: state.layout.collapsed.filter((s) => s !== slot),
        },
      };
    }),
  toggleCollapsed: (slot) =>
    set((state) => ({
      layout: {
        ...state.layout,
        collapsed: state.layout.collapsed.includes(slot)
          ? state.layout.collapsed.filter((s) => s !== slot)
          : [...state.layout.collapsed, slot],
      },
    })),
  resizeColumns: (border, fraction) =>
    set((state) => {
      const [a, b, c] = state.layout.columns;
      // Moving a border trades width between its two neighbours only.
      const columns: [number, number, number] =
        border === 0
          ? [
              clamp(fraction, MIN_SHARE, a + b - MIN_SHARE),
              a + b - clamp(fraction, MIN_SHARE, a + b - MIN_SHARE),
              c,
            ]
          : [
              a,
              clamp(fraction - a, MIN_SHARE, b + c - MIN_SHARE),
              b + c - clamp(fraction - a, MIN_SHARE, b + c - MIN_SHARE),
            ];
      return { layout: { ...state.layout, columns } };
    }),
  resizeSplit: (column, share) =>
    set((state) => {
      const splits = [...state.layout.splits] as [number, number, number];
      splits[column] = clamp(share, MIN_SHARE, 1 - MIN_SHARE);
      return { layout: { ...state.layout, splits } };
    }),
  resetLayout: () => set({ layout: DEFAULT_LAYOUT }),
  setHelpOpen: (helpOpen) => set({ helpOpen }),
});

/** Panels in a slot in a fixed order, and which one shows. */
export function slotContents(layout: Layout, slot: SlotId): { panels: PanelId[]; active: PanelId | null } {
  const panels = PANEL_IDS.filter((panel) => layout.panels[panel] === slot);
  const wanted = layout.active[slot];
  return { panels, active: wanted && panels.includes(wanted) ? wanted : (panels[0] ?? null) };
}

/** Reads a stored layout, keeping only what still makes sense (panels and slots may have changed since). */
export function restoreLayout(stored: unknown): Layout {
  if (typeof stored !== 'object' || stored === null) return DEFAULT_LAYOUT;
  const value = stored as Partial<Layout>;
  const fractions = (list: unknown, sum: boolean): list is [number, number, number] =>
    Array.isArray(list) &&
    list.length === 3 &&
    list.every((n) => typeof n === 'number' && n >= MIN_SHARE / 2 && n <= 1) &&
    (!sum || Math.abs(list.reduce((s: number, n: number) => s + n, 0) - 1) < 0.01);
  const panels = { ...DEFAULT_LAYOUT.panels };
  if (value.panels && typeof value.panels === 'object') {
    for (const panel of PANEL_IDS) {
      const slot = (value.panels as Record<string, unknown>)[panel];
      if (SLOT_IDS.includes(slot as SlotId)) panels[panel] = slot as SlotId;
    }
  }
  const active: Partial<Record<SlotId, PanelId>> = {};
  if (value.active && typeof value.active === 'object') {
    for (const [slot, panel] of Object.entries(value.active)) {
      if (SLOT_IDS.includes(slot as SlotId) && PANEL_IDS.includes(panel as PanelId))
        active[slot as SlotId] = panel as PanelId;
    }
  }
  return {
    columns: fractions(value.columns, true) ? value.columns : DEFAULT_LAYOUT.columns,
    splits: fractions(value.splits, false) ? value.splits : DEFAULT_LAYOUT.splits,
    panels,
    active,
    collapsed: Array.isArray(value.collapsed)
      ? value.collapsed.filter((slot): slot is SlotId => SLOT_IDS.includes(slot as SlotId))
      : [],
  };
}
