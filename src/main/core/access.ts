// Who may do what, and where: roles per command, and the jurisdiction rule that keeps each county to its own records.
import type { CommandName } from '../../shared/contract';
import { CITY_ID, type Actor, type Role } from '../../shared/domain/model';
import { DeskError } from '../../shared/errors';

const OPERATIONAL: readonly Role[] = ['city_commander', 'dispatcher', 'county_operator'];

export const COMMAND_ROLES: Record<CommandName, readonly Role[]> = {
  'incident.create': OPERATIONAL,
  'incident.update': OPERATIONAL,
  'incident.setStatus': OPERATIONAL,
  'incident.link': OPERATIONAL,
  'incident.merge': OPERATIONAL,
  'incident.addNote': [...OPERATIONAL, 'supervisor'],
  'incident.addRef': [...OPERATIONAL, 'analyst'],
  'order.issue': OPERATIONAL,
  'order.sign': OPERATIONAL,
  'order.start': OPERATIONAL,
  'order.feedback': OPERATIONAL,
  'order.complete': [...OPERATIONAL, 'supervisor'],
  'order.cancel': OPERATIONAL,
  'order.escalate': [...OPERATIONAL, 'supervisor'],
  'unit.setStatus': OPERATIONAL,
  'unit.move': OPERATIONAL,
  'checkpoint.setActive': OPERATIONAL,
  'case.create': [...OPERATIONAL, 'analyst'],
  'case.setStatus': [...OPERATIONAL, 'analyst'],
  'case.linkIncident': [...OPERATIONAL, 'analyst'],
  'case.addRef': [...OPERATIONAL, 'analyst'],
  'conflict.resolve': [...OPERATIONAL, 'analyst'],
  // The watch list is kept and checks are logged by the operational roles; analysts and supervisors read it.
  'watch.add': OPERATIONAL,
  'watch.setActive': OPERATIONAL,
  'checkpoint.logCheck': OPERATIONAL,
  'warning.acknowledge': OPERATIONAL,
  'warning.handle': OPERATIONAL,
  'warning.linkIncident': OPERATIONAL,
};

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
  if (!COMMAND_ROLES[command].includes(actor.role)) {
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
