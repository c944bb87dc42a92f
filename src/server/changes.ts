// The server's change log (changes table) and partition heads (partitions table): the newest state of every
// replicated record per partition, a sequence number per partition, and a running XOR checksum per partition.
import { prepared, type DB } from '../main/db/connection';
import { getIncidents } from '../main/db/incidents';
import { getTimelineEntries } from '../main/db/timeline';
import { childrenOf, EMPTY_CHECKSUM, loggedRecord, partitionOf, snapshotRecord } from '../main/sync/checksum';
import type { Incident, TimelineEntry } from '../shared/domain/model';
import type { ChangeKind } from '../shared/sync';

interface LoggedRow {
  partition: string;
  seq: number;
  op: 'put' | 'delete';
  hash: string;
}

interface PartitionHead {
  head: number;
  /** The running checksum as bytes, XORed in place. */
  checksum: Buffer;
  changed: boolean;
}

/**
 * What flush() reads ahead for the records a batch touched, a few statements in all instead of two or three per
 * record: the records of the kinds a push writes most (incidents and their timeline entries) and every touched
 * record's logged changes. Each read-ahead is used once, by the first logRecord of its record; anything logged
 * again in the same flush (a child that moves with its parent) is read from the tables as before. Flushing writes
 * only the change log, so records read ahead are still current when they are logged.
 */
interface ReadAhead {
  records: Map<string, unknown>;
  logged: Map<string, LoggedRow[]>;
  /** Counties of the incidents read ahead: the partition of their timeline entries and links. */
  incidentCounties: Map<string, string>;
}

/** A record marked for logging, with its state when the marking command wrote all of it (see touchWritten). */
interface Touched {
  kind: ChangeKind;
  id: string;
  written: unknown;
}

/** Any UTF-16 surrogate: a lone one is stored as U+FFFD, so only the stored row tells what was kept. */
const SURROGATE = /[\uD800-\uDFFF]/;

/** Whether every string of the record's columns reads back from its row as it is (no surrogates, paired or not). */
function storedAsIs(record: Incident | TimelineEntry): boolean {
  for (const value of Object.values(record))
    if (typeof value === 'string' && SURROGATE.test(value)) return false;
  return true;
}

function recordKey(kind: ChangeKind, id: string): string {
  return `${kind}\u0000${id}`;
}

/** Kinds whose children move with them when they change county. */
const PARENT_KINDS: ReadonlySet<ChangeKind> = new Set(['incident', 'case', 'order']);

function xorInto(sum: Buffer, hashHex: string): void {
  const hash = Buffer.from(hashHex, 'hex');
  for (let i = 0; i < 32; i += 1) sum[i] = (sum[i] ?? 0) ^ (hash[i] ?? 0);
}

/**
 * Writes the change log for one transaction (a push batch, the region's seed). Records are touched while commands
 * apply and logged at flush(), once each however many commands changed them: what replicates is a record's state
 * at the end of the batch, in the order records were last touched (as if each command had logged them, minus the
 * intermediate versions nobody could pull). Each partition's head and checksum are read once and written once.
 *
 * Touching a record that did not change after all (its command was rolled back) is harmless: its snapshot hashes
 * as logged and nothing is written. A writer lives for one transaction only; its heads are only true inside it.
 */
export class ChangeLogWriter {
  private readonly touched = new Map<string, Touched>();
  private readonly heads = new Map<string, PartitionHead>();
  private ahead: ReadAhead | undefined;

  constructor(private readonly db: DB) {}

  /** Marks a record to be logged at flush(). */
  touch(kind: ChangeKind, id: string): void {
    this.mark(kind, id, undefined);
  }

  /**
   * Marks a record a command just inserted, given as it was written, row for row: an incident incident.create
   * inserted, a timeline entry as addTimelineEntry gave it back. flush() logs it without reading it back unless a
   * later touch in the batch marks it again (a later change reads the row). A record with a surrogate in a string
   * column is read back all the same: SQLite keeps a lone one as U+FFFD.
   */
  touchWritten(kind: 'incident', record: Incident): void;
  touchWritten(kind: 'timeline', record: TimelineEntry): void;
  touchWritten(kind: 'incident' | 'timeline', record: Incident | TimelineEntry): void {
    this.mark(kind, record.id, storedAsIs(record) ? record : undefined);
  }

  private mark(kind: ChangeKind, id: string, written: unknown): void {
    const key = recordKey(kind, id);
    // Re-inserted so the order is that of the last touch.
    this.touched.delete(key);
    this.touched.set(key, { kind, id, written });
  }

  /** Logs the touched records and stores the partitions' heads and checksums; returns the new heads. */
  flush(): Map<string, number> {
    const records = [...this.touched.values()];
    this.touched.clear();
    this.ahead = this.readAhead(records);
    try {
      for (const { kind, id } of records) this.logRecord(kind, id);
    } finally {
      this.ahead = undefined;
    }
    const moved = new Map<string, number>();
    const store = prepared(
      this.db,
      `INSERT INTO partitions (id, head, checksum) VALUES (?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET head = excluded.head, checksum = excluded.checksum`,
    );
    for (const [partition, state] of this.heads) {
      if (!state.changed) continue;
      store.run(partition, state.head, state.checksum.toString('hex'));
      state.changed = false;
      moved.set(partition, state.head);
    }
    return moved;
  }

  /**
   * Logs the record's current state: a put in its partition, a delete in every other partition that still holds
   * it (it moved). When a record moves, its children move with it.
   */
  private logRecord(kind: ChangeKind, id: string): void {
    const key = recordKey(kind, id);
    const ahead = this.ahead;
    let record = ahead?.records.get(key);
    if (record === undefined) record = snapshotRecord(this.db, kind, id);
    else ahead?.records.delete(key);
    const partition = record === undefined ? undefined : this.partitionOf(kind, record);
    let logged = ahead?.logged.get(key);
    if (logged === undefined)
      logged = prepared(
        this.db,
        'SELECT partition, seq, op, hash FROM changes WHERE kind = ? AND id = ?',
      ).all(kind, id) as LoggedRow[];
    else ahead?.logged.delete(key);
    let moved = false;
    let here: LoggedRow | undefined;
    for (const row of logged) {
      if (row.partition === partition) here = row;
      else if (row.op === 'put') {
        this.write(row.partition, kind, id, null, row);
        moved = true;
      }
    }
    if (partition !== undefined) this.write(partition, kind, id, record, here);
    if (moved && PARENT_KINDS.has(kind)) {
      for (const child of childrenOf(this.db, kind, id)) this.logRecord(child.kind, child.id);
    }
  }

  /** partitionOf, with a timeline entry's or link's county taken from its incident when that was read ahead. */
  private partitionOf(kind: ChangeKind, record: unknown): string | undefined {
    if (this.ahead && (kind === 'timeline' || kind === 'incident_link')) {
      const county = this.ahead.incidentCounties.get((record as { incidentId: string }).incidentId);
      if (county !== undefined) return county;
    }
    return partitionOf(this.db, kind, record);
  }

  private readAhead(records: Touched[]): ReadAhead {
    const ahead: ReadAhead = { records: new Map(), logged: new Map(), incidentCounties: new Map() };
    const idsByKind = new Map<ChangeKind, string[]>();
    /** Incidents and timeline entries to read from the table: those not written by the last command to touch them. */
    const unwritten: string[] = [];
    const unwrittenEntries: string[] = [];
    const incidentRead = (incident: Incident): void => {
      ahead.records.set(recordKey('incident', incident.id), incident);
      ahead.incidentCounties.set(incident.id, incident.countyId);
    };
    for (const { kind, id, written } of records) {
      let ids = idsByKind.get(kind);
      if (!ids) idsByKind.set(kind, (ids = []));
      ids.push(id);
      if (kind === 'incident') {
        if (written === undefined) unwritten.push(id);
        else incidentRead(written as Incident);
      } else if (kind === 'timeline') {
        if (written === undefined) unwrittenEntries.push(id);
        else ahead.records.set(recordKey('timeline', id), written);
      }
    }
    if (unwritten.length > 0) for (const incident of getIncidents(this.db, unwritten)) incidentRead(incident);
    if (unwrittenEntries.length > 0) {
      for (const entry of getTimelineEntries(this.db, unwrittenEntries))
        ahead.records.set(recordKey('timeline', entry.id), entry);
    }
    // Rows as arrays: better-sqlite3 builds row objects one named property at a time.
    const selectLogged = prepared(
      this.db,
      'SELECT id, partition, seq, op, hash FROM changes WHERE kind = ? AND id IN (SELECT value FROM json_each(?))',
    ).raw(true);
    for (const [kind, ids] of idsByKind) {
      for (const id of ids) ahead.logged.set(recordKey(kind, id), []);
      const rows = selectLogged.all(kind, JSON.stringify(ids)) as [
        string,
        string,
        number,
        LoggedRow['op'],
        string,
      ][];
      for (const [id, partition, seq, op, hash] of rows)
        ahead.logged.get(recordKey(kind, id))?.push({ partition, seq, op, hash });
    }
    return ahead;
  }

  /** A put of `record` (a delete when null) replacing the partition's previous change of the record. */
  private write(
    partition: string,
    kind: ChangeKind,
    id: string,
    record: unknown,
    old: LoggedRow | undefined,
  ): void {
    const op = record === null ? 'delete' : 'put';
    // Logged as canonical JSON: a workstation checks a pulled record's hash with one JSON.stringify of what it
    // parsed instead of canonicalising it again (checksum.ts matchesHash).
    const { text, hash } = op === 'put' ? loggedRecord(kind, id, record) : { text: 'null', hash: '' };
    if (op === 'put' && old?.op === 'put' && old.hash === hash) return;
    if (op === 'delete' && (!old || old.op === 'delete')) return;
    const state = this.head(partition);
    if (old?.op === 'put') xorInto(state.checksum, old.hash);
    if (op === 'put') xorInto(state.checksum, hash);
    state.head += 1;
    state.changed = true;
    if (old) prepared(this.db, 'DELETE FROM changes WHERE partition = ? AND seq = ?').run(partition, old.seq);
    prepared(
      this.db,
      'INSERT INTO changes (partition, seq, kind, id, op, record, hash) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(partition, state.head, kind, id, op, text, hash);
  }

  private head(partition: string): PartitionHead {
    let state = this.heads.get(partition);
    if (!state) {
      const row = prepared(this.db, 'SELECT head, checksum FROM partitions WHERE id = ?').get(partition) as
        { head: number; checksum: string } | undefined;
      state = {
        head: row?.head ?? 0,
        checksum: Buffer.from(row?.checksum ?? EMPTY_CHECKSUM, 'hex'),
        changed: false,
      };
      this.heads.set(partition, state);
    }
    return state;
  }
}
