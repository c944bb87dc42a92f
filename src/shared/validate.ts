// Boundary validation: turn a schema failure into one DeskError that names the field and the rule.
import type { z } from 'zod';
import { DeskError } from './errors';

export function parseInput<S extends z.ZodType>(what: string, schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.slice(0, 5).map((issue) => {
    const path = issue.path.length ? issue.path.map(String).join('.') : '(input)';
    return `${path}: ${issue.message}`;
  });
  throw new DeskError('invalid_input', `${what}: ${issues.join('; ')}`, {
    issues: result.error.issues
      .slice(0, 20)
      .map((issue) => ({ path: issue.path.map(String), message: issue.message })),
  });
}
