// Conflicts (DESIGN: status, priority and assignment are never silently overwritten by a concurrent change):
// recording one when a command's expected value no longer holds, and the operator's resolution.
import { commandSettingField } from '../../../shared/access';
import type { CommandArgs, CommandResult } from '../../../shared/contract';
import {
  caseEventFor,
  caseMachine,
  incidentEventFor,
  incidentMachine,
  transition,
} from '../../../shared/domain/machines';
import type { CaseStatus, Incident, IncidentStatus } from '../../../shared/domain/model';
import { DeskError } from '../../../shared/errors';
import type { Conflict } from '../../../shared/sync';
import { lastChangedBy } from '../../db/audit';
import { getCase, putCase } from '../../db/cases';
import type { DB } from '../../db/connection';
import { getConflict, putConflict } from '../../db/conflicts';
import { getIncident, putIncident } from '../../db/incidents';
import { getOrg } from '../../db/region';
import { assertCounty, assertRole } from '../access';
import type { CommandContext } from '../context';
import { required } from '../lookup';

/**
 * True when `field` must be kept as a conflict: the operator said what they saw (`expected`), the record holds
 * something else now, and that is not already what they wanted.
 */
export function isConflicting(expected: unknown, current: unknown, wanted: unknown): boolean {
  return expected !== undefined && wanted !== undefined && current !== expected && current !== wanted;
}

/**
 * Whether the change that made `field` what the record holds now, which the command's operator did not see, was
 * someone else's (DESIGN: only a concurrent change by someone else is kept as a conflict; the same operator's
 * change made on another console is last-writer-wins like any other field). The server decides, from the audit
 * of every command: the operator of the last change of the field. A workstation replaying a pending command on a
 * rebase cannot (it holds its own commands' audit only, its own first run of this very command among them), so it
 * shows the conflict until the server's answer and the pull that follows settle it.
 */
export function changedBySomeoneElse(
  ctx: CommandContext,
  kind: Conflict['kind'],
  entityId: string,
  field: Conflict['field'],
): boolean {
  if (!ctx.authoritative) return true;
  return lastChangedBy(ctx.db, kind, entityId, field) !== ctx.actor.operatorId;
}

export function recordConflict(
  ctx: CommandContext,
  kind: Conflict['kind'],
  entityId: string,
  field: Conflict['field'],
  mine: unknown,
  theirs: unknown,
): Conflict {
  const conflict: Conflict = {
    id: ctx.derivedId('conflict'),
    kind,
    entityId,
    field,
    mine: mine ?? null,
    theirs: theirs ?? null,
    commandId: ctx.meta.commandId,
    operatorId: ctx.actor.operatorId,
    at: ctx.at,
    resolvedAt: null,
    resolution: null,
    resolvedBy: null,
  };
  putConflict(ctx.db, conflict);
  ctx.appendedChild('conflict', conflict.id);
  if (kind === 'incident')
    ctx.timeline(entityId, 'conflict', `${field}: ${String(theirs)} ≠ ${String(mine)}`, {
      conflictId: conflict.id,
      field,
      mine,
      theirs,
    });
  return conflict;
}

/** An incident's value of a conflict's field. */
function incidentField(incident: Incident, field: Conflict['field']): string | number | null {
  if (field === 'status') return incident.status;
  return field === 'priority' ? incident.priority : incident.assignedOrgId;
}

/** The record's current value of a conflict's field; undefined when the record is not here. */
export function conflictedValue(db: DB, conflict: Conflict): string | number | null | undefined {
  if (conflict.kind === 'case') return getCase(db, conflict.entityId)?.status;
  const incident = getIncident(db, conflict.entityId);
  return incident ? incidentField(incident, conflict.field) : undefined;
}

/**
 * True when choosing 'mine' would overwrite a value the operator never saw: someone changed the field again after
 * the operator looked (`expected`, filled by the workstation). That change is kept as a new conflict, as any
 * concurrent change of status, priority or assignment is. Without `expected` (a command from before it was sent),
 * 'mine' applies as it did.
 */
function changedSinceSeen(
  conflict: Conflict,
  current: unknown,
  expected: CommandArgs<'conflict.resolve'>['expected'],
): boolean {
  return expected !== undefined && current !== expected.value && current !== conflict.mine;
}

export function resolveConflict(
  ctx: CommandContext,
  args: CommandArgs<'conflict.resolve'>,
): CommandResult<'conflict.resolve'> {
  const conflict = required(getConflict(ctx.db, args.id), 'conflict', args.id);
  if (conflict.resolvedAt !== null) {
    if (conflict.resolution === args.choice) return conflict;
    throw new DeskError(
      'illegal_transition',
      `conflict ${conflict.id} was already resolved as '${conflict.resolution}' by ${conflict.resolvedBy}`,
      { entity: 'conflict', id: conflict.id, state: 'resolved', event: 'resolve' },
    );
  }
  // Settling a conflict decides the field: only who may set it may settle it.
  assertRole(ctx.actor, commandSettingField(conflict));
  if (conflict.kind === 'incident') {
    const before = required(getIncident(ctx.db, conflict.entityId), 'incident', conflict.entityId);
    assertCounty(ctx.actor, before.countyId, `incident ${before.id}`);
    const current = incidentField(before, conflict.field);
    if (
      args.choice === 'mine' &&
      changedSinceSeen(conflict, current, args.expected) &&
      changedBySomeoneElse(ctx, 'incident', before.id, conflict.field)
    ) {
      recordConflict(ctx, 'incident', before.id, conflict.field, conflict.mine, current);
    } else if (args.choice === 'mine') {
      const after: Incident = { ...before, updatedAt: ctx.at };
      if (conflict.field === 'status') {
        after.status = transition(
          incidentMachine,
          before.id,
          before.status,
          incidentEventFor(conflict.mine as IncidentStatus),
        );
      } else if (conflict.field === 'priority') {
        after.priority = conflict.mine as Incident['priority'];
      } else {
        const orgId = conflict.mine as string | null;
        if (orgId) required(getOrg(ctx.db, orgId), 'organisation', orgId);
        after.assignedOrgId = orgId;
      }
      putIncident(ctx.db, after);
      ctx.record('incident', after.id, after.countyId, before, after);
    }
    ctx.timeline(before.id, 'conflict_resolved', `${conflict.field}: ${args.choice}`, {
      conflictId: conflict.id,
      choice: args.choice,
    });
  } else {
    const before = required(getCase(ctx.db, conflict.entityId), 'case', conflict.entityId);
    assertCounty(ctx.actor, before.countyId, `case ${before.id}`);
    if (
      args.choice === 'mine' &&
      changedSinceSeen(conflict, before.status, args.expected) &&
      changedBySomeoneElse(ctx, 'case', before.id, 'status')
    ) {
      recordConflict(ctx, 'case', before.id, 'status', conflict.mine, before.status);
    } else if (args.choice === 'mine') {
      const status = transition(
        caseMachine,
        before.id,
        before.status,
        caseEventFor(conflict.mine as CaseStatus),
      );
      const after = { ...before, status, updatedAt: ctx.at };
      putCase(ctx.db, after);
      ctx.record('case', after.id, after.countyId, before, after);
    }
  }
  const resolved: Conflict = {
    ...conflict,
    resolvedAt: ctx.at,
    resolution: args.choice,
    resolvedBy: ctx.actor.operatorId,
  };
  putConflict(ctx.db, resolved);
  ctx.appendedChild('conflict', resolved.id);
  return resolved;
}
