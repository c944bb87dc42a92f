// The store's shape: one state made of slices, each with its data and the actions that change it.
import type { StateCreator } from 'zustand';
import type { AlertsSlice } from './alerts';
import type { IncidentsSlice } from './incidents';
import type { IntakeSlice } from './intake';
import type { LayoutSlice } from './layout';
import type { MapSlice } from './map';
import type { OrdersSlice } from './orders';
import type { SessionSlice } from './session';
import type { SettingsSlice } from './settings';
import type { SyncSlice } from './sync';
import type { UnitsSlice } from './units';
import type { WarningsSlice } from './warnings';

export type DeskState = SessionSlice &
  IncidentsSlice &
  OrdersSlice &
  UnitsSlice &
  MapSlice &
  IntakeSlice &
  LayoutSlice &
  SettingsSlice &
  AlertsSlice &
  SyncSlice &
  WarningsSlice;

export type Slice<T> = StateCreator<DeskState, [], [], T>;

/** The data part of a slice: what getEmptyState resets. */
export type DataOf<T> = { [K in keyof T as T[K] extends (...args: never[]) => unknown ? never : K]: T[K] };
