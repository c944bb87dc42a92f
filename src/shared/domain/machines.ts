// The lifecycles of DESIGN.md as data, and the pure functions that refuse an illegal step.
import { DeskError } from '../errors';
import type {
  CaseStatus,
  IncidentStatus,
  OrderStatus,
  TargetState,
  UnitStatus,
  WarningStatus,
} from './model';

export interface Machine<S extends string, E extends string> {
  entity: string;
  initial: S;
  terminal: readonly S[];
  /** For each event: the states it may start from and the state it leads to. */
  transitions: Record<E, { from: readonly S[]; to: S }>;
}

export type IncidentEvent = 'dispatch' | 'arrive' | 'finish' | 'close' | 'cancel' | 'markDuplicate' | 'merge';

const OPEN_INCIDENT: readonly IncidentStatus[] = ['received', 'dispatched', 'on_scene', 'handled'];

export const incidentMachine: Machine<IncidentStatus, IncidentEvent> = {
  entity: 'incident',
  initial: 'received',
  terminal: ['closed', 'cancelled', 'duplicate', 'merged'],
  transitions: {
    dispatch: { from: ['received'], to: 'dispatched' },
    arrive: { from: ['dispatched'], to: 'on_scene' },
    finish: { from: ['received', 'dispatched', 'on_scene'], to: 'handled' },
    close: { from: ['handled'], to: 'closed' },
    cancel: { from: ['received', 'dispatched', 'on_scene'], to: 'cancelled' },
    markDuplicate: { from: ['received'], to: 'duplicate' },
    merge: { from: OPEN_INCIDENT, to: 'merged' },
  },
};

export type OrderEvent = 'issue' | 'start' | 'supervise' | 'conclude' | 'cancel';

export const orderMachine: Machine<OrderStatus, OrderEvent> = {
  entity: 'order',
  initial: 'draft',
  terminal: ['concluded', 'cancelled'],
  transitions: {
    issue: { from: ['draft'], to: 'issued' },
    start: { from: ['issued'], to: 'in_progress' },
    supervise: { from: ['issued', 'in_progress'], to: 'supervised' },
    conclude: { from: ['issued', 'in_progress', 'supervised'], to: 'concluded' },
    cancel: { from: ['draft', 'issued', 'in_progress', 'supervised'], to: 'cancelled' },
  },
};

export type TargetEvent = 'sign' | 'start' | 'report' | 'complete';

/** Order targets only move forward: 下达 → 签收 → 执行中 → 反馈 → 完成. */
export const targetMachine: Machine<TargetState, TargetEvent> = {
  entity: 'order target',
  initial: 'issued',
  terminal: ['completed'],
  transitions: {
    sign: { from: ['issued'], to: 'signed' },
    start: { from: ['signed'], to: 'executing' },
    report: { from: ['signed', 'executing', 'reported'], to: 'reported' },
    complete: { from: ['reported'], to: 'completed' },
  },
};

export const TARGET_ORDER: readonly TargetState[] = [
  'issued',
  'signed',
  'executing',
  'reported',
  'completed',
];

export type UnitEvent = UnitStatus;

/** A unit's status event is the status it moves to. */
export const unitMachine: Machine<UnitStatus, UnitEvent> = {
  entity: 'unit',
  initial: 'available',
  terminal: [],
  transitions: {
    available: { from: ['dispatched', 'en_route', 'on_scene', 'busy', 'off_duty'], to: 'available' },
    dispatched: { from: ['available', 'busy'], to: 'dispatched' },
    en_route: { from: ['dispatched'], to: 'en_route' },
    on_scene: { from: ['dispatched', 'en_route'], to: 'on_scene' },
    busy: { from: ['available'], to: 'busy' },
    off_duty: { from: ['available', 'busy'], to: 'off_duty' },
  },
};

export type CaseEvent = 'investigate' | 'solve' | 'close';

export const caseMachine: Machine<CaseStatus, CaseEvent> = {
  entity: 'case',
  initial: 'open',
  terminal: ['closed'],
  transitions: {
    investigate: { from: ['open'], to: 'investigating' },
    solve: { from: ['investigating'], to: 'solved' },
    close: { from: ['open', 'investigating', 'solved'], to: 'closed' },
  },
};

export type WarningEvent = 'acknowledge' | 'handle';

/** Warnings only move forward: 新预警 → 已签收 → 已处置 (a warning can be handled without being signed for first). */
export const warningMachine: Machine<WarningStatus, WarningEvent> = {
  entity: 'warning',
  initial: 'new',
  terminal: ['handled'],
  transitions: {
    acknowledge: { from: ['new'], to: 'acknowledged' },
    handle: { from: ['new', 'acknowledged'], to: 'handled' },
  },
};

/** The next state, or a DeskError naming the entity, its state and the attempted step. */
export function transition<S extends string, E extends string>(
  machine: Machine<S, E>,
  entityId: string,
  state: S,
  event: E,
): S {
  const step = machine.transitions[event];
  if (!step.from.includes(state)) {
    throw new DeskError(
      'illegal_transition',
      `${machine.entity} ${entityId} is ${state}: cannot ${event}` +
        (step.from.length ? ` (allowed from ${step.from.join(', ')})` : ''),
      { entity: machine.entity, id: entityId, state, event },
    );
  }
  return step.to;
}

export function canTransition<S extends string, E extends string>(
  machine: Machine<S, E>,
  state: S,
  event: E,
): boolean {
  return machine.transitions[event].from.includes(state);
}

/** The event that leads an incident to the requested status. */
export function incidentEventFor(status: IncidentStatus): IncidentEvent {
  const found = (Object.keys(incidentMachine.transitions) as IncidentEvent[]).find(
    (event) => incidentMachine.transitions[event].to === status,
  );
  if (!found) {
    throw new DeskError('illegal_transition', `no step leads an incident to ${status}`, { status });
  }
  return found;
}

export function caseEventFor(status: CaseStatus): CaseEvent {
  const found = (Object.keys(caseMachine.transitions) as CaseEvent[]).find(
    (event) => caseMachine.transitions[event].to === status,
  );
  if (!found) throw new DeskError('illegal_transition', `no step leads a case to ${status}`, { status });
  return found;
}

export function isOpenIncident(status: IncidentStatus): boolean {
  return !incidentMachine.terminal.includes(status);
}
