// Warnings (预警) raised where a checkpoint check matched the watch list, and the watch list (布控) itself, as the
// console holds them; plus the pure views the warnings panel and the map draw from.
import type { Warning, WarningStatus, WatchEntry } from '../../shared/domain/model';
import type { DataOf, Slice } from './types';

/** Open warnings (not yet handled), or every warning the console holds. */
export type WarningScope = 'open' | 'all';

export interface WarningsSlice {
  warnings: Record<string, Warning>;
  watchEntries: WatchEntry[];
  warningScope: WarningScope;
  /** Bumped when checks were logged anywhere in the jurisdiction: lists of checks read again on it. */
  checkVersion: number;
  setWarnings(items: Warning[]): void;
  upsertWarnings(items: Warning[]): void;
  setWatchEntries(items: WatchEntry[]): void;
  setWarningScope(scope: WarningScope): void;
  checksChanged(): void;
}

export const emptyWarnings: DataOf<WarningsSlice> = {
  warnings: {},
  watchEntries: [],
  warningScope: 'open',
  checkVersion: 0,
};

/** A newer copy wins; an older one (a list read before a live change arrived) does not undo it. */
function newer(held: Warning | undefined, incoming: Warning): boolean {
  return !held || held.updatedAt <= incoming.updatedAt;
}

export const createWarningsSlice: Slice<WarningsSlice> = (set) => ({
  ...emptyWarnings,
  setWarnings: (items) => set({ warnings: Object.fromEntries(items.map((w) => [w.id, w])) }),
  upsertWarnings: (items) =>
    set((state) => {
      const warnings = { ...state.warnings };
      let changed = false;
      for (const warning of items) {
        if (!newer(warnings[warning.id], warning)) continue;
        warnings[warning.id] = warning;
        changed = true;
      }
      return changed ? { warnings } : {};
    }),
  setWatchEntries: (watchEntries) => set({ watchEntries }),
  setWarningScope: (warningScope) => set({ warningScope }),
  checksChanged: () => set((state) => ({ checkVersion: state.checkVersion + 1 })),
});

const STATUS_RANK: Record<WarningStatus, number> = { new: 0, acknowledged: 1, handled: 2 };

export function isOpenWarning(warning: Warning): boolean {
  return warning.status !== 'handled';
}

/**
 * What the panel lists: the ones waiting for someone first (new, then signed for), the most urgent level first,
 * the newest first within a level.
 */
export function warningList(warnings: Record<string, Warning>, scope: WarningScope): Warning[] {
  return Object.values(warnings)
    .filter((warning) => scope === 'all' || isOpenWarning(warning))
    .sort(
      (a, b) =>
        STATUS_RANK[a.status] - STATUS_RANK[b.status] ||
        a.level - b.level ||
        b.raisedAt - a.raisedAt ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
}

/** How many warnings nobody has signed for yet. */
export function newWarningCount(warnings: Record<string, Warning>): number {
  let count = 0;
  for (const id in warnings) if (warnings[id]?.status === 'new') count += 1;
  return count;
}
