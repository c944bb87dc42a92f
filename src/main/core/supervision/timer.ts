// Supervision (督): finds order targets past their sign or finish deadline and escalates them through the
// normal command path, so each escalation is validated, audited, sent to the server and announced once.
//
// Every console runs it, the city hall's and each county's, offline too, so a target is often escalated by two
// timers at once. The server keeps one escalation per (order, target, kind, level) and answers the others
// applied with no change. Each console remembers what it has escalated in its own `escalations` table, which a
// sync rebase leaves alone (it is not shadowed): what this console announced stays announced, once per level,
// whichever timer reached the server first.
import { CITY_ID, type Actor, type OrderTarget } from '../../../shared/domain/model';
import { toErrorInfo, type ErrorInfo } from '../../../shared/errors';
import type { Desk } from '../../api/desk';
import { dueTargets, getOrder } from '../../db/orders';
import { getMeta } from '../../db/region';
import { SUPERVISION_COMMAND, SUPERVISION_OPERATOR_ID, supervisionActorIn } from '../access';
import { mayEscalate } from '../orders/commands';

const MINUTE = 60_000;

/** The highest escalation level: past it a target stays red until someone acts. */
export const MAX_ESCALATION_LEVEL = 3;

export { SUPERVISION_OPERATOR_ID };

export type OverdueKind = 'sign' | 'finish';

/**
 * How far a late target has been escalated, from how late it is. With `span` the deadline's own length
 * (the order's sign or finish minutes): level 1 from the deadline, level 2 once it is late by another span,
 * level 3 once it is late by three spans. The level never goes above 3.
 */
export function escalationLevel(lateMs: number, spanMs: number): number {
  if (lateMs < 0) return 0;
  const spans = spanMs > 0 ? lateMs / spanMs : Number.POSITIVE_INFINITY;
  if (spans >= 3) return MAX_ESCALATION_LEVEL;
  if (spans >= 1) return 2;
  return 1;
}

export interface Escalation {
  orderId: string;
  targetId: string;
  overdue: OverdueKind;
  level: number;
}

export interface TickResult {
  escalated: Escalation[];
  /** Escalations the command path refused (e.g. outside this workstation's jurisdiction); retried next tick. */
  refused: (Escalation & { error: ErrorInfo })[];
}

export interface SupervisionOptions {
  /**
   * The jurisdiction supervised (meta 'jurisdiction', default the city). A synced console passes its own, the one
   * the server authorises its escalations against: a wider one would escalate what the server then refuses.
   */
  jurisdictionId?: string;
  /** Overrides the workstation id (meta 'workstation_id'); a synced console passes the enrolled one. */
  workstationId?: string;
}

/** The actor the supervision timer acts as on this workstation. */
export function supervisionActor(desk: Desk, options: SupervisionOptions = {}): Actor {
  return supervisionActorIn(
    options.jurisdictionId ?? getMeta(desk.db, 'jurisdiction') ?? CITY_ID,
    options.workstationId ?? getMeta(desk.db, 'workstation_id') ?? 'local',
  );
}

export class SupervisionService {
  private readonly actor: Actor;

  constructor(
    private readonly desk: Desk,
    options: SupervisionOptions = {},
  ) {
    this.actor = supervisionActor(desk, options);
  }

  /**
   * Escalates every target that is due at `now` (the Desk clock by default; escalation is judged at the
   * command's own time, so pass the Desk's time). What was already escalated at a level is skipped here, so a
   * tick that finds nothing new writes nothing — not even an outbox row.
   */
  tick(now: number = this.desk.clock()): TickResult {
    const result: TickResult = { escalated: [], refused: [] };
    const orders = new Map<string, { countyId: string; sign: number; finish: number }>();
    for (const target of dueTargets(this.desk.db, now)) {
      let order = orders.get(target.orderId);
      if (!order) {
        const stored = getOrder(this.desk.db, target.orderId);
        if (!stored) continue;
        order = {
          countyId: stored.countyId,
          sign: stored.signDeadlineMin * MINUTE,
          finish: stored.finishDeadlineMin * MINUTE,
        };
        orders.set(stored.id, order);
      }
      // A city-wide order reaches a county console with every county's targets: the others are not its to escalate
      // (the command would be refused here at every tick, and by the server).
      if (!mayEscalate(this.actor, order, target)) continue;
      for (const escalation of this.escalationsOf(target, now, order)) {
        if (this.alreadyEscalated(escalation)) continue;
        try {
          this.desk.command(this.actor, SUPERVISION_COMMAND, escalation);
          result.escalated.push(escalation);
        } catch (error) {
          // One refused escalation must not hold back the others.
          result.refused.push({ ...escalation, error: toErrorInfo(error) });
        }
      }
    }
    return result;
  }

  /** Ticks now and then every `intervalMs` on the Desk clock; returns the function that stops it. */
  start(intervalMs: number): () => void {
    const run = (): void => {
      try {
        const { refused } = this.tick(this.desk.clock());
        for (const item of refused) {
          console.error(
            `supervision: escalation of ${item.orderId}/${item.targetId} (${item.overdue} L${item.level}) refused: ${item.error.message}`,
          );
        }
      } catch (error) {
        console.error('supervision tick failed:', error);
      }
    };
    run();
    const timer = setInterval(run, intervalMs);
    // Supervision alone never keeps a process alive.
    timer.unref();
    return () => clearInterval(timer);
  }

  private escalationsOf(
    target: OrderTarget,
    now: number,
    span: { sign: number; finish: number },
  ): Escalation[] {
    const found: Escalation[] = [];
    const base = { orderId: target.orderId, targetId: target.targetId };
    if (target.state === 'issued' && target.signDeadline <= now) {
      found.push({ ...base, overdue: 'sign', level: escalationLevel(now - target.signDeadline, span.sign) });
    }
    if (target.state !== 'completed' && target.finishDeadline <= now) {
      found.push({
        ...base,
        overdue: 'finish',
        level: escalationLevel(now - target.finishDeadline, span.finish),
      });
    }
    return found;
  }

  private alreadyEscalated(escalation: Escalation): boolean {
    return (
      this.desk.db
        .prepare(
          'SELECT 1 FROM escalations WHERE order_id = ? AND target_id = ? AND overdue = ? AND level >= ?',
        )
        .get(escalation.orderId, escalation.targetId, escalation.overdue, escalation.level) !== undefined
    );
  }
}
