// Unit (警力) and checkpoint (卡点) commands: status, position, activation.
import type { CommandArgs, CommandResult } from '../../../shared/contract';
import { transition, unitMachine } from '../../../shared/domain/machines';
import { CITY_ID, type Unit } from '../../../shared/domain/model';
import { getCheckpoint, putCheckpoint } from '../../db/checkpoints';
import { getIncident } from '../../db/incidents';
import { getOrder } from '../../db/orders';
import { getUnit, putUnit } from '../../db/units';
import { assertCounty } from '../access';
import type { CommandContext } from '../context';
import { required } from '../lookup';

export function setUnitStatus(
  ctx: CommandContext,
  args: CommandArgs<'unit.setStatus'>,
): CommandResult<'unit.setStatus'> {
  const before = required(getUnit(ctx.db, args.id), 'unit', args.id);
  assertCounty(ctx.actor, before.countyId, `unit ${before.id}`);
  if (args.incidentId) {
    // The unit's county is not enough: the incident gets a timeline entry, so it must be the operator's to write.
    const incident = required(getIncident(ctx.db, args.incidentId), 'incident', args.incidentId);
    assertCounty(ctx.actor, incident.countyId, `incident ${incident.id}`);
  }
  const status = transition(unitMachine, before.id, before.status, args.status);
  const incidentId =
    status === 'available' || status === 'off_duty' ? null : (args.incidentId ?? before.incidentId);
  const after: Unit = { ...before, status, incidentId, updatedAt: ctx.at };
  putUnit(ctx.db, after);
  ctx.record('unit', after.id, after.countyId, before, after);
  if (after.incidentId && after.incidentId !== before.incidentId)
    ctx.timeline(after.incidentId, 'unit_assigned', after.callsign, { unitId: after.id });
  if (after.incidentId && status === 'on_scene')
    ctx.timeline(after.incidentId, 'unit_on_scene', after.callsign, { unitId: after.id });
  return after;
}

export function moveUnit(ctx: CommandContext, args: CommandArgs<'unit.move'>): CommandResult<'unit.move'> {
  const before = required(getUnit(ctx.db, args.id), 'unit', args.id);
  assertCounty(ctx.actor, before.countyId, `unit ${before.id}`);
  const after: Unit = { ...before, location: args.location, updatedAt: ctx.at };
  putUnit(ctx.db, after);
  ctx.record('unit', after.id, after.countyId, before, after);
  return after;
}

export function setCheckpointActive(
  ctx: CommandContext,
  args: CommandArgs<'checkpoint.setActive'>,
): CommandResult<'checkpoint.setActive'> {
  const before = required(getCheckpoint(ctx.db, args.id), 'checkpoint', args.id);
  assertCounty(ctx.actor, before.countyId, `checkpoint ${before.id}`);
  if (args.orderId) {
    // An order the operator can read (their county's or a city-wide one): another county's is not theirs to name,
    // and its completion would stand this checkpoint down.
    const order = required(getOrder(ctx.db, args.orderId), 'order', args.orderId);
    if (order.countyId !== CITY_ID) assertCounty(ctx.actor, order.countyId, `order ${order.id}`);
  }
  const after = {
    ...before,
    active: args.active,
    orderId: args.active ? (args.orderId ?? before.orderId) : null,
    updatedAt: ctx.at,
  };
  putCheckpoint(ctx.db, after);
  ctx.record('checkpoint', after.id, after.countyId, before, after);
  return after;
}
