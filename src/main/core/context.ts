// What a command handler works with: one transaction, the actor, the command's time and id, and the effect log.
import type { Actor, EntityKind, TimelineEntry } from '../../shared/domain/model';
import { appendAudit, type AuditChain, type AuditInput } from '../db/audit';
import type { DB } from '../db/connection';
import { addTimelineEntry } from '../db/timeline';

export interface Change {
  kind: EntityKind;
  id: string;
  /** The record's county before and after (they differ when it moves). */
  countyIds: string[];
}

/** Append-only children a command added; sync replicates them in their parent's partition. */
export type AppendedKind = 'timeline' | 'feedback' | 'incident_link' | 'ref' | 'conflict';

export interface AppendedChange {
  kind: AppendedKind;
  id: string;
  /**
   * A timeline entry this command added, as addTimelineEntry gave it back: the server logs it without reading its
   * row back (src/server/changes.ts touchWritten).
   */
  written?: TimelineEntry;
}

export interface CommandMeta {
  commandId: string;
  name: string;
  at: number;
  /** False when sync replays a pending command on a rebase: its audit entries were written when it first ran. */
  audit?: boolean;
}

/** What the commands of a batch applied in one transaction (a server push) share. */
export interface CommandBatch {
  /**
   * The audit chain with its tail kept in memory; each entry reads the tail from the table otherwise. Whoever rolls
   * back a command of the batch must forget() its tail.
   */
  auditChain: AuditChain;
  /** Counties seen to exist earlier in the batch: no command changes jurisdictions, so they still do. */
  knownCounties: Set<string>;
}

export class CommandContext {
  readonly changes: Change[] = [];
  /** Timeline entries, feedback, links, refs and conflicts this command added (for sync). */
  readonly appended: AppendedChange[] = [];
  private idSequence = 0;

  constructor(
    readonly db: DB,
    readonly actor: Actor,
    readonly meta: CommandMeta,
    readonly batch?: CommandBatch,
  ) {}

  get at(): number {
    return this.meta.at;
  }

  /** Sync is replaying a pending command on a rebase (the command ran here before). */
  get replaying(): boolean {
    return this.meta.audit === false;
  }

  /**
   * The command comes through sync (a server push, or a rebase replaying it here): it was accepted on a
   * workstation's copy of the records, so a record found moved on since was moved by someone else meanwhile.
   */
  get fromSync(): boolean {
    return this.replaying || this.batch !== undefined;
  }

  /**
   * The server applies the command (a push batch): its store holds the audit of every command, so it can tell who
   * made a change. A workstation holds its own commands' audit only.
   */
  get authoritative(): boolean {
    return this.batch !== undefined;
  }

  /** A deterministic id for a record this command creates, so replaying the command yields the same ids. */
  derivedId(tag: string): string {
    this.idSequence += 1;
    return `${this.meta.commandId}.${tag}${this.idSequence}`;
  }

  /** Records an effect: audit entry (hash-chained) and the change that events and sync will carry. */
  record(kind: EntityKind, id: string, countyId: string, before: unknown, after: unknown): void {
    if (this.meta.audit !== false) {
      const entry: AuditInput = {
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
      };
      if (this.batch) this.batch.auditChain.append(entry);
      else appendAudit(this.db, entry);
    }
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

  /** Reports an append-only child record so sync can replicate it. */
  appendedChild(kind: AppendedKind, id: string): void {
    this.appended.push({ kind, id });
  }

  /** Adds a timeline entry to the incident; returns the entry's id. */
  timeline(incidentId: string, kind: string, text: string, data: Record<string, unknown> = {}): string {
    const id = this.derivedId('t');
    const entry: TimelineEntry = {
      id,
      incidentId,
      at: this.meta.at,
      kind,
      text,
      by: this.actor.operatorId,
      data,
    };
    const written = addTimelineEntry(this.db, entry);
    this.appended.push(written ? { kind: 'timeline', id, written } : { kind: 'timeline', id });
    return id;
  }
}
