// Watch list (布控), checkpoint checks (盘查) and warnings (预警). A check that matches an active, unexpired entry
// raises a warning in the check's own transaction; the warning's id is derived from the check and the entry, so
// the server re-applying the check (or a workstation replaying it on a rebase) raises the very same warning.
import { createHash } from 'node:crypto';
import type { CommandArgs, CommandResult } from '../../../shared/contract';
import { transition, warningMachine } from '../../../shared/domain/machines';
import {
  CITY_ID,
  type CheckpointCheck,
  type Warning,
  type WatchEntry,
  type WatchKind,
  type WatchLevel,
} from '../../../shared/domain/model';
import { DeskError } from '../../../shared/errors';
import { EARLIEST_COMMAND_AT, MAX_CLOCK_SKEW_MS } from '../../../shared/sync';
import { putCheck } from '../../db/checkpoint-checks';
import { getCheckpoint } from '../../db/checkpoints';
import { prepared } from '../../db/connection';
import { getIncident } from '../../db/incidents';
import { getWarning, putWarning } from '../../db/warnings';
import { getWatchEntry, matchingWatchEntries, putWatchEntry } from '../../db/watch-entries';
import { assertCounty } from '../access';
import type { CommandContext } from '../context';
import { required } from '../lookup';

/** The warning a check raises for an entry: the same id wherever and however often the check is applied. */
export function warningIdFor(checkId: string, watchId: string): string {
  return `warn-${createHash('sha256').update(`${checkId}\u0000${watchId}`).digest('hex').slice(0, 32)}`;
}

function assertJurisdictionExists(ctx: CommandContext, id: string): void {
  if (!prepared(ctx.db, 'SELECT 1 FROM jurisdictions WHERE id = ?').get(id))
    throw new DeskError('not_found', `jurisdiction ${id} does not exist`, { kind: 'jurisdiction', id });
}

/** Two active entries of one owner for one value would raise two warnings for every check of it. */
function assertNoActiveTwin(ctx: CommandContext, entry: WatchEntry): void {
  const twin = prepared(
    ctx.db,
    'SELECT id FROM watch_entries WHERE county_id = ? AND kind = ? AND value = ? AND active = 1 AND id <> ?',
  ).get(entry.countyId, entry.kind, entry.value, entry.id) as { id: string } | undefined;
  if (twin) {
    throw new DeskError(
      'conflict',
      `${entry.kind} ${entry.value} is already on the watch list of ${entry.countyId} (entry ${twin.id})`,
      { id: twin.id, kind: entry.kind, value: entry.value, countyId: entry.countyId },
    );
  }
}

export function addWatchEntry(
  ctx: CommandContext,
  args: CommandArgs<'watch.add'>,
): CommandResult<'watch.add'> {
  // A county operator's entries watch their county; a city operator's are city-wide unless a county is named.
  const countyId = args.countyId ?? ctx.actor.jurisdictionId;
  assertJurisdictionExists(ctx, countyId);
  assertCounty(ctx.actor, countyId, `a watch-list entry of ${countyId}`);
  const id = args.id ?? ctx.derivedId('watch');
  if (getWatchEntry(ctx.db, id))
    throw new DeskError('conflict', `watch-list entry ${id} already exists`, { id });
  if (args.validUntil !== null && args.validUntil <= ctx.at) {
    throw new DeskError(
      'invalid_input',
      `watch.add: validUntil (${new Date(args.validUntil).toISOString()}) is not after now: the entry would never match`,
    );
  }
  if (args.incidentId) {
    const incident = required(getIncident(ctx.db, args.incidentId), 'incident', args.incidentId);
    assertCounty(ctx.actor, incident.countyId, `incident ${incident.id}`);
  }
  const entry: WatchEntry = {
    id,
    countyId,
    kind: args.kind,
    value: args.value,
    label: args.label,
    reason: args.reason,
    level: args.level as WatchLevel,
    active: true,
    validUntil: args.validUntil,
    incidentId: args.incidentId,
    createdAt: ctx.at,
    createdBy: ctx.actor.operatorId,
    updatedAt: ctx.at,
  };
  assertNoActiveTwin(ctx, entry);
  putWatchEntry(ctx.db, entry);
  ctx.record('watch_entry', entry.id, entry.countyId, null, entry);
  return entry;
}

export function setWatchActive(
  ctx: CommandContext,
  args: CommandArgs<'watch.setActive'>,
): CommandResult<'watch.setActive'> {
  const before = required(getWatchEntry(ctx.db, args.id), 'watch-list entry', args.id);
  assertCounty(ctx.actor, before.countyId, `watch-list entry ${before.id}`);
  if (before.active === args.active) return before;
  const after: WatchEntry = { ...before, active: args.active, updatedAt: ctx.at };
  if (after.active) assertNoActiveTwin(ctx, after);
  putWatchEntry(ctx.db, after);
  ctx.record('watch_entry', after.id, after.countyId, before, after);
  return after;
}

export function logCheck(
  ctx: CommandContext,
  args: CommandArgs<'checkpoint.logCheck'>,
): CommandResult<'checkpoint.logCheck'> {
  const checkpoint = required(getCheckpoint(ctx.db, args.checkpointId), 'checkpoint', args.checkpointId);
  assertCounty(ctx.actor, checkpoint.countyId, `checkpoint ${checkpoint.id}`);
  const at = args.at ?? ctx.at;
  if (at > ctx.at + MAX_CLOCK_SKEW_MS) {
    throw new DeskError(
      'invalid_input',
      `checkpoint.logCheck: at is ${Math.round((at - ctx.at) / 60_000)} minutes ahead of now: a check is logged once made`,
    );
  }
  // A time given that is older than any console: its warnings would read 1970, sort last and never be announced
  // (desk.ts announces recent ones only). The command's own time is the server's to clamp, so only a given one.
  if (args.at !== undefined && args.at < EARLIEST_COMMAND_AT) {
    throw new DeskError(
      'invalid_input',
      `checkpoint.logCheck: at (${new Date(at).toISOString()}) is before any console existed: the clock that gave it is wrong`,
    );
  }
  const check: CheckpointCheck = {
    id: ctx.derivedId('check'),
    checkpointId: checkpoint.id,
    countyId: checkpoint.countyId,
    at,
    plate: args.plate ?? null,
    personId: args.personId ?? null,
    phone: args.phone ?? null,
    note: args.note,
    by: ctx.actor.operatorId,
  };
  putCheck(ctx.db, check);
  ctx.record('check', check.id, check.countyId, null, check);

  // The entries that watch this checkpoint: its county's own and the city-wide ones. Every store that may log a
  // check here holds exactly these (a county workstation reads its county and the city), so each raises the same.
  const owners = [checkpoint.countyId, CITY_ID];
  const checked: [WatchKind, string | null][] = [
    ['plate', check.plate],
    ['person', check.personId],
    ['phone', check.phone],
  ];
  const warnings: Warning[] = [];
  for (const [kind, value] of checked) {
    if (value === null) continue;
    for (const entry of matchingWatchEntries(ctx.db, kind, value, owners, at)) {
      const warning: Warning = {
        id: warningIdFor(check.id, entry.id),
        watchId: entry.id,
        checkId: check.id,
        checkpointId: checkpoint.id,
        countyId: checkpoint.countyId,
        location: checkpoint.location,
        kind,
        value,
        label: entry.label,
        reason: entry.reason,
        level: entry.level,
        status: warningMachine.initial,
        raisedAt: at,
        acknowledgedAt: null,
        acknowledgedBy: null,
        handledAt: null,
        handledBy: null,
        handleNote: '',
        incidentId: entry.incidentId,
        updatedAt: ctx.at,
      };
      putWarning(ctx.db, warning);
      ctx.record('warning', warning.id, warning.countyId, null, warning);
      noteOnIncident(ctx, warning, 'warning_raised', `${checkpoint.name}: ${value} — ${entry.reason}`);
      warnings.push(warning);
    }
  }
  return { check, warnings };
}

/** The warning's linked incident gets the step on its timeline, when this store holds the incident. */
function noteOnIncident(ctx: CommandContext, warning: Warning, kind: string, text: string): void {
  if (warning.incidentId && getIncident(ctx.db, warning.incidentId))
    ctx.timeline(warning.incidentId, kind, text, {
      warningId: warning.id,
      checkpointId: warning.checkpointId,
      level: warning.level,
    });
}

function loadWarning(ctx: CommandContext, id: string): Warning {
  const warning = required(getWarning(ctx.db, id), 'warning', id);
  assertCounty(ctx.actor, warning.countyId, `warning ${warning.id}`);
  return warning;
}

function save(ctx: CommandContext, before: Warning, after: Warning): Warning {
  putWarning(ctx.db, after);
  ctx.record('warning', after.id, after.countyId, before, after);
  return after;
}

/**
 * Signs for a warning (签收). Forward only: a warning someone already signed for or handled stays as it is, so
 * two consoles signing for it at once (or one offline) is not an error.
 */
export function acknowledgeWarning(
  ctx: CommandContext,
  args: CommandArgs<'warning.acknowledge'>,
): CommandResult<'warning.acknowledge'> {
  const before = loadWarning(ctx, args.id);
  if (before.status !== 'new') return before;
  return save(ctx, before, {
    ...before,
    status: transition(warningMachine, before.id, before.status, 'acknowledge'),
    acknowledgedAt: ctx.at,
    acknowledgedBy: ctx.actor.operatorId,
    updatedAt: ctx.at,
  });
}

/** Closes a warning with what was done (处置). Handling twice is refused: the first note is not overwritten. */
export function handleWarning(
  ctx: CommandContext,
  args: CommandArgs<'warning.handle'>,
): CommandResult<'warning.handle'> {
  const before = loadWarning(ctx, args.id);
  const status = transition(warningMachine, before.id, before.status, 'handle');
  const after = save(ctx, before, {
    ...before,
    status,
    handledAt: ctx.at,
    handledBy: ctx.actor.operatorId,
    handleNote: args.note,
    updatedAt: ctx.at,
  });
  noteOnIncident(ctx, after, 'warning_handled', args.note);
  return after;
}

export function linkWarningIncident(
  ctx: CommandContext,
  args: CommandArgs<'warning.linkIncident'>,
): CommandResult<'warning.linkIncident'> {
  const before = loadWarning(ctx, args.id);
  const incident = required(getIncident(ctx.db, args.incidentId), 'incident', args.incidentId);
  assertCounty(ctx.actor, incident.countyId, `incident ${incident.id}`);
  if (before.incidentId === incident.id) return before;
  const after = save(ctx, before, { ...before, incidentId: incident.id, updatedAt: ctx.at });
  noteOnIncident(ctx, after, 'warning_linked', `${after.value} — ${after.reason}`);
  return after;
}
