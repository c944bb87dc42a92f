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
