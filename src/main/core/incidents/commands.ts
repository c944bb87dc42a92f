// Incident (警情) commands: intake, updates, status steps, links and merges.
import type { CommandArgs, CommandResult } from '../../../shared/contract';
import {
  incidentEventFor,
  incidentMachine,
  isOpenIncident,
  transition,
} from '../../../shared/domain/machines';
import { CITY_ID, type EntityRef, type Incident } from '../../../shared/domain/model';
import { DeskError } from '../../../shared/errors';
import { consoleTime, incidentLinkId } from '../../../shared/sync';
import { prepared } from '../../db/connection';
import {
  addIncidentLink,
  getIncident,
  insertIncident,
  nextIncidentNumber,
  NUMBER_PREFIX_KEY,
  putIncident,
} from '../../db/incidents';
import { getMeta, getOrg } from '../../db/region';
import { addRef } from '../../db/timeline';
import { assertCounty } from '../access';
import { changedBySomeoneElse, isConflicting, recordConflict } from '../conflicts/commands';
import type { CommandContext } from '../context';
import { required } from '../lookup';

const NOTES_MAX = 20_000;

export function loadIncident(ctx: CommandContext, id: string): Incident {
  return required(getIncident(ctx.db, id), 'incident', id);
}

function assertCountyExists(ctx: CommandContext, countyId: string): void {
  if (ctx.batch?.knownCounties.has(countyId)) return;
  const row = prepared(ctx.db, "SELECT 1 FROM jurisdictions WHERE id = ? AND level = 'county'").get(countyId);
  if (!row)
    throw new DeskError('not_found', `county ${countyId} does not exist`, { kind: 'county', id: countyId });
  ctx.batch?.knownCounties.add(countyId);
}

/** The county a new record goes to: given explicitly, or the operator's own county. */
export function targetCounty(ctx: CommandContext, countyId: string | undefined, what: string): string {
  const county = countyId ?? (ctx.actor.jurisdictionId === CITY_ID ? undefined : ctx.actor.jurisdictionId);
  if (!county) throw new DeskError('invalid_input', `${what}: countyId is required for a city-wide operator`);
  assertCountyExists(ctx, county);
  assertCounty(ctx.actor, county, `${what} in county ${county}`);
  return county;
}

function assertOpen(incident: Incident, step: string): void {
  if (!isOpenIncident(incident.status)) {
    throw new DeskError(
      'illegal_transition',
      `incident ${incident.id} is ${incident.status}: cannot ${step}`,
      {
        entity: 'incident',
        id: incident.id,
        state: incident.status,
        event: step,
      },
    );
  }
}

function save(ctx: CommandContext, before: Incident | null, after: Incident): Incident {
  putIncident(ctx.db, after);
  ctx.record('incident', after.id, after.countyId, before, after);
  return after;
}

export function createIncident(
  ctx: CommandContext,
  args: CommandArgs<'incident.create'>,
): CommandResult<'incident.create'> {
  const countyId = targetCounty(ctx, args.countyId, 'incident');
  const id = args.id ?? ctx.derivedId('incident');
  // A console sends its own clock as receivedAt: far ahead of the command's time, or before any console existed (a
  // reset clock), it is clamped as that time is (the server clamps `at` to its receive time), so no call sorts first
  // for days or reads 1970.
  const receivedAt = consoleTime(args.receivedAt, ctx.at);
  const incident: Incident = {
    id,
    number:
      args.number ??
      nextIncidentNumber(ctx.db, countyId, receivedAt, getMeta(ctx.db, NUMBER_PREFIX_KEY) ?? ''),
    countyId,
    source: args.source,
    category: args.category,
    priority: args.priority,
    status: incidentMachine.initial,
    callerName: args.callerName,
    callerPhone: args.callerPhone,
    address: args.address,
    summary: args.summary,
    notes: '',
    location: args.location,
    receivedAt,
    updatedAt: ctx.at,
    disposition: '',
    assignedOrgId: null,
    mergedIntoId: null,
    caseId: null,
    createdBy: ctx.actor.operatorId,
  };
  // The primary key tells whether the id is taken; the number drawn above is undone with the command's savepoint.
  // The server logs the returned incident as its row without reading it back (src/server/changes.ts touchCreated):
  // what is returned must be what was inserted, unchanged by the rest of the command.
  if (!insertIncident(ctx.db, incident))
    throw new DeskError('conflict', `incident ${id} already exists`, { id });
  ctx.record('incident', id, countyId, null, incident);
  ctx.timeline(id, 'received', `${incident.number} ${incident.address}`, {
    source: incident.source,
    priority: incident.priority,
  });
  return incident;
}

export function updateIncident(
  ctx: CommandContext,
  args: CommandArgs<'incident.update'>,
): CommandResult<'incident.update'> {
  const before = loadIncident(ctx, args.id);
  assertCounty(ctx.actor, before.countyId, `incident ${before.id}`);
  assertOpen(before, 'update');
  const { patch } = args;
  const after: Incident = { ...before, updatedAt: ctx.at };
  if (patch.countyId !== undefined && patch.countyId !== before.countyId) {
    assertCountyExists(ctx, patch.countyId);
    assertCounty(ctx.actor, patch.countyId, `moving incident ${before.id} to county ${patch.countyId}`);
    after.countyId = patch.countyId;
  }
  if (patch.assignedOrgId) required(getOrg(ctx.db, patch.assignedOrgId), 'organisation', patch.assignedOrgId);
  // A concurrent change of priority or assignment by someone else is kept as a conflict, not overwritten.
  const expected = args.expected ?? {};
  const held = new Set<string>();
  if (
    isConflicting(expected.priority, before.priority, patch.priority) &&
    changedBySomeoneElse(ctx, 'incident', before.id, 'priority')
  ) {
    recordConflict(ctx, 'incident', before.id, 'priority', patch.priority, before.priority);
    held.add('priority');
  }
  if (
    isConflicting(expected.assignedOrgId, before.assignedOrgId, patch.assignedOrgId) &&
    changedBySomeoneElse(ctx, 'incident', before.id, 'assignedOrgId')
  ) {
    recordConflict(ctx, 'incident', before.id, 'assignedOrgId', patch.assignedOrgId, before.assignedOrgId);
    held.add('assignedOrgId');
  }
  if (patch.category !== undefined) after.category = patch.category;
  if (patch.priority !== undefined && !held.has('priority')) after.priority = patch.priority;
  if (patch.callerName !== undefined) after.callerName = patch.callerName;
  if (patch.callerPhone !== undefined) after.callerPhone = patch.callerPhone;
  if (patch.address !== undefined) after.address = patch.address;
  if (patch.summary !== undefined) after.summary = patch.summary;
  if (patch.notes !== undefined) after.notes = patch.notes;
  if (patch.location !== undefined) after.location = patch.location;
  if (patch.assignedOrgId !== undefined && !held.has('assignedOrgId'))
    after.assignedOrgId = patch.assignedOrgId;
  const fields = Object.keys(patch).filter(
    (key) => patch[key as keyof typeof patch] !== undefined && !held.has(key),
  );
  save(ctx, before, after);
  ctx.timeline(after.id, 'updated', fields.join(', '), { fields });
  return after;
}

export function setIncidentStatus(
  ctx: CommandContext,
  args: CommandArgs<'incident.setStatus'>,
): CommandResult<'incident.setStatus'> {
  const before = loadIncident(ctx, args.id);
  assertCounty(ctx.actor, before.countyId, `incident ${before.id}`);
  if (args.status === 'merged') {
    throw new DeskError('invalid_input', `incident ${before.id}: use incident.merge to merge an incident`);
  }
  const expectedStatus = args.expected?.status;
  if (expectedStatus !== undefined && before.status !== expectedStatus) {
    // The status moved meanwhile: already where this command wanted it, a conflict to resolve when someone else
    // moved it, or (the operator's own move on another console) a plain transition from where it is now.
    if (before.status === args.status) return before;
    if (changedBySomeoneElse(ctx, 'incident', before.id, 'status')) {
      recordConflict(ctx, 'incident', before.id, 'status', args.status, before.status);
      if (args.disposition === undefined || args.disposition === before.disposition) return before;
      return save(ctx, before, { ...before, disposition: args.disposition, updatedAt: ctx.at });
    }
  }
  const event = incidentEventFor(args.status);
  const status = transition(incidentMachine, before.id, before.status, event);
  const disposition = args.disposition ?? before.disposition;
  if (status === 'closed' && disposition.trim() === '') {
    throw new DeskError(
      'illegal_transition',
      `incident ${before.id} is ${before.status}: cannot close without a disposition`,
      {
        entity: 'incident',
        id: before.id,
        state: before.status,
        event,
      },
    );
  }
  const after: Incident = { ...before, status, disposition, updatedAt: ctx.at };
  save(ctx, before, after);
  ctx.timeline(after.id, status, disposition && status !== before.status ? disposition : status, {
    from: before.status,
    to: status,
  });
  return after;
}

export function linkIncidents(
  ctx: CommandContext,
  args: CommandArgs<'incident.link'>,
): CommandResult<'incident.link'> {
  if (args.id === args.otherId)
    throw new DeskError('invalid_input', `incident ${args.id} cannot be linked to itself`);
  const incident = loadIncident(ctx, args.id);
  const other = loadIncident(ctx, args.otherId);
  assertCounty(ctx.actor, incident.countyId, `incident ${incident.id}`);
  assertCounty(ctx.actor, other.countyId, `incident ${other.id}`);
  addIncidentLink(ctx.db, {
    incidentId: incident.id,
    otherId: other.id,
    kind: 'related',
    at: ctx.at,
    by: ctx.actor.operatorId,
  });
  ctx.appendedChild('incident_link', incidentLinkId(incident.id, other.id));
  ctx.appendedChild('incident_link', incidentLinkId(other.id, incident.id));
  // Both incidents gain a link and a timeline entry, so both are audited and announced.
  ctx.record('incident', incident.id, incident.countyId, incident, incident);
  ctx.record('incident', other.id, other.countyId, other, other);
  ctx.timeline(incident.id, 'linked', other.number, { otherId: other.id });
  ctx.timeline(other.id, 'linked', incident.number, { otherId: incident.id });
  return incident;
}

export function mergeIncident(
  ctx: CommandContext,
  args: CommandArgs<'incident.merge'>,
): CommandResult<'incident.merge'> {
  if (args.id === args.intoId)
    throw new DeskError('invalid_input', `incident ${args.id} cannot be merged into itself`);
  const source = loadIncident(ctx, args.id);
  const into = loadIncident(ctx, args.intoId);
  assertCounty(ctx.actor, source.countyId, `incident ${source.id}`);
  assertCounty(ctx.actor, into.countyId, `incident ${into.id}`);
  assertOpen(into, 'receive a merged incident');
  const status = transition(incidentMachine, source.id, source.status, 'merge');
  const after: Incident = { ...source, status, mergedIntoId: into.id, updatedAt: ctx.at };
  save(ctx, source, after);
  // The receiving incident gains a link and a timeline entry: audit and announce it too.
  ctx.record('incident', into.id, into.countyId, into, into);
  addIncidentLink(ctx.db, {
    incidentId: source.id,
    otherId: into.id,
    kind: 'merged',
    at: ctx.at,
    by: ctx.actor.operatorId,
  });
  ctx.appendedChild('incident_link', incidentLinkId(source.id, into.id));
  ctx.appendedChild('incident_link', incidentLinkId(into.id, source.id));
  ctx.timeline(source.id, 'merged', into.number, { intoId: into.id });
  ctx.timeline(into.id, 'absorbed', source.number, { fromId: source.id });
  return after;
}

export function addIncidentNote(
  ctx: CommandContext,
  args: CommandArgs<'incident.addNote'>,
): CommandResult<'incident.addNote'> {
  const before = loadIncident(ctx, args.id);
  assertCounty(ctx.actor, before.countyId, `incident ${before.id}`);
  const notes = (before.notes ? `${before.notes}\n${args.text}` : args.text).slice(-NOTES_MAX);
  const after: Incident = { ...before, notes, updatedAt: ctx.at };
  save(ctx, before, after);
  // The entry as written: its id is the one the context derived (no statement prepared and run to find it).
  const entryId = ctx.timeline(after.id, 'note', args.text);
  return {
    id: entryId,
    incidentId: after.id,
    at: ctx.at,
    kind: 'note',
    text: args.text,
    by: ctx.actor.operatorId,
    data: {},
  };
}

export function addIncidentRef(
  ctx: CommandContext,
  args: CommandArgs<'incident.addRef'>,
): CommandResult<'incident.addRef'> {
  const incident = loadIncident(ctx, args.id);
  assertCounty(ctx.actor, incident.countyId, `incident ${incident.id}`);
  const ref: EntityRef = {
    ...args.ref,
    id: ctx.derivedId('ref'),
    entityKind: 'incident',
    entityId: incident.id,
    at: ctx.at,
    by: ctx.actor.operatorId,
  };
  addRef(ctx.db, ref);
  ctx.appendedChild('ref', ref.id);
  ctx.record('incident', incident.id, incident.countyId, incident, incident);
  ctx.timeline(incident.id, 'ref', args.ref.kind === 'person' ? args.ref.name : args.ref.plate, {
    ref: ref.id,
  });
  return ref;
}
