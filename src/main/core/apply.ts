// The one path every command takes, on a workstation and on the server alike:
// validate → check role → apply in one transaction (state, audit, and the caller's extra writes) → report changes.
import type { Transaction } from 'better-sqlite3';
import {
  commandSchemas,
  isCommandName,
  type CommandArgs,
  type CommandName,
  type CommandResult,
} from '../../shared/contract';
import type { Actor } from '../../shared/domain/model';
import { DeskError } from '../../shared/errors';
import { parseInput } from '../../shared/validate';
import type { DB } from '../db/connection';
import { assertRole } from './access';
import { CommandContext, type AppendedChange, type Change, type CommandBatch } from './context';
import { commandHandlers } from './handlers';
import { timeOrderedId } from './ids';

export const MAX_COMMAND_BYTES = 256 * 1024;

export interface Applied<N extends CommandName = CommandName> {
  name: N;
  commandId: string;
  at: number;
  result: CommandResult<N>;
  /** The input as it must be replayed elsewhere: generated ids and numbers filled in. */
  input: CommandArgs<N>;
  changes: Change[];
  /** Append-only children the command added (timeline entries, links, ...), for the server's change log. */
  appended: AppendedChange[];
}

export interface ApplyOptions {
  commandId?: string;
  at?: number;
  /** A sync rebase replaying a pending command: same id and time, no second audit entry. */
  replay?: boolean;
  /** Runs inside the command's transaction after the handler, e.g. to write the outbox row. */
  within?: (ctx: CommandContext, applied: Applied) => void;
  /**
   * What a batch applied in one outer transaction (the server's push) shares. The caller must forget() the audit
   * chain's tail when this command throws, since the command's savepoint, audit entries included, is rolled back.
   */
  batch?: CommandBatch;
}

function completeInput(
  name: CommandName,
  args: Record<string, unknown>,
  result: unknown,
): Record<string, unknown> {
  const record = result as { id?: string; number?: string; receivedAt?: number };
  // Object.assign rather than a spread: keys added to a spread copy gave it a hidden class of its own each time,
  // which cost V8 about 7 us per command (0.2 us this way). Same keys, same order.
  switch (name) {
    case 'incident.create':
      return Object.assign({}, args, { id: record.id, number: record.number, receivedAt: record.receivedAt });
    case 'order.issue':
    case 'case.create':
      return Object.assign({}, args, { id: record.id });
    default:
      return args;
  }
}

type Body = () => unknown;
const transactions = new WeakMap<DB, Transaction<(body: Body) => unknown>>();

/**
 * Runs `body` in an IMMEDIATE transaction, or in a savepoint when one is already open (a server push batch). The
 * wrapper is made once per connection: db.transaction() builds four wrapped functions and defines their properties
 * on every call, which cost more per command than the savepoint itself.
 */
function inTransaction<T>(db: DB, body: () => T): T {
  let transaction = transactions.get(db);
  if (!transaction) {
    transaction = db.transaction((run: Body) => run());
    transactions.set(db, transaction);
  }
  return transaction.immediate(body) as T;
}

export function checkCommand(
  name: string,
  input: unknown,
): { name: CommandName; args: Record<string, unknown> } {
  if (!isCommandName(name))
    throw new DeskError('invalid_input', `unknown command ${JSON.stringify(name).slice(0, 80)}`);
  let json: string;
  try {
    json = JSON.stringify(input ?? null);
  } catch (error) {
    // A cycle or a BigInt can arrive over IPC (structured clone); it can never be stored or synced.
    throw new DeskError(
      'invalid_input',
      `${name}: input is not plain data (${error instanceof Error ? error.message.split('\n')[0] : 'unserialisable'})`,
    );
  }
  // The limit is on what is stored and sent: UTF-8 bytes, not UTF-16 code units (a Chinese character is 3 bytes).
  const size = Buffer.byteLength(json, 'utf8');
  if (size > MAX_COMMAND_BYTES) {
    throw new DeskError(
      'too_large',
      `${name}: input is ${size} bytes, more than the ${MAX_COMMAND_BYTES} allowed`,
    );
  }
  return { name, args: parseInput(name, commandSchemas[name], input) as Record<string, unknown> };
}

export function applyCommand<N extends CommandName>(
  db: DB,
  actor: Actor,
  name: N,
  input: unknown,
  options: ApplyOptions = {},
): Applied<N> {
  const checked = checkCommand(name, input);
  assertRole(actor, checked.name);
  const meta = {
    // Time-ordered: the records it makes are appended to the id indexes, not scattered (see ids.ts).
    commandId: options.commandId ?? timeOrderedId(),
    name: checked.name,
    at: options.at ?? Date.now(),
    audit: !options.replay,
  };
  return inTransaction(db, (): Applied<N> => {
    const ctx = new CommandContext(db, actor, meta, options.batch);
    const handler = commandHandlers[checked.name] as (
      c: CommandContext,
      a: Record<string, unknown>,
    ) => CommandResult<N>;
    const result = handler(ctx, checked.args);
    const applied: Applied<N> = {
      name,
      commandId: meta.commandId,
      at: meta.at,
      result,
      input: completeInput(checked.name, checked.args, result) as CommandArgs<N>,
      changes: ctx.changes,
      appended: ctx.appended,
    };
    options.within?.(ctx, applied as Applied);
    return applied;
  });
}
