// Who may do what, and where: the role table (src/shared/access.ts) enforced, and the jurisdiction rule that keeps
// each county to its own records.
import { mayRun } from '../../shared/access';
import type { CommandName } from '../../shared/contract';
import { CITY_ID, type Actor } from '../../shared/domain/model';
import { DeskError } from '../../shared/errors';

/**
 * The operator id the supervision timer (督办) acts as. No account, password or sign-in stands behind it: every
 * workstation's timer escalates the overdue order targets of its own jurisdiction under this id, offline too, and
 * the server accepts it for `order.escalate` alone, scoped to the enrolled jurisdiction of the workstation that
 * sent it (src/server/hub.ts).
 */
export const SUPERVISION_OPERATOR_ID = 'system:supervision';

/** The one command the supervision timer sends. */
export const SUPERVISION_COMMAND = 'order.escalate' satisfies CommandName;

/** Operator ids no person's account may take: the workstations' own timers act under them. */
export function isReservedOperatorId(id: string): boolean {
  return id.startsWith('system:');
}

/** The supervision timer's actor on a workstation serving `jurisdictionId` (the city's covers every county). */
export function supervisionActorIn(jurisdictionId: string, workstationId: string): Actor {
  return {
    operatorId: SUPERVISION_OPERATOR_ID,
    name: '督办计时器',
    role: 'supervisor',
    jurisdictionId,
    orgId: null,
    workstationId,
  };
}

export function assertRole(actor: Actor, command: CommandName): void {
  if (!mayRun(actor.role, command)) {
    throw new DeskError('forbidden', `${actor.operatorId} (${actor.role}) may not run ${command}`, {
      operatorId: actor.operatorId,
      role: actor.role,
      command,
    });
  }
}

export function coversCounty(actor: Actor, countyId: string): boolean {
  return actor.jurisdictionId === CITY_ID || actor.jurisdictionId === countyId;
}

/** Refuses a write to a record of a county outside the actor's jurisdiction. */
export function assertCounty(actor: Actor, countyId: string, what: string): void {
  if (!coversCounty(actor, countyId)) {
    throw new DeskError(
      'forbidden',
      `${what} belongs to county ${countyId}, outside ${actor.operatorId}'s jurisdiction ${actor.jurisdictionId}`,
      {
        countyId,
        jurisdictionId: actor.jurisdictionId,
      },
    );
  }
}

/** The counties whose records an actor may read: undefined means all. */
export function readableCounties(actor: Actor): string[] | undefined {
  return actor.jurisdictionId === CITY_ID ? undefined : [actor.jurisdictionId, CITY_ID];
}
