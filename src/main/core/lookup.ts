// Loading a record or failing with an error that names what was missing.
import { DeskError } from '../../shared/errors';

export function required<T>(record: T | undefined, kind: string, id: string): T {
  if (record === undefined) throw new DeskError('not_found', `${kind} ${id} does not exist`, { kind, id });
  return record;
}
