// Sync with the central server as the console shows it: the workstation's sync.status, the rejection inbox
// (commands the server refused) and the conflicts awaiting the operator's choice.
import { commandSettingField, mayRun } from '../../shared/access';
import type { Rejection, SyncStatus } from '../../shared/contract';
import { CaseStatus, IncidentStatus, type Org, type Role } from '../../shared/domain/model';
import type { Conflict } from '../../shared/sync';
import type { MessageVar } from '../i18n';
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
  /** Conflicts this console settled as 'mine' (kept for the session): a new one on the same field is their echo. */
  settledMine: Conflict[];
  syncPanelOpen: boolean;
  setSync(sync: SyncStatus): void;
  setRejections(rejections: Rejection[]): void;
  setConflicts(conflicts: Conflict[]): void;
  setSyncPanelOpen(open: boolean): void;
  rememberSettledMine(conflict: Conflict): void;
}

export const emptySync: DataOf<SyncSlice> = {
  sync: STANDALONE,
  rejections: [],
  conflicts: [],
  settledMine: [],
  syncPanelOpen: false,
};

export const createSyncSlice: Slice<SyncSlice> = (set) => ({
  ...emptySync,
  setSync: (sync) => set({ sync }),
  // Only undismissed rejections and unresolved conflicts belong in the inbox, whatever a caller passes.
  setRejections: (rejections) => set({ rejections: rejections.filter((r) => !r.dismissed) }),
  setConflicts: (conflicts) => set({ conflicts: conflicts.filter((c) => c.resolvedAt === null) }),
  setSyncPanelOpen: (syncPanelOpen) => set({ syncPanelOpen }),
  rememberSettledMine: (conflict) =>
    set((state) => ({ settledMine: [...state.settledMine.filter((c) => c.id !== conflict.id), conflict] })),
});

/**
 * Whether this role may settle the conflict: `conflict.resolve` and the command that sets the conflicted field,
 * as the core checks them (an analyst sees an incident's conflicts but may settle only a case's).
 */
export function mayResolve(role: Role | undefined, conflict: Pick<Conflict, 'kind' | 'field'>): boolean {
  if (role === undefined) return false;
  return mayRun(role, 'conflict.resolve') && mayRun(role, commandSettingField(conflict));
}

/**
 * The conflict this console settled as 'mine' that `conflict` repeats: the server found the field changed again
 * by someone else since the operator looked, and recorded the choice as a new conflict instead of overwriting.
 */
export function echoOf(conflict: Conflict, settledMine: readonly Conflict[]): Conflict | undefined {
  return settledMine.find(
    (settled) =>
      settled.id !== conflict.id &&
      settled.kind === conflict.kind &&
      settled.entityId === conflict.entityId &&
      settled.field === conflict.field &&
      settled.mine === conflict.mine &&
      settled.resolvedBy === conflict.operatorId &&
      settled.resolvedAt !== null &&
      conflict.at >= settled.resolvedAt,
  );
}

/** How long the oldest local command has waited for the server, or null when nothing waits. */
export function oldestPendingAge(sync: SyncStatus, now: number): number | null {
  if (sync.pending === 0 || sync.oldestPendingAt === null) return null;
  return Math.max(0, now - sync.oldestPendingAt);
}

/** Items awaiting the operator in the sync panel: the badge count on the status bar. */
export function syncAttention(sync: SyncStatus, rejections: Rejection[], conflicts: Conflict[]): number {
  return Math.max(sync.rejections, rejections.length) + Math.max(sync.conflicts, conflicts.length);
}

/** A conflicting value in words (translated when shown): statuses and priorities by label, organisations by name. */
export function conflictValueVar(
  conflict: Pick<Conflict, 'kind' | 'field'>,
  value: unknown,
  orgs: readonly Org[],
): MessageVar {
  if (value === null || value === undefined) return '—';
  const text = String(value);
  if (conflict.field === 'priority' && (text === '1' || text === '2' || text === '3' || text === '4'))
    return { key: `priority.${text}` };
  if (conflict.field === 'status') {
    const incident = IncidentStatus.safeParse(value);
    if (conflict.kind === 'incident' && incident.success) return { key: `status.${incident.data}` };
    const status = CaseStatus.safeParse(value);
    if (conflict.kind === 'case' && status.success) return { key: `caseStatus.${status.data}` };
  }
  if (conflict.field === 'assignedOrgId') {
    const org = orgs.find((o) => o.id === text);
    if (org) return { name: org.name, nameEn: org.nameEn };
  }
  return text;
}
