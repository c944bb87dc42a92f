// Units (警力) and checkpoints (卡点) of the jurisdiction.
import type { Checkpoint, Unit } from '../../shared/domain/model';
import type { DataOf, Slice } from './types';

export interface UnitsSlice {
  units: Record<string, Unit>;
  checkpoints: Record<string, Checkpoint>;
  unitVersion: number;
  setUnits(items: Unit[]): void;
  upsertUnit(unit: Unit): void;
  setCheckpoints(items: Checkpoint[]): void;
}

export const emptyUnits: DataOf<UnitsSlice> = { units: {}, checkpoints: {}, unitVersion: 0 };

export const createUnitsSlice: Slice<UnitsSlice> = (set) => ({
  ...emptyUnits,
  setUnits: (items) =>
    set((state) => ({
      units: Object.fromEntries(items.map((unit) => [unit.id, unit])),
      unitVersion: state.unitVersion + 1,
    })),
  upsertUnit: (unit) =>
    set((state) => ({ units: { ...state.units, [unit.id]: unit }, unitVersion: state.unitVersion + 1 })),
  setCheckpoints: (items) => set({ checkpoints: Object.fromEntries(items.map((cp) => [cp.id, cp])) }),
});

/** Units grouped by county, each group ordered by status then callsign. */
export function unitsByCounty(units: Record<string, Unit>): Map<string, Unit[]> {
  const groups = new Map<string, Unit[]>();
  for (const unit of Object.values(units)) {
    const group = groups.get(unit.countyId) ?? [];
    group.push(unit);
    groups.set(unit.countyId, group);
  }
  for (const group of groups.values()) {
    group.sort((a, b) => a.status.localeCompare(b.status) || a.callsign.localeCompare(b.callsign));
  }
  return new Map([...groups.entries()].sort(([a], [b]) => a.localeCompare(b)));
}
