// Which role may run which command: the one table the core enforces (src/main/core/access.ts) and the console
// reads to decide which actions to offer.
import type { CommandName } from './contract';
import type { Role } from './domain/model';
import type { Conflict } from './sync';

const OPERATIONAL: readonly Role[] = ['city_commander', 'dispatcher', 'county_operator'];

const COMMAND_ROLES: Record<CommandName, readonly Role[]> = {
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

/** Whether the role may run the command at all; the record's county is checked where the record is known. */
export function mayRun(role: Role, command: CommandName): boolean {
  return COMMAND_ROLES[command].includes(role);
}

/**
 * The command that sets a conflict's field. Settling a conflict decides the field, so besides `conflict.resolve`
 * it takes the roles of this command: an analyst may settle a case's status conflict, never an incident's.
 */
export function commandSettingField(conflict: Pick<Conflict, 'kind' | 'field'>): CommandName {
  if (conflict.kind === 'case') return 'case.setStatus';
  return conflict.field === 'status' ? 'incident.setStatus' : 'incident.update';
}
