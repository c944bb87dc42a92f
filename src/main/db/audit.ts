// audit table: one entry per effect of a command, chained by SHA-256 so a changed or removed entry shows.
import { hash as oneShotHash } from 'node:crypto';
import type { AuditVerifyResult } from '../../shared/contract';
import type { AuditEntry } from '../../shared/domain/model';
import { prepared, type DB } from './connection';

interface AuditRow {
  seq: number;
  at: number;
  operator_id: string;
  workstation_id: string;
  command_id: string;
  command: string;
  entity_kind: string;
  entity_id: string;
  county_id: string;
  before: string;
  after: string;
  prev_hash: string;
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

function hashOf(row: Omit<AuditRow, 'hash'>): string {
  const canonical = JSON.stringify([
    row.seq,
    row.at,
    row.operator_id,
    row.workstation_id,
    row.command_id,
    row.command,
    row.entity_kind,
    row.entity_id,
    row.county_id,
    row.before,
    row.after,
    row.prev_hash,
  ]);
  // One-shot sha256: the same digest as createHash().update().digest() without building a Hash object per entry.
  return oneShotHash('sha256', canonical, 'hex');
}

export interface AuditInput {
  at: number;
  operatorId: string;
  workstationId: string;
  commandId: string;
  command: string;
  entityKind: string;
  entityId: string;
  countyId: string;
  before: unknown;
  after: unknown;
}

/** The chain's last entry: what the next entry's seq and prev_hash follow. */
interface AuditTail {
  seq: number;
  hash: string;
}

function readTail(db: DB): AuditTail {
  const last = prepared(db, 'SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1').get() as
    AuditTail | undefined;
  return last ?? { seq: 0, hash: GENESIS_HASH };
}

function writeEntry(db: DB, input: AuditInput, tail: AuditTail): AuditTail {
  const row: Omit<AuditRow, 'hash'> = {
    seq: tail.seq + 1,
    at: input.at,
    operator_id: input.operatorId,
    workstation_id: input.workstationId,
    command_id: input.commandId,
    command: input.command,
    entity_kind: input.entityKind,
    entity_id: input.entityId,
    county_id: input.countyId,
    before: JSON.stringify(input.before ?? null),
    after: JSON.stringify(input.after ?? null),
    prev_hash: tail.hash,
  };
  const hash = hashOf(row);
  // Positional parameters: binding thirteen named ones looks each up on an object, and a server push writes
  // hundreds of entries per batch.
  prepared(
    db,
    `INSERT INTO audit (seq, at, operator_id, workstation_id, command_id, command, entity_kind, entity_id, county_id,
       before, after, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    row.seq,
    row.at,
    row.operator_id,
    row.workstation_id,
    row.command_id,
    row.command,
    row.entity_kind,
    row.entity_id,
    row.county_id,
    row.before,
    row.after,
    row.prev_hash,
    hash,
  );
  return { seq: row.seq, hash };
}

export function appendAudit(db: DB, input: AuditInput): void {
  writeEntry(db, input, readTail(db));
}

/**
 * Appends many entries in one transaction (a server push batch) with the chain's tail kept in memory instead of
 * read back before every entry. Every entry is still hashed and linked one by one, exactly as appendAudit does.
 * The kept tail is only true while what was appended stays: whoever rolls back a savepoint holding appended
 * entries must call forget(), and a chain must not outlive its transaction.
 */
export class AuditChain {
  private tail: AuditTail | undefined;

  constructor(private readonly db: DB) {}

  append(input: AuditInput): void {
    this.tail = writeEntry(this.db, input, this.tail ?? readTail(this.db));
  }

  /** Drops the kept tail (after a rollback): the next append reads it from the table again. */
  forget(): void {
    this.tail = undefined;
  }
}

/**
 * The operator whose command last changed `field` of a record: the newest audit entry of the record whose before
 * and after differ in it (a record's first entry, its creation, sets every field). Undefined when no entry here
 * did, as on a workstation that never saw the change.
 */
export function lastChangedBy(
  db: DB,
  entityKind: string,
  entityId: string,
  field: string,
): string | undefined {
  const rows = prepared(
    db,
    'SELECT entity_kind, operator_id, before, after FROM audit WHERE entity_id = ? ORDER BY seq DESC',
  ).iterate(entityId) as IterableIterator<Pick<AuditRow, 'entity_kind' | 'operator_id' | 'before' | 'after'>>;
  for (const row of rows) {
    if (row.entity_kind !== entityKind) continue;
    const before = JSON.parse(row.before) as Record<string, unknown> | null;
    const after = JSON.parse(row.after) as Record<string, unknown> | null;
    if (before?.[field] !== after?.[field]) return row.operator_id;
  }
  return undefined;
}

function rowToEntry(row: AuditRow): AuditEntry {
  return {
    seq: row.seq,
    at: row.at,
    operatorId: row.operator_id,
    workstationId: row.workstation_id,
    commandId: row.command_id,
    command: row.command,
    entityKind: row.entity_kind,
    entityId: row.entity_id,
    countyId: row.county_id,
    before: JSON.parse(row.before) as unknown,
    after: JSON.parse(row.after) as unknown,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

export function listAudit(
  db: DB,
  filter: { entityId?: string | undefined; countyIds?: string[] | undefined; limit: number; offset: number },
): AuditEntry[] {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.entityId) {
    where.push('entity_id = ?');
    params.push(filter.entityId);
  }
  if (filter.countyIds) {
    where.push(`county_id IN (${filter.countyIds.map(() => '?').join(', ') || "''"})`);
    params.push(...filter.countyIds);
  }
  const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const rows = db
    .prepare(`SELECT * FROM audit ${clause} ORDER BY seq DESC LIMIT ? OFFSET ?`)
    .all(...params, filter.limit, filter.offset) as AuditRow[];
  return rows.map(rowToEntry);
}

/** Walks the chain from the start and reports the first entry that does not hold. */
export function verifyAudit(db: DB): AuditVerifyResult {
  let expectedPrev = GENESIS_HASH;
  let expectedSeq = 1;
  let checked = 0;
  for (const row of db.prepare('SELECT * FROM audit ORDER BY seq').iterate() as IterableIterator<AuditRow>) {
    if (row.seq !== expectedSeq) {
      return {
        ok: false,
        checked,
        firstBroken: { seq: expectedSeq, reason: `entry ${expectedSeq} is missing` },
      };
    }
    if (row.prev_hash !== expectedPrev) {
      return {
        ok: false,
        checked,
        firstBroken: { seq: row.seq, reason: `entry ${row.seq} does not follow entry ${row.seq - 1}` },
      };
    }
    const { hash, ...rest } = row;
    if (hashOf(rest) !== hash) {
      return {
        ok: false,
        checked,
        firstBroken: { seq: row.seq, reason: `entry ${row.seq} was changed after it was written` },
      };
    }
    expectedPrev = hash;
    expectedSeq += 1;
    checked += 1;
  }
  return { ok: true, checked, firstBroken: null };
}
