// The command handler map: one function per contract command, checked against the contract by its type.
import type { CommandArgs, CommandName, CommandResult } from '../../shared/contract';
import { addCaseRef, createCase, linkCaseIncident, setCaseStatus } from './cases/commands';
import { resolveConflict } from './conflicts/commands';
import type { CommandContext } from './context';
import {
  addIncidentNote,
  addIncidentRef,
  createIncident,
  linkIncidents,
  mergeIncident,
  setIncidentStatus,
  updateIncident,
} from './incidents/commands';
import {
  cancelOrder,
  completeOrder,
  escalateOrder,
  feedbackOrder,
  issueOrder,
  signOrder,
  startOrder,
} from './orders/commands';
import { moveUnit, setCheckpointActive, setUnitStatus } from './units/commands';
import {
  acknowledgeWarning,
  addWatchEntry,
  handleWarning,
  linkWarningIncident,
  logCheck,
  setWatchActive,
} from './watch/commands';

export type CommandHandlers = {
  [N in CommandName]: (ctx: CommandContext, args: CommandArgs<N>) => CommandResult<N>;
};

export const commandHandlers: CommandHandlers = {
  'incident.create': createIncident,
  'incident.update': updateIncident,
  'incident.setStatus': setIncidentStatus,
  'incident.link': linkIncidents,
  'incident.merge': mergeIncident,
  'incident.addNote': addIncidentNote,
  'incident.addRef': addIncidentRef,
  'order.issue': issueOrder,
  'order.sign': signOrder,
  'order.start': startOrder,
  'order.feedback': feedbackOrder,
  'order.complete': completeOrder,
  'order.cancel': cancelOrder,
  'order.escalate': escalateOrder,
  'unit.setStatus': setUnitStatus,
  'unit.move': moveUnit,
  'checkpoint.setActive': setCheckpointActive,
  'case.create': createCase,
  'case.setStatus': setCaseStatus,
  'case.linkIncident': linkCaseIncident,
  'case.addRef': addCaseRef,
  'conflict.resolve': resolveConflict,
  'watch.add': addWatchEntry,
  'watch.setActive': setWatchActive,
  'checkpoint.logCheck': logCheck,
  'warning.acknowledge': acknowledgeWarning,
  'warning.handle': handleWarning,
  'warning.linkIncident': linkWarningIncident,
};
