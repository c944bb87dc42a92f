// Every lifecycle of DESIGN.md, step by step: legal steps lead where the machine says, illegal ones are refused by name.
import { describe, expect, it } from 'vitest';
import {
  caseMachine,
  incidentMachine,
  orderMachine,
  targetMachine,
  transition,
  unitMachine,
  warningMachine,
  type Machine,
} from '../src/shared/domain/machines';
import {
  CaseStatus,
  IncidentStatus,
  OrderStatus,
  TargetState,
  UnitStatus,
  WarningStatus,
} from '../src/shared/domain/model';
import { DeskError } from '../src/shared/errors';

interface Named {
  machine: Machine<string, string>;
  states: readonly string[];
}

const MACHINES: Record<string, Named> = {
  incident: { machine: incidentMachine, states: IncidentStatus.options },
  order: { machine: orderMachine, states: OrderStatus.options },
  'order target': { machine: targetMachine, states: TargetState.options },
  unit: { machine: unitMachine, states: UnitStatus.options },
  case: { machine: caseMachine, states: CaseStatus.options },
  warning: { machine: warningMachine, states: WarningStatus.options },
};

function refusal(run: () => unknown): DeskError {
  try {
    run();
  } catch (error) {
    if (error instanceof DeskError) return error;
    throw error;
  }
  throw new Error('the step was allowed but should have been refused');
}

describe.each(Object.entries(MACHINES))('the %s lifecycle', (name, { machine, states }) => {
  it('names itself, starts in a known state and ends only in known states', () => {
    expect(machine.entity).toBe(name);
    expect(states).toContain(machine.initial);
    for (const terminal of machine.terminal) expect(states).toContain(terminal);
    for (const [event, step] of Object.entries(machine.transitions)) {
      expect(states, `${name} step ${event} leads to an unknown state`).toContain(step.to);
      for (const from of step.from) expect(states, `${name} step ${event} starts nowhere`).toContain(from);
    }
  });

  it('never leaves a terminal state', () => {
    for (const [event, step] of Object.entries(machine.transitions)) {
      for (const terminal of machine.terminal) {
        expect(step.from, `${name} ${terminal} must be final, yet ${event} leaves it`).not.toContain(
          terminal,
        );
      }
    }
  });

  const pairs = states.flatMap((state) =>
    Object.keys(machine.transitions).map((event) => ({ state, event })),
  );

  it.each(pairs)('$state + $event: leads to the declared state or is refused by name', ({ state, event }) => {
    const step = machine.transitions[event];
    if (!step) throw new Error(`no step ${event}`);
    const id = `${name.replace(' ', '-')}-42`;
    if (step.from.includes(state)) {
      expect(transition(machine, id, state, event)).toBe(step.to);
      return;
    }
    const error = refusal(() => transition(machine, id, state, event));
    expect(error.code).toBe('illegal_transition');
    expect(error.message).toContain(name);
    expect(error.message).toContain(id);
    expect(error.message).toContain(state);
    expect(error.message).toContain(event);
    expect(error.details).toEqual({ entity: name, id, state, event });
  });
});

// The rules the centre relies on, written out by hand so a change to the machine data cannot slip through.
const KEY_RULES: [string, Machine<string, string>, string, string, string | 'refused'][] = [
  // order targets move forward only: 下达 → 签收 → 执行中 → 反馈 → 完成
  ['a target is signed once', targetMachine, 'issued', 'sign', 'signed'],
  ['a target cannot be signed twice', targetMachine, 'signed', 'sign', 'refused'],
  ['an executing target cannot be signed again', targetMachine, 'executing', 'sign', 'refused'],
  ['a reported target cannot be signed again', targetMachine, 'reported', 'sign', 'refused'],
  ['a completed target cannot be signed again', targetMachine, 'completed', 'sign', 'refused'],
  ['an unsigned target cannot start', targetMachine, 'issued', 'start', 'refused'],
  ['a target cannot start twice', targetMachine, 'executing', 'start', 'refused'],
  ['a reported target cannot go back to executing', targetMachine, 'reported', 'start', 'refused'],
  ['an unsigned target cannot report', targetMachine, 'issued', 'report', 'refused'],
  ['a signed target may report', targetMachine, 'signed', 'report', 'reported'],
  ['a reported target may report again', targetMachine, 'reported', 'report', 'reported'],
  ['a completed target cannot report', targetMachine, 'completed', 'report', 'refused'],
  ['complete needs a report (issued)', targetMachine, 'issued', 'complete', 'refused'],
  ['complete needs a report (signed)', targetMachine, 'signed', 'complete', 'refused'],
  ['complete needs a report (executing)', targetMachine, 'executing', 'complete', 'refused'],
  ['a reported target completes', targetMachine, 'reported', 'complete', 'completed'],
  ['a target cannot complete twice', targetMachine, 'completed', 'complete', 'refused'],
  // incidents: 接警 → 派警 → 到场 → 处置完毕 → 结警
  ['a received incident is dispatched', incidentMachine, 'received', 'dispatch', 'dispatched'],
  ['an incident is closed from handled', incidentMachine, 'handled', 'close', 'closed'],
  ['a received incident cannot be closed', incidentMachine, 'received', 'close', 'refused'],
  ['a dispatched incident cannot be closed', incidentMachine, 'dispatched', 'close', 'refused'],
  ['an on-scene incident cannot be closed', incidentMachine, 'on_scene', 'close', 'refused'],
  ['a cancelled incident cannot be closed', incidentMachine, 'cancelled', 'close', 'refused'],
  ['a closed incident cannot be closed again', incidentMachine, 'closed', 'close', 'refused'],
  ['a closed incident cannot be dispatched', incidentMachine, 'closed', 'dispatch', 'refused'],
  ['a closed incident cannot be merged', incidentMachine, 'closed', 'merge', 'refused'],
  ['a handled incident cannot be cancelled', incidentMachine, 'handled', 'cancel', 'refused'],
  ['only a fresh call is marked duplicate', incidentMachine, 'dispatched', 'markDuplicate', 'refused'],
  ['a fresh call can be a duplicate', incidentMachine, 'received', 'markDuplicate', 'duplicate'],
  ['units arrive only once dispatched', incidentMachine, 'received', 'arrive', 'refused'],
  // orders: 研 → 交 → 办 → 督 → 结
  ['a draft is issued', orderMachine, 'draft', 'issue', 'issued'],
  ['an order is issued once', orderMachine, 'issued', 'issue', 'refused'],
  ['a draft cannot be concluded', orderMachine, 'draft', 'conclude', 'refused'],
  ['a concluded order cannot be cancelled', orderMachine, 'concluded', 'cancel', 'refused'],
  ['a cancelled order cannot be supervised', orderMachine, 'cancelled', 'supervise', 'refused'],
  ['a supervised order concludes', orderMachine, 'supervised', 'conclude', 'concluded'],
  // units
  ['an off-duty unit cannot be dispatched', unitMachine, 'off_duty', 'dispatched', 'refused'],
  ['an on-scene unit cannot go off duty', unitMachine, 'on_scene', 'off_duty', 'refused'],
  ['a dispatched unit arrives', unitMachine, 'dispatched', 'on_scene', 'on_scene'],
  // cases
  ['a closed case stays closed', caseMachine, 'closed', 'investigate', 'refused'],
  ['an open case is not solved without investigation', caseMachine, 'open', 'solve', 'refused'],
  ['an investigated case is solved', caseMachine, 'investigating', 'solve', 'solved'],
  // warnings: 新预警 → 已签收 → 已处置
  ['a new warning is signed for', warningMachine, 'new', 'acknowledge', 'acknowledged'],
  ['a new warning may be handled at once', warningMachine, 'new', 'handle', 'handled'],
  ['a handled warning cannot be signed for again', warningMachine, 'handled', 'acknowledge', 'refused'],
  ['a handled warning cannot be handled twice', warningMachine, 'handled', 'handle', 'refused'],
];

describe('the key rules of the closed loop', () => {
  it.each(KEY_RULES)('%s', (_rule, machine, state, event, expected) => {
    if (expected === 'refused') {
      const error = refusal(() => transition(machine, 'X-1', state, event));
      expect(error.code).toBe('illegal_transition');
      expect(error.message).toMatch(new RegExp(`${machine.entity} X-1 is ${state}: cannot ${event}`));
    } else {
      expect(transition(machine, 'X-1', state, event)).toBe(expected);
    }
  });

  it('an incident reaches closed from handled only', () => {
    expect(incidentMachine.transitions.close.from).toEqual(['handled']);
  });

  it('warnings never move backwards', () => {
    const order = ['new', 'acknowledged', 'handled'];
    for (const [event, step] of Object.entries(warningMachine.transitions)) {
      for (const from of step.from) {
        expect(
          order.indexOf(step.to),
          `warning step ${event} from ${from} to ${step.to} goes backwards`,
        ).toBeGreaterThan(order.indexOf(from));
      }
    }
  });

  it('order targets never move backwards', () => {
    const order = ['issued', 'signed', 'executing', 'reported', 'completed'];
    for (const [event, step] of Object.entries(targetMachine.transitions)) {
      for (const from of step.from) {
        expect(
          order.indexOf(step.to),
          `target step ${event} from ${from} to ${step.to} goes backwards`,
        ).toBeGreaterThanOrEqual(order.indexOf(from));
      }
    }
  });
});
