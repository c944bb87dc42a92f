// The sync panel's rules outside the browser: who is offered the resolve buttons (held to the workstation's own
// role table, which the server applies too), and when a listed conflict is the echo of a 'mine' already chosen.
import { describe, expect, it } from 'vitest';
import { COMMAND_ROLES } from '../../src/main/core/access';
import { Role } from '../../src/shared/domain/model';
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
  it('offers the buttons exactly to the roles that may set the conflicted field', () => {
    for (const role of Role.options) {
      for (const field of ['status', 'priority', 'assignedOrgId'] as const) {
        const command = field === 'status' ? 'incident.setStatus' : 'incident.update';
        expect(mayResolve(role, { kind: 'incident' }), `${role} on an incident's ${field}`).toBe(
          COMMAND_ROLES[command].includes(role) && COMMAND_ROLES['conflict.resolve'].includes(role),
        );
      }
      expect(mayResolve(role, { kind: 'case' }), `${role} on a case's status`).toBe(
        COMMAND_ROLES['case.setStatus'].includes(role) && COMMAND_ROLES['conflict.resolve'].includes(role),
      );
    }
    expect(mayResolve('analyst', { kind: 'incident' })).toBe(false);
    expect(mayResolve(undefined, { kind: 'incident' })).toBe(false);
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
