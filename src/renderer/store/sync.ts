// Sync with the central server as the console shows it: the workstation's sync.status, the rejection inbox
// (commands the server refused) and the conflicts awaiting the operator's choice.
import type { Rejection, SyncStatus } from '../../shared/contract';
import type { Conflict } from '../../shared/sync';
import type { DataOf, Slice } from './types';

/** What the console shows before the first sync.status arrives, and for a workstation without a server. */
export const STANDALONE: SyncStatus = {
  mode: 'standalone',
  pending: 0,
  oldestPendingAt: null,
  lastSyncAt: null,
  lastError: null,
  conflicts: 0,
  rejections: 0,
};

export interface SyncSlice {
  sync: SyncStatus;
  /** Rejected commands not yet dismissed, newest first (as the workstation returns them). */
  rejections: Rejection[];
  /** Open conflicts, oldest first. */
  conflicts: Conflict[];
  syncPanelOpen: boolean;
  setSync(sync: SyncStatus): void;
  setRejections(rejections: Rejection[]): void;
  setConflicts(conflicts: Conflict[]): void;
  setSyncPanelOpen(open: boolean): void;
}

export const emptySync: DataOf<SyncSlice> = {
  sync: STANDALONE,
  rejections: [],
  conflicts: [],
  syncPanelOpen: false,
};

export const createSyncSlice: Slice<SyncSlice> = (set) => ({
  ...emptySync,
  setSync: (sync) => set({ sync }),
  // Only undismissed rejections and unresolved conflicts belong in the inbox, whatever a caller passes.
  setRejections: (rejections) => set({ rejections: rejections.filter((r) => !r.dismissed) }),
  setConflicts: (conflicts) => set({ conflicts: conflicts.filter((c) => c.resolvedAt === null) }),
  setSyncPanelOpen: (syncPanelOpen) => set({ syncPanelOpen }),
});

/** How long the oldest local command has waited for the server, or null when nothing waits. */
export function oldestPendingAge(sync: SyncStatus, now: number): number | null {
  if (sync.pending === 0 || sync.oldestPendingAt === null) return null;
  return Math.max(0, now - sync.oldestPendingAt);
}

/** Items awaiting the operator in the sync panel: the badge count on the status bar. */
export function syncAttention(sync: SyncStatus, rejections: Rejection[], conflicts: Conflict[]): number {
  return Math.max(sync.rejections, rejections.length) + Math.max(sync.conflicts, conflicts.length);
}
