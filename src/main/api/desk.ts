// The workstation core behind the contract: commands go through applyCommand with an outbox row in the same
// transaction, queries read the local store, events tell subscribers what changed.
import {
  querySchemas,
  isQueryName,
  type CheckResult,
  type CommandName,
  type CommandResult,
  type QueryName,
  type QueryResult,
} from '../../shared/contract';
import type { Actor, Incident, Order } from '../../shared/domain/model';
import { isOpenIncident } from '../../shared/domain/machines';
import { DeskError } from '../../shared/errors';
import { parseInput } from '../../shared/validate';
import type { DB } from '../db/connection';
import { appendOutbox, nextCounter } from '../db/outbox';
import { indexPendingIncidents } from '../db/search-index';
import { getIncident } from '../db/incidents';
import { getWarning } from '../db/warnings';
import { applyCommand, type Applied } from '../core/apply';
import { withExpected } from '../core/expected';
import { EventBus } from './events';
import { queryHandlers } from './queries';

/** Queued search rows indexed inside a local command (a large pull's backlog is left to the background indexer). */
const LOCAL_INDEX_BATCH = 50;

export interface DeskOptions {
  /** Milliseconds since the epoch; tests and the story pass a scripted clock. */
  clock?: () => number;
}

/**
 * How recent a warning or top-priority incident brought by sync must be to be announced (older ones are
 * listed, not announced).
 */
export const ANNOUNCE_SYNCED_MS = 30 * 60_000;

/**
 * How many warnings, and how many incidents, one pull announces at most (the newest): an operator cannot take in a
 * flood of alarms, and every one of them is in its queue or panel anyway. A county back online after an
 * hour of a major event would otherwise sound one alarm per call it missed.
 */
export const ANNOUNCE_AT_ONCE = 10;

/** Whether a top-priority incident brought by sync is announced: 一级, still open, received in the last half hour. */
export function announceable(
  incident: Pick<Incident, 'priority' | 'status' | 'receivedAt'>,
  now: number,
): boolean {
  return (
    incident.priority === 1 &&
    isOpenIncident(incident.status) &&
    incident.receivedAt >= now - ANNOUNCE_SYNCED_MS
  );
}

/** Announces the first ANNOUNCE_AT_ONCE of `ids` whose record is found and qualifies (reading no further). */
function announceFirst<T>(
  ids: string[],
  find: (id: string) => T | undefined,
  qualifies: (record: T) => boolean,
  announce: (record: T) => void,
): void {
  let announced = 0;
  for (const id of ids) {
    if (announced >= ANNOUNCE_AT_ONCE) return;
    const record = find(id);
    if (record !== undefined && qualifies(record)) {
      announce(record);
      announced += 1;
    }
  }
}

export class Desk {
  readonly events = new EventBus();
  readonly clock: () => number;
  /** Called after each local command commits (sync drains the outbox on it). */
  onCommitted: ((applied: Applied) => void) | null = null;

  constructor(
    readonly db: DB,
    options: DeskOptions = {},
  ) {
    this.clock = options.clock ?? Date.now;
  }

  command<N extends CommandName>(actor: Actor, name: N, input: unknown): CommandResult<N> {
    // The values the operator saw go with the command, so the server can tell a concurrent change (a conflict).
    const applied = applyCommand(this.db, actor, name, withExpected(this.db, name, input), {
      at: this.clock(),
      within: (ctx, done) => {
        // The operator's own records are searchable the moment the command commits.
        indexPendingIncidents(ctx.db, LOCAL_INDEX_BATCH);
        appendOutbox(ctx.db, {
          counter: nextCounter(ctx.db),
          commandId: done.commandId,
          name: done.name,
          input: done.input,
          operatorId: actor.operatorId,
          at: done.at,
        });
      },
    });
    this.publish(applied);
    this.onCommitted?.(applied);
    return applied.result;
  }

  query<N extends QueryName>(actor: Actor, name: N, input: unknown): QueryResult<N> {
    if (!isQueryName(name))
      throw new DeskError('invalid_input', `unknown query ${JSON.stringify(name).slice(0, 80)}`);
    const args = parseInput(name, querySchemas[name], input ?? {});
    const handler = queryHandlers[name] as (
      ctx: { db: DB; actor: Actor; now: number },
      a: unknown,
    ) => QueryResult<N>;
    return handler({ db: this.db, actor, now: this.clock() }, args);
  }

  /** Tells subscribers what a command (local, or applied by sync) changed. */
  publish(applied: Pick<Applied, 'name' | 'result' | 'changes' | 'input'>): void {
    const byKind = new Map<string, { ids: string[]; countyIds: Set<string> }>();
    for (const change of applied.changes) {
      const entry = byKind.get(change.kind) ?? { ids: [], countyIds: new Set<string>() };
      entry.ids.push(change.id);
      change.countyIds.forEach((county) => entry.countyIds.add(county));
      byKind.set(change.kind, entry);
    }
    for (const [kind, entry] of byKind) {
      this.events.emit('entity.changed', {
        kind: kind as 'incident',
        ids: entry.ids,
        countyIds: [...entry.countyIds],
      });
    }
    if (applied.name === 'incident.create')
      this.events.emit('incident.created', { incident: applied.result as Incident });
    if (applied.name === 'checkpoint.logCheck')
      for (const warning of (applied.result as CheckResult).warnings)
        this.events.emit('warning.raised', { warning });
    if (applied.name === 'order.escalate') {
      const order = applied.result as Order;
      const input = applied.input as { targetId: string; overdue: 'sign' | 'finish'; level: number };
      const target = order.targets.find((t) => t.targetId === input.targetId);
      // No change means the escalation was already announced (a repeat after restart): stay quiet.
      if (target && applied.changes.length > 0)
        this.events.emit('order.overdue', { order, target, overdue: input.overdue, level: input.level });
    }
  }

  /**
   * Announces warnings that sync has just brought into this store (raised by a check logged elsewhere, or
   * re-derived by the server), as long as nobody has signed for them yet and they are recent: a workstation
   * catching up after a day offline (or set up fresh) lists older unsigned warnings in its warnings panel
   * without sounding an alarm for each. `ids` newest first: at most ANNOUNCE_AT_ONCE are announced.
   */
  announceWarnings(ids: string[]): void {
    const since = this.clock() - ANNOUNCE_SYNCED_MS;
    announceFirst(
      ids,
      (id) => getWarning(this.db, id),
      (warning) => warning.status === 'new' && warning.raisedAt >= since,
      (warning) => this.events.emit('warning.raised', { warning }),
    );
  }

  /**
   * Announces top-priority (一级) incidents that sync has just brought into this store from another console, as
   * the console that took the call announced them: still open and received in the last half hour (checked again
   * on the stored row: a pending local command may have closed it). `ids` newest first: at most ANNOUNCE_AT_ONCE.
   */
  announceIncidents(ids: string[]): void {
    const now = this.clock();
    announceFirst(
      ids,
      (id) => getIncident(this.db, id),
      (incident) => announceable(incident, now),
      (incident) => this.events.emit('incident.created', { incident }),
    );
  }
}
