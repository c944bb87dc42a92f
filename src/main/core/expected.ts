// What the operator saw when they changed status, priority or assignment: sent with the command so the server
// can tell a concurrent change by someone else (a conflict to resolve) from a plain update.
import type { CommandName } from '../../shared/contract';
import { getCase } from '../db/cases';
import { getConflict } from '../db/conflicts';
import type { DB } from '../db/connection';
import { getIncident } from '../db/incidents';
import { conflictedValue } from './conflicts/commands';

type Input = Record<string, unknown>;

function isObject(value: unknown): value is Input {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The input with `expected` filled from the local record; unchanged when it has one or does not apply. */
export function withExpected(db: DB, name: CommandName, input: unknown): unknown {
  if (!isObject(input) || input.expected !== undefined || typeof input.id !== 'string') return input;
  if (name === 'incident.setStatus') {
    const incident = getIncident(db, input.id);
    return incident ? { ...input, expected: { status: incident.status } } : input;
  }
  if (name === 'case.setStatus') {
    const record = getCase(db, input.id);
    return record ? { ...input, expected: { status: record.status } } : input;
  }
  if (name === 'conflict.resolve') {
    const conflict = getConflict(db, input.id);
    if (!conflict || conflict.resolvedAt !== null) return input;
    const value = conflictedValue(db, conflict);
    return value === undefined ? input : { ...input, expected: { value } };
  }
  if (name === 'incident.update' && isObject(input.patch)) {
    const incident = getIncident(db, input.id);
    if (!incident) return input;
    const expected: Input = {};
    if (input.patch.priority !== undefined) expected.priority = incident.priority;
    if (input.patch.assignedOrgId !== undefined) expected.assignedOrgId = incident.assignedOrgId;
    return Object.keys(expected).length ? { ...input, expected } : input;
  }
  return input;
}
