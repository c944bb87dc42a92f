// Order (指令) commands: one order to many targets, each target moving forward only, escalation when overdue.
import type { CommandArgs, CommandResult } from '../../../shared/contract';
import {
  canTransition,
  incidentMachine,
  orderMachine,
  TARGET_ORDER,
  targetMachine,
  transition,
  unitMachine,
} from '../../../shared/domain/machines';
import {
  CITY_ID,
  type Actor,
  type Order,
  type OrderTarget,
  type TargetKind,
} from '../../../shared/domain/model';
import { DeskError } from '../../../shared/errors';
import { getCheckpoint, listCheckpoints, putCheckpoint } from '../../db/checkpoints';
import { getIncident, putIncident } from '../../db/incidents';
import { addFeedback, getOrder, putOrder } from '../../db/orders';
import { getOrg } from '../../db/region';
import { getUnit, putUnit } from '../../db/units';
import { assertCounty, coversCounty, SUPERVISION_OPERATOR_ID } from '../access';
import type { CommandContext } from '../context';
import { required } from '../lookup';

const MINUTE = 60_000;

interface ResolvedTarget {
  countyId: string;
  name: string;
}

function resolveTarget(ctx: CommandContext, kind: TargetKind, id: string): ResolvedTarget {
  switch (kind) {
    case 'org': {
      const org = required(getOrg(ctx.db, id), 'organisation', id);
      return { countyId: org.countyId, name: org.name };
    }
    case 'unit': {
      const unit = required(getUnit(ctx.db, id), 'unit', id);
      return { countyId: unit.countyId, name: unit.callsign };
    }
    case 'checkpoint': {
      const checkpoint = required(getCheckpoint(ctx.db, id), 'checkpoint', id);
      return { countyId: checkpoint.countyId, name: checkpoint.name };
    }
  }
}

export function loadOrder(ctx: CommandContext, id: string): Order {
  return required(getOrder(ctx.db, id), 'order', id);
}

function findTarget(order: Order, targetId: string): OrderTarget {
  const target = order.targets.find((t) => t.targetId === targetId);
  if (!target)
    throw new DeskError('not_found', `order ${order.id} has no target ${targetId}`, {
      kind: 'order target',
      id: targetId,
    });
  return target;
}

function assertNotClosed(order: Order, step: string): void {
  if (orderMachine.terminal.includes(order.status)) {
    throw new DeskError('illegal_transition', `order ${order.id} is ${order.status}: cannot ${step}`, {
      entity: 'order',
      id: order.id,
      state: order.status,
      event: step,
    });
  }
}

function save(ctx: CommandContext, before: Order | null, after: Order): Order {
  putOrder(ctx.db, after);
  ctx.record('order', after.id, after.countyId, before, after);
  return after;
}

function withTarget(order: Order, target: OrderTarget, at: number): Order {
  return {
    ...order,
    updatedAt: at,
    targets: order.targets.map((t) => (t.targetId === target.targetId ? target : t)),
  };
}

function noteOnIncident(
  ctx: CommandContext,
  order: Order,
  kind: string,
  text: string,
  data: Record<string, unknown> = {},
): void {
  if (order.incidentId && getIncident(ctx.db, order.incidentId))
    ctx.timeline(order.incidentId, kind, text, { orderId: order.id, ...data });
}

/** Checkpoints of a finished or cancelled order stand down. */
function releaseCheckpoints(ctx: CommandContext, order: Order): void {
  for (const checkpoint of listCheckpoints(ctx.db, {})) {
    if (checkpoint.orderId !== order.id || !checkpoint.active) continue;
    const after = { ...checkpoint, active: false, orderId: null, updatedAt: ctx.at };
    putCheckpoint(ctx.db, after);
    ctx.record('checkpoint', after.id, after.countyId, checkpoint, after);
  }
}

export function issueOrder(
  ctx: CommandContext,
  args: CommandArgs<'order.issue'>,
): CommandResult<'order.issue'> {
  const id = args.id ?? ctx.derivedId('order');
  if (getOrder(ctx.db, id)) throw new DeskError('conflict', `order ${id} already exists`, { id });
  const seen = new Set<string>();
  const targets: OrderTarget[] = args.targets.map((input) => {
    if (seen.has(input.targetId))
      throw new DeskError('invalid_input', `order ${id}: target ${input.targetId} is listed twice`);
    seen.add(input.targetId);
    const resolved = resolveTarget(ctx, input.targetKind, input.targetId);
    assertCounty(ctx.actor, resolved.countyId, `${input.targetKind} ${input.targetId}`);
    return {
      orderId: id,
      targetId: input.targetId,
      targetKind: input.targetKind,
      countyId: resolved.countyId,
      name: resolved.name,
      state: targetMachine.initial,
      signDeadline: ctx.at + args.signDeadlineMin * MINUTE,
      finishDeadline: ctx.at + args.finishDeadlineMin * MINUTE,
      signedAt: null,
      signedBy: null,
      reportedAt: null,
      completedAt: null,
      overdue: 'none',
      escalationLevel: 0,
    };
  });
  const incident = args.incidentId
    ? required(getIncident(ctx.db, args.incidentId), 'incident', args.incidentId)
    : null;
  if (incident) assertCounty(ctx.actor, incident.countyId, `incident ${incident.id}`);
  // An order lives in its county's partition when it and its incident are all in one county; otherwise city-wide,
  // which every console reads: the city sending Hanbin units to a Pingli call must not hide the order (and its
  // units' reports) from Pingli, whose call it is, as Hanbin's partition would.
  const counties = new Set(targets.map((t) => t.countyId));
  if (incident) counties.add(incident.countyId);
  const [only] = counties;
  const order: Order = {
    id,
    countyId: counties.size === 1 && only ? only : CITY_ID,
    incidentId: incident?.id ?? null,
    template: args.template,
    title: args.title,
    content: args.content,
    status: transition(orderMachine, id, orderMachine.initial, 'issue'),
    issuedBy: ctx.actor.operatorId,
    issuedAt: ctx.at,
    updatedAt: ctx.at,
    signDeadlineMin: args.signDeadlineMin,
    finishDeadlineMin: args.finishDeadlineMin,
    cancelReason: '',
    targets,
  };
  save(ctx, null, order);

  for (const target of targets) {
    if (target.targetKind === 'checkpoint' && args.template === 'checkpoint_search') {
      const checkpoint = required(getCheckpoint(ctx.db, target.targetId), 'checkpoint', target.targetId);
      const after = { ...checkpoint, active: true, orderId: id, updatedAt: ctx.at };
      putCheckpoint(ctx.db, after);
      ctx.record('checkpoint', after.id, after.countyId, checkpoint, after);
    }
    if (target.targetKind === 'unit') {
      const unit = required(getUnit(ctx.db, target.targetId), 'unit', target.targetId);
      if (canTransition(unitMachine, unit.status, 'dispatched')) {
        const after = {
          ...unit,
          status: 'dispatched' as const,
          incidentId: incident?.id ?? unit.incidentId,
          updatedAt: ctx.at,
        };
        putUnit(ctx.db, after);
        ctx.record('unit', after.id, after.countyId, unit, after);
      }
    }
  }
  if (incident && canTransition(incidentMachine, incident.status, 'dispatch')) {
    const after = { ...incident, status: 'dispatched' as const, updatedAt: ctx.at };
    putIncident(ctx.db, after);
    ctx.record('incident', after.id, after.countyId, incident, after);
  }
  noteOnIncident(ctx, order, 'order_issued', order.title, { targets: targets.map((t) => t.name) });
  return order;
}

type TargetStep = 'sign' | 'start' | 'report' | 'complete';

/**
 * Whether the target is already at or past where `step` leads. For a command that comes through sync, another
 * console signed, started or completed the target and reached the server first (the copy the command was made on
 * was stale): targets only move forward, so the step is done rather than refused, changing nothing and landing in
 * no operator's rejections. An operator stepping a target twice on their own console is still refused.
 */
function alreadyPast(target: OrderTarget, step: TargetStep): boolean {
  return (
    !canTransition(targetMachine, target.state, step) &&
    TARGET_ORDER.indexOf(target.state) >= TARGET_ORDER.indexOf(targetMachine.transitions[step].to)
  );
}

/**
 * Moves one target forward; the order follows (issued → in progress, all complete → concluded). `past` when a
 * synced step found the target already there or beyond (see alreadyPast): then nothing moved and `order` is `before`.
 */
function stepTarget(
  ctx: CommandContext,
  orderId: string,
  targetId: string,
  event: TargetStep,
): { before: Order; order: Order; target: OrderTarget; past: boolean } {
  const before = loadOrder(ctx, orderId);
  const current = findTarget(before, targetId);
  if (event === 'complete') {
    if (!coversCounty(ctx.actor, before.countyId) && !coversCounty(ctx.actor, current.countyId)) {
      assertCounty(ctx.actor, before.countyId, `order ${before.id}`);
    }
  } else {
    assertCounty(ctx.actor, current.countyId, `target ${targetId} of order ${orderId}`);
  }
  if (ctx.fromSync && alreadyPast(current, event))
    return { before, order: before, target: current, past: true };
  assertNotClosed(before, `${event} target ${targetId}`);
  const state = transition(targetMachine, `${orderId}/${targetId}`, current.state, event);
  const target: OrderTarget = { ...current, state };
  if (event === 'sign') {
    target.signedAt = ctx.at;
    target.signedBy = ctx.actor.operatorId;
  }
  if (event === 'report') target.reportedAt = ctx.at;
  if (event === 'complete') target.completedAt = ctx.at;
  if (target.overdue === 'sign' && event === 'sign') target.overdue = 'none';
  let order = withTarget(before, target, ctx.at);
  if (canTransition(orderMachine, order.status, 'start'))
    order = { ...order, status: transition(orderMachine, order.id, order.status, 'start') };
  if (order.targets.every((t) => t.state === 'completed')) {
    order = { ...order, status: transition(orderMachine, order.id, order.status, 'conclude') };
  }
  return { before, order, target, past: false };
}

export function signOrder(ctx: CommandContext, args: CommandArgs<'order.sign'>): CommandResult<'order.sign'> {
  const { before, order, target, past } = stepTarget(ctx, args.orderId, args.targetId, 'sign');
  if (past) return before;
  save(ctx, before, order);
  noteOnIncident(ctx, order, 'order_signed', target.name, { targetId: target.targetId });
  return order;
}

export function startOrder(
  ctx: CommandContext,
  args: CommandArgs<'order.start'>,
): CommandResult<'order.start'> {
  const { before, order, target, past } = stepTarget(ctx, args.orderId, args.targetId, 'start');
  if (past) return before;
  save(ctx, before, order);
  noteOnIncident(ctx, order, 'order_started', target.name, { targetId: target.targetId });
  return order;
}

export function feedbackOrder(
  ctx: CommandContext,
  args: CommandArgs<'order.feedback'>,
): CommandResult<'order.feedback'> {
  const { before, order, target, past } = stepTarget(ctx, args.orderId, args.targetId, 'report');
  // A report on a target completed meanwhile is still the unit's report: kept (append-only), the target stays done.
  if (!past) save(ctx, before, order);
  const feedbackId = ctx.derivedId('fb');
  ctx.appendedChild('feedback', feedbackId);
  addFeedback(ctx.db, {
    id: feedbackId,
    orderId: order.id,
    targetId: target.targetId,
    text: args.text,
    at: ctx.at,
    by: ctx.actor.operatorId,
  });
  noteOnIncident(ctx, order, 'order_feedback', `${target.name}: ${args.text}`, { targetId: target.targetId });
  return order;
}

export function completeOrder(
  ctx: CommandContext,
  args: CommandArgs<'order.complete'>,
): CommandResult<'order.complete'> {
  const { before, order, target, past } = stepTarget(ctx, args.orderId, args.targetId, 'complete');
  if (past) return before;
  save(ctx, before, order);
  if (order.status === 'concluded') releaseCheckpoints(ctx, order);
  noteOnIncident(ctx, order, 'order_completed', target.name, {
    targetId: target.targetId,
    concluded: order.status === 'concluded',
  });
  return order;
}

export function cancelOrder(
  ctx: CommandContext,
  args: CommandArgs<'order.cancel'>,
): CommandResult<'order.cancel'> {
  const before = loadOrder(ctx, args.orderId);
  assertCounty(ctx.actor, before.countyId, `order ${before.id}`);
  const status = transition(orderMachine, before.id, before.status, 'cancel');
  const order: Order = { ...before, status, cancelReason: args.reason, updatedAt: ctx.at };
  save(ctx, before, order);
  releaseCheckpoints(ctx, order);
  noteOnIncident(ctx, order, 'order_cancelled', args.reason);
  return order;
}

/** Whether `actor` may escalate this target: the order's county or the target's is in its jurisdiction. */
export function mayEscalate(
  actor: Actor,
  order: Pick<Order, 'countyId'>,
  target: Pick<OrderTarget, 'countyId'>,
): boolean {
  return coversCounty(actor, order.countyId) || coversCounty(actor, target.countyId);
}

/**
 * Marks a target overdue at a level; a repeat of the same or a lower level changes nothing. Several workstations'
 * timers (the city's and the county's, one of them maybe offline) escalate the same target at the same level: the
 * first to reach the server is applied, the others find it escalated already and change nothing.
 */
export function escalateOrder(
  ctx: CommandContext,
  args: CommandArgs<'order.escalate'>,
): CommandResult<'order.escalate'> {
  const before = loadOrder(ctx, args.orderId);
  const current = findTarget(before, args.targetId);
  if (!mayEscalate(ctx.actor, before, current)) {
    assertCounty(ctx.actor, before.countyId, `order ${before.id}`);
  }
  const closed = orderMachine.terminal.includes(before.status);
  const due =
    args.overdue === 'sign'
      ? current.state === 'issued' && current.signDeadline <= ctx.at
      : current.state !== 'completed' && current.finishDeadline <= ctx.at;
  // The timer judged from its own copy, which the server may have moved past (the target signed or finished, the
  // order closed, on another console): nothing is left to escalate. That is no mistake anyone could act on, so it
  // changes nothing rather than landing in an operator's rejections. A person asking gets the reason.
  if ((closed || !due) && ctx.actor.operatorId === SUPERVISION_OPERATOR_ID) return before;
  assertNotClosed(before, `escalate target ${args.targetId}`);
  if (!due) {
    throw new DeskError(
      'illegal_transition',
      `target ${args.targetId} of order ${before.id} is ${current.state} and not overdue for ${args.overdue}: cannot escalate`,
      { entity: 'order target', id: args.targetId, state: current.state, event: 'escalate' },
    );
  }
  const already = ctx.db
    .prepare('SELECT 1 FROM escalations WHERE order_id = ? AND target_id = ? AND overdue = ? AND level >= ?')
    .get(before.id, current.targetId, args.overdue, args.level);
  // A rebase leaves the escalations table alone (see sync/shadow.ts), so a replayed escalation finds its own row:
  // its effect on the order is put back all the same.
  if (already && !ctx.replaying) return before;
  ctx.db
    .prepare(
      'INSERT OR IGNORE INTO escalations (order_id, target_id, overdue, level, at) VALUES (?, ?, ?, ?, ?)',
    )
    .run(before.id, current.targetId, args.overdue, args.level, ctx.at);
  const target: OrderTarget = {
    ...current,
    overdue: args.overdue,
    escalationLevel: Math.max(current.escalationLevel, args.level),
  };
  let order = withTarget(before, target, ctx.at);
  if (canTransition(orderMachine, order.status, 'supervise'))
    order = { ...order, status: transition(orderMachine, order.id, order.status, 'supervise') };
  save(ctx, before, order);
  noteOnIncident(ctx, order, 'order_overdue', `${target.name}: ${args.overdue} L${args.level}`, {
    targetId: target.targetId,
    level: args.level,
  });
  return order;
}
