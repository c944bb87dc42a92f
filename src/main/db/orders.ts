// orders, order_targets and order_feedback tables.
import type { Order, OrderFeedback, OrderTarget } from '../../shared/domain/model';
import { prepared, type DB } from './connection';

interface OrderRow {
  id: string;
  county_id: string;
  incident_id: string | null;
  template: string;
  title: string;
  content: string;
  status: string;
  issued_by: string;
  issued_at: number;
  updated_at: number;
  sign_deadline_min: number;
  finish_deadline_min: number;
  cancel_reason: string;
}

export interface TargetRow {
  order_id: string;
  target_id: string;
  target_kind: string;
  county_id: string;
  name: string;
  state: string;
  sign_deadline: number;
  finish_deadline: number;
  signed_at: number | null;
  signed_by: string | null;
  reported_at: number | null;
  completed_at: number | null;
  overdue: string;
  escalation_level: number;
}

export function rowToTarget(row: TargetRow): OrderTarget {
  return {
    orderId: row.order_id,
    targetId: row.target_id,
    targetKind: row.target_kind as OrderTarget['targetKind'],
    countyId: row.county_id,
    name: row.name,
    state: row.state as OrderTarget['state'],
    signDeadline: row.sign_deadline,
    finishDeadline: row.finish_deadline,
    signedAt: row.signed_at,
    signedBy: row.signed_by,
    reportedAt: row.reported_at,
    completedAt: row.completed_at,
    overdue: row.overdue as OrderTarget['overdue'],
    escalationLevel: row.escalation_level,
  };
}

function targetToRow(target: OrderTarget): TargetRow {
  return {
    order_id: target.orderId,
    target_id: target.targetId,
    target_kind: target.targetKind,
    county_id: target.countyId,
    name: target.name,
    state: target.state,
    sign_deadline: target.signDeadline,
    finish_deadline: target.finishDeadline,
    signed_at: target.signedAt,
    signed_by: target.signedBy,
    reported_at: target.reportedAt,
    completed_at: target.completedAt,
    overdue: target.overdue,
    escalation_level: target.escalationLevel,
  };
}

function rowToOrder(row: OrderRow, targets: OrderTarget[]): Order {
  return {
    id: row.id,
    countyId: row.county_id,
    incidentId: row.incident_id,
    template: row.template as Order['template'],
    title: row.title,
    content: row.content,
    status: row.status as Order['status'],
    issuedBy: row.issued_by,
    issuedAt: row.issued_at,
    updatedAt: row.updated_at,
    signDeadlineMin: row.sign_deadline_min,
    finishDeadlineMin: row.finish_deadline_min,
    cancelReason: row.cancel_reason,
    targets,
  };
}

function targetsOf(db: DB, orderId: string): OrderTarget[] {
  const rows = prepared(db, 'SELECT * FROM order_targets WHERE order_id = ? ORDER BY rowid').all(
    orderId,
  ) as TargetRow[];
  return rows.map(rowToTarget);
}

export function getOrder(db: DB, id: string): Order | undefined {
  const row = prepared(db, 'SELECT * FROM orders WHERE id = ?').get(id) as OrderRow | undefined;
  return row ? rowToOrder(row, targetsOf(db, id)) : undefined;
}

/** Writes the order and every target in it (targets are never removed from an order). */
export function putOrder(db: DB, order: Order): void {
  prepared(
    db,
    `INSERT INTO orders (id, county_id, incident_id, template, title, content, status, issued_by, issued_at, updated_at,
       sign_deadline_min, finish_deadline_min, cancel_reason)
     VALUES (@id, @county_id, @incident_id, @template, @title, @content, @status, @issued_by, @issued_at, @updated_at,
       @sign_deadline_min, @finish_deadline_min, @cancel_reason)
     ON CONFLICT (id) DO UPDATE SET county_id = excluded.county_id, incident_id = excluded.incident_id,
       template = excluded.template, title = excluded.title, content = excluded.content, status = excluded.status,
       issued_by = excluded.issued_by, issued_at = excluded.issued_at, updated_at = excluded.updated_at,
       sign_deadline_min = excluded.sign_deadline_min, finish_deadline_min = excluded.finish_deadline_min,
       cancel_reason = excluded.cancel_reason`,
  ).run({
    id: order.id,
    county_id: order.countyId,
    incident_id: order.incidentId,
    template: order.template,
    title: order.title,
    content: order.content,
    status: order.status,
    issued_by: order.issuedBy,
    issued_at: order.issuedAt,
    updated_at: order.updatedAt,
    sign_deadline_min: order.signDeadlineMin,
    finish_deadline_min: order.finishDeadlineMin,
    cancel_reason: order.cancelReason,
  });
  const upsert = prepared(
    db,
    `INSERT INTO order_targets (order_id, target_id, target_kind, county_id, name, state, sign_deadline, finish_deadline,
       signed_at, signed_by, reported_at, completed_at, overdue, escalation_level)
     VALUES (@order_id, @target_id, @target_kind, @county_id, @name, @state, @sign_deadline, @finish_deadline,
       @signed_at, @signed_by, @reported_at, @completed_at, @overdue, @escalation_level)
     ON CONFLICT (order_id, target_id) DO UPDATE SET state = excluded.state, signed_at = excluded.signed_at,
       signed_by = excluded.signed_by, reported_at = excluded.reported_at, completed_at = excluded.completed_at,
       overdue = excluded.overdue, escalation_level = excluded.escalation_level, name = excluded.name,
       county_id = excluded.county_id, sign_deadline = excluded.sign_deadline, finish_deadline = excluded.finish_deadline`,
  );
  for (const target of order.targets) upsert.run(targetToRow(target));
}

export function deleteOrder(db: DB, id: string): void {
  prepared(db, 'DELETE FROM order_targets WHERE order_id = ?').run(id);
  prepared(db, 'DELETE FROM order_feedback WHERE order_id = ?').run(id);
  prepared(db, 'DELETE FROM orders WHERE id = ?').run(id);
}

export function listOrders(
  db: DB,
  filter: {
    incidentId?: string | undefined;
    status?: string[] | undefined;
    countyIds?: string[] | undefined;
    limit: number;
    offset: number;
  },
): { items: Order[]; total: number } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.incidentId) {
    where.push('incident_id = ?');
    params.push(filter.incidentId);
  }
  if (filter.status?.length) {
    where.push(`status IN (${filter.status.map(() => '?').join(', ')})`);
    params.push(...filter.status);
  }
  if (filter.countyIds) {
    // An order is visible where it is partitioned and wherever one of its targets must act.
    const marks = filter.countyIds.map(() => '?').join(', ') || "''";
    where.push(
      `(county_id IN (${marks}) OR id IN (SELECT order_id FROM order_targets WHERE county_id IN (${marks})))`,
    );
    params.push(...filter.countyIds, ...filter.countyIds);
  }
  const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const total = (db.prepare(`SELECT count(*) AS n FROM orders ${clause}`).get(...params) as { n: number }).n;
  const rows = db
    .prepare(`SELECT * FROM orders ${clause} ORDER BY issued_at DESC, id LIMIT ? OFFSET ?`)
    .all(...params, filter.limit, filter.offset) as OrderRow[];
  return { items: rows.map((row) => rowToOrder(row, targetsOf(db, row.id))), total };
}

/** Targets addressed to any of the given ids (an organisation, its units and checkpoints). */
export function targetsAddressedTo(db: DB, targetIds: string[], includeDone: boolean): OrderTarget[] {
  if (targetIds.length === 0) return [];
  const rows = db
    .prepare(
      `SELECT t.* FROM order_targets t JOIN orders o ON o.id = t.order_id
       WHERE t.target_id IN (${targetIds.map(() => '?').join(', ')})
       ${includeDone ? '' : "AND t.state != 'completed' AND o.status NOT IN ('cancelled', 'concluded')"}
       ORDER BY t.sign_deadline`,
    )
    .all(...targetIds) as TargetRow[];
  return rows.map(rowToTarget);
}

/** Targets whose sign or finish deadline has passed at `now` and which are not yet escalated to `level`. */
export function dueTargets(db: DB, now: number): OrderTarget[] {
  const rows = prepared(
    db,
    `SELECT t.* FROM order_targets t JOIN orders o ON o.id = t.order_id
       WHERE o.status NOT IN ('cancelled', 'concluded', 'draft')
       AND ((t.state = 'issued' AND t.sign_deadline <= ?) OR (t.state != 'completed' AND t.finish_deadline <= ?))
       ORDER BY t.sign_deadline`,
  ).all(now, now) as TargetRow[];
  return rows.map(rowToTarget);
}

export function overdueTargets(db: DB): OrderTarget[] {
  const rows = prepared(
    db,
    `SELECT t.* FROM order_targets t JOIN orders o ON o.id = t.order_id
       WHERE t.overdue != 'none' AND t.state != 'completed' AND o.status NOT IN ('cancelled', 'concluded')
       ORDER BY t.sign_deadline`,
  ).all() as TargetRow[];
  return rows.map(rowToTarget);
}

interface FeedbackRow {
  id: string;
  order_id: string;
  target_id: string;
  text: string;
  at: number;
  by: string;
}

function rowToFeedback(row: FeedbackRow): OrderFeedback {
  return {
    id: row.id,
    orderId: row.order_id,
    targetId: row.target_id,
    text: row.text,
    at: row.at,
    by: row.by,
  };
}

export function addFeedback(db: DB, feedback: OrderFeedback): void {
  prepared(
    db,
    'INSERT OR IGNORE INTO order_feedback (id, order_id, target_id, text, at, by) VALUES (?, ?, ?, ?, ?, ?)',
  ).run(feedback.id, feedback.orderId, feedback.targetId, feedback.text, feedback.at, feedback.by);
}

export function listFeedback(db: DB, orderId: string): OrderFeedback[] {
  const rows = prepared(db, 'SELECT * FROM order_feedback WHERE order_id = ? ORDER BY at, id').all(
    orderId,
  ) as FeedbackRow[];
  return rows.map(rowToFeedback);
}

export function getFeedback(db: DB, id: string): OrderFeedback | undefined {
  const row = prepared(db, 'SELECT * FROM order_feedback WHERE id = ?').get(id) as FeedbackRow | undefined;
  return row ? rowToFeedback(row) : undefined;
}
