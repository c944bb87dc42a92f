// What a command handler works with: one transaction, the actor, the command's time and id, and the effect log.
import type { Actor, EntityKind } from '../../shared/domain/model';
import { appendAudit } from '../db/audit';
import type { DB } from '../db/connection';
import { addTimelineEntry } from '../db/timeline';

export interface Change {
  kind: EntityKind;
  id: string;
  /** The record's county before and after (they differ when it moves). */
  countyIds: string[];
}

export interface CommandMeta {
  commandId: string;
  name: string;
  at: number;
}

export class CommandContext {
  readonly changes: Change[] = [];
  private idSequence = 0;

  constructor(
    readonly db: DB,
    readonly actor: Actor,
    readonly meta: CommandMeta,
  ) {}

  get at(): number {
    return this.meta.at;
  }

  /** A deterministic id for a record this command creates, so replaying the command yields the same ids. */
  derivedId(tag: string): string {
    this.idSequence += 1;
    return `${this.meta.commandId}.${tag}${this.idSequence}`;
  }

  /** Records an effect: audit entry (hash-chained) and the change that events and sync will carry. */
  record(kind: EntityKind, id: string, countyId: string, before: unknown, after: unknown): void {
    appendAudit(this.db, {
      at: this.meta.at,
      operatorId: this.actor.operatorId,
      workstationId: this.actor.workstationId,
      commandId: this.meta.commandId,
      command: this.meta.name,
      entityKind: kind,
      entityId: id,
      countyId,
      before,
      after,
    });
    const beforeCounty = (before as { countyId?: string } | null)?.countyId;
    const countyIds = beforeCounty && beforeCounty !== countyId ? [beforeCounty, countyId] : [countyId];
    const existing = this.changes.find((change) => change.kind === kind && change.id === id);
    if (existing) {
      for (const county of countyIds)
        if (!existing.countyIds.includes(county)) existing.countyIds.push(county);
    } else {
      this.changes.push({ kind, id, countyIds });
    }
  }

  timeline(incidentId: string, kind: string, text: string, data: Record<string, unknown> = {}): void {
    addTimelineEntry(this.db, {
      id: this.derivedId('t'),
      incidentId,
      at: this.meta.at,
      kind,
      text,
      by: this.actor.operatorId,
      data,
    });
  }
}
