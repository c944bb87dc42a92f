// Case (案件) commands: open a case, link incidents, move it through its lifecycle.
import type { CommandArgs, CommandResult } from '../../../shared/contract';
import { caseEventFor, caseMachine, transition } from '../../../shared/domain/machines';
import type { Case, EntityRef } from '../../../shared/domain/model';
import { DeskError } from '../../../shared/errors';
import { getCase, putCase } from '../../db/cases';
import { getIncident, putIncident } from '../../db/incidents';
import { addRef } from '../../db/timeline';
import { assertCounty } from '../access';
import { changedBySomeoneElse, recordConflict } from '../conflicts/commands';
import type { CommandContext } from '../context';
import { targetCounty } from '../incidents/commands';
import { required } from '../lookup';

function attachIncident(ctx: CommandContext, record: Case, incidentId: string): void {
  const incident = required(getIncident(ctx.db, incidentId), 'incident', incidentId);
  assertCounty(ctx.actor, incident.countyId, `incident ${incident.id}`);
  if (incident.caseId === record.id) return;
  const after = { ...incident, caseId: record.id, updatedAt: ctx.at };
  putIncident(ctx.db, after);
  ctx.record('incident', after.id, after.countyId, incident, after);
  ctx.timeline(after.id, 'case_linked', record.title, { caseId: record.id });
}

export function createCase(
  ctx: CommandContext,
  args: CommandArgs<'case.create'>,
): CommandResult<'case.create'> {
  const countyId = targetCounty(ctx, args.countyId, 'case');
  const id = args.id ?? ctx.derivedId('case');
  if (getCase(ctx.db, id)) throw new DeskError('conflict', `case ${id} already exists`, { id });
  const incidentIds = [...new Set(args.incidentIds)];
  const record: Case = {
    id,
    countyId,
    title: args.title,
    summary: args.summary,
    status: caseMachine.initial,
    incidentIds,
    createdAt: ctx.at,
    updatedAt: ctx.at,
    createdBy: ctx.actor.operatorId,
  };
  for (const incidentId of incidentIds) attachIncident(ctx, record, incidentId);
  putCase(ctx.db, record);
  ctx.record('case', id, countyId, null, record);
  return record;
}

export function setCaseStatus(
  ctx: CommandContext,
  args: CommandArgs<'case.setStatus'>,
): CommandResult<'case.setStatus'> {
  const before = required(getCase(ctx.db, args.id), 'case', args.id);
  assertCounty(ctx.actor, before.countyId, `case ${before.id}`);
  const expectedStatus = args.expected?.status;
  if (expectedStatus !== undefined && before.status !== expectedStatus) {
    // The status moved meanwhile: already where this command wanted it, a conflict to resolve when someone else
    // moved it, or (the operator's own move on another console) a plain transition from where it is now.
    if (before.status === args.status) return before;
    if (changedBySomeoneElse(ctx, 'case', before.id, 'status')) {
      recordConflict(ctx, 'case', before.id, 'status', args.status, before.status);
      return before;
    }
  }
  const status = transition(caseMachine, before.id, before.status, caseEventFor(args.status));
  const after: Case = { ...before, status, updatedAt: ctx.at };
  putCase(ctx.db, after);
  ctx.record('case', after.id, after.countyId, before, after);
  return after;
}

export function linkCaseIncident(
  ctx: CommandContext,
  args: CommandArgs<'case.linkIncident'>,
): CommandResult<'case.linkIncident'> {
  const before = required(getCase(ctx.db, args.id), 'case', args.id);
  assertCounty(ctx.actor, before.countyId, `case ${before.id}`);
  if (before.status === 'closed') {
    throw new DeskError(
      'illegal_transition',
      `case ${before.id} is closed: cannot link incident ${args.incidentId}`,
      {
        entity: 'case',
        id: before.id,
        state: before.status,
        event: 'linkIncident',
      },
    );
  }
  const after: Case = {
    ...before,
    incidentIds: [...new Set([...before.incidentIds, args.incidentId])].sort(),
    updatedAt: ctx.at,
  };
  attachIncident(ctx, after, args.incidentId);
  putCase(ctx.db, after);
  ctx.record('case', after.id, after.countyId, before, after);
  return after;
}

export function addCaseRef(
  ctx: CommandContext,
  args: CommandArgs<'case.addRef'>,
): CommandResult<'case.addRef'> {
  const record = required(getCase(ctx.db, args.id), 'case', args.id);
  assertCounty(ctx.actor, record.countyId, `case ${record.id}`);
  const ref: EntityRef = {
    ...args.ref,
    id: ctx.derivedId('ref'),
    entityKind: 'case',
    entityId: record.id,
    at: ctx.at,
    by: ctx.actor.operatorId,
  };
  addRef(ctx.db, ref);
  ctx.appendedChild('ref', ref.id);
  ctx.record('case', record.id, record.countyId, record, record);
  return ref;
}
