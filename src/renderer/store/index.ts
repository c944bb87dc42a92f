// The console's one store, made of slices; getEmptyState() is what a fresh console (or a test) starts from.
import { createStore, type StoreApi } from 'zustand/vanilla';
import { useStore } from 'zustand';
import { createAlertsSlice, emptyAlerts } from './alerts';
import { createIncidentsSlice, emptyIncidents } from './incidents';
import { createIntakeSlice, emptyIntake } from './intake';
import { createLayoutSlice, emptyLayout, restoreLayout } from './layout';
import { createMapSlice, emptyMap } from './map';
import { createOrdersSlice, emptyOrders } from './orders';
import { createSessionSlice, emptySession } from './session';
import { createSettingsSlice, emptySettings, type Language } from './settings';
import { createSyncSlice, emptySync } from './sync';
import type { DeskState } from './types';
import { createUnitsSlice, emptyUnits } from './units';
import { createWarningsSlice, emptyWarnings } from './warnings';

export type { DeskState } from './types';
export type DeskStore = StoreApi<DeskState>;

export function getEmptyState() {
  return {
    ...emptySession,
    ...emptyIncidents,
    ...emptyOrders,
    ...emptyUnits,
    ...emptyMap,
    ...emptyIntake,
    ...emptyLayout,
    ...emptySettings,
    ...emptyAlerts,
    ...emptySync,
    ...emptyWarnings,
  };
}

export function createDeskStore(): DeskStore {
  return createStore<DeskState>()((...args) => ({
    ...createSessionSlice(...args),
    ...createIncidentsSlice(...args),
    ...createOrdersSlice(...args),
    ...createUnitsSlice(...args),
    ...createMapSlice(...args),
    ...createIntakeSlice(...args),
    ...createLayoutSlice(...args),
    ...createSettingsSlice(...args),
    ...createAlertsSlice(...args),
    ...createSyncSlice(...args),
    ...createWarningsSlice(...args),
  }));
}

/** Where preferences are kept; localStorage in the page, a Map in tests. */
export interface PreferenceStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

const PREFERENCES_KEY = 'command-desk.preferences.v1';

/** Loads the remembered layout, language and sound, then keeps them saved; returns the undo. */
export function persistPreferences(store: DeskStore, storage: PreferenceStorage): () => void {
  try {
    const raw = storage.getItem(PREFERENCES_KEY);
    if (raw) {
      const saved = JSON.parse(raw) as { layout?: unknown; language?: unknown; muted?: unknown };
      store.setState({
        layout: restoreLayout(saved.layout),
        language: saved.language === 'en' ? 'en' : ('zh-CN' as Language),
        muted: saved.muted === true,
      });
    }
  } catch {
    // A damaged entry is replaced by the defaults on the next save.
  }
  return store.subscribe((state, previous) => {
    if (
      state.layout === previous.layout &&
      state.language === previous.language &&
      state.muted === previous.muted
    )
      return;
    storage.setItem(
      PREFERENCES_KEY,
      JSON.stringify({ layout: state.layout, language: state.language, muted: state.muted }),
    );
  });
}

export const deskStore = createDeskStore();

export function useDesk<T>(selector: (state: DeskState) => T): T {
  return useStore(deskStore, selector);
}
