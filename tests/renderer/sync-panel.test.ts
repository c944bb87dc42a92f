// The sync panel's rules outside the browser: who is offered the resolve buttons, and when a listed conflict is
// the echo of a 'mine' already chosen.
import { describe, expect, it } from 'vitest';
import type { Conflict } from '../../src/shared/sync';
import { echoOf, mayResolve } from '../../src/renderer/store/sync';

function conflict(overrides: Partial<Conflict>): Conflict {
  return {
    id: 'c1.conflict1',
    kind: 'incident',
    entityId: 'i1',
    field: 'priority',
    mine: 1,
    theirs: 3,
    commandId: 'c1',
    operatorId: 'op-610926',
    at: 1000,
    resolvedAt: null,
    resolution: null,
    resolvedBy: null,
    ...overrides,
  };
}

describe('mayResolve', () => {
  const FIELDS = ['status', 'priority', 'assignedOrgId'] as const;

  it('offers the operational roles the buttons for every conflict', () => {
    for (const role of ['city_commander', 'dispatcher', 'county_operator'] as const) {
      for (const field of FIELDS)
        expect(mayResolve(role, { kind: 'incident', field }), `${role} on an incident's ${field}`).toBe(true);
      expect(mayResolve(role, { kind: 'case', field: 'status' }), `${role} on a case's status`).toBe(true);
    }
  });

  it("shows an analyst an incident's conflicts without buttons, but lets them settle a case's status", () => {
    for (const field of FIELDS)
      expect(mayResolve('analyst', { kind: 'incident', field }), `analyst on an incident's ${field}`).toBe(
        false,
      );
    expect(mayResolve('analyst', { kind: 'case', field: 'status' })).toBe(true);
  });

  it('offers no buttons to a supervisor, an administrator or a console not yet signed in', () => {
    for (const role of ['supervisor', 'admin', undefined] as const) {
      for (const field of FIELDS)
        expect(mayResolve(role, { kind: 'incident', field }), `${role} on an incident's ${field}`).toBe(
          false,
        );
      expect(mayResolve(role, { kind: 'case', field: 'status' }), `${role} on a case's status`).toBe(false);
    }
  });

  it('follows the conflict as the console lists it', () => {
    expect(mayResolve('analyst', conflict({ field: 'priority' }))).toBe(false);
    expect(mayResolve('analyst', conflict({ kind: 'case', entityId: 'k1', field: 'status' }))).toBe(true);
    expect(mayResolve('dispatcher', conflict({ field: 'priority' }))).toBe(true);
  });
});

describe('echoOf', () => {
  const settled = conflict({ resolvedAt: 5000, resolution: 'mine', resolvedBy: 'op-610926' });
  const echo = conflict({ id: 'c2.conflict1', commandId: 'c2', theirs: 4, at: 5000 });

  it('finds the settled conflict a new one on the same field, value and operator repeats', () => {
    expect(echoOf(echo, [settled])).toBe(settled);
  });

  it('does not take other conflicts for an echo', () => {
    expect(echoOf(settled, [settled]), 'itself').toBeUndefined();
    expect(echoOf({ ...echo, field: 'status' }, [settled]), 'another field').toBeUndefined();
    expect(echoOf({ ...echo, entityId: 'i2' }, [settled]), 'another incident').toBeUndefined();
    expect(echoOf({ ...echo, mine: 2 }, [settled]), 'another wanted value').toBeUndefined();
    expect(echoOf({ ...echo, operatorId: 'city-dispatcher' }, [settled]), 'someone else').toBeUndefined();
    expect(echoOf({ ...echo, at: 4000 }, [settled]), 'raised before the choice').toBeUndefined();
  });
});
