// The sync hub: the server's transport-free core. Enrolment, sign-in, exactly-once push through the same
// command path as the workstations, change logs per partition with running checksums, and pull.
import type { Statement } from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  isReservedOperatorId,
  SUPERVISION_COMMAND,
  SUPERVISION_OPERATOR_ID,
  supervisionActorIn,
} from '../main/core/access';
import { applyCommand, type Applied } from '../main/core/apply';
import type { CommandBatch } from '../main/core/context';
import type { CommandName } from '../shared/contract';
import { loadRegionFile, seedRegion, type RegionFile } from '../main/core/region/seed';
import { openDatabase, type DB } from '../main/db/connection';
import { migrate } from '../main/db/migrations/index';
import { parseIncidentNumber } from '../main/db/incidents';
import { getOrg, putOperator } from '../main/db/region';
import { AuditChain } from '../main/db/audit';
import { EMPTY_CHECKSUM } from '../main/sync/checksum';
import { CITY_ID, Id, LIMITS, Role, type Actor, type Incident } from '../shared/domain/model';
import { DeskError, toErrorInfo, type ErrorInfo } from '../shared/errors';
import {
  EARLIEST_COMMAND_AT,
  EnrollRequest,
  LoginRequest,
  MAX_CLOCK_SKEW_MS,
  PROTOCOL_VERSION,
  PullRequest,
  PushRequest,
  SCHEMA_VERSION,
  type EnrollResponse,
  type LoginResponse,
  type NumbersUsed,
  type PullResponse,
  type PushResponse,
  type PushResult,
  type PushedCommand,
} from '../shared/sync';
import { parseInput } from '../shared/validate';
import {
  digest,
  hashPassword,
  loadSessionKey,
  randomToken,
  sameDigest,
  signToken,
  verifyPassword,
  verifyToken,
  type Session,
} from './auth';
import { ChangeLogWriter } from './changes';
import { BackgroundCheckpointer, WRITER_CHECKPOINT_PAGES } from '../main/db/checkpointer';
import { SERVER_MIGRATIONS, SERVER_MIGRATIONS_TABLE } from './migrations';

export const DEFAULT_TOKEN_TTL_MS = 12 * 60 * 60_000;
export const DEFAULT_ENROLL_TTL_MS = 7 * 24 * 60 * 60_000;
/** How far back sign-in looks for the incident numbers a workstation gave (a week offline, and a day). */
export const NUMBERS_USED_DAYS = 8;
/** How much of the store file SQLite maps into memory for reading (address space; pages are the OS's cache). */
export const MMAP_BYTES = 1024 * 1024 * 1024;

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type Logger = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => void;
export const silentLogger: Logger = () => undefined;

export interface HubOptions {
  now?: () => number;
  tokenTtlMs?: number;
  log?: Logger;
  /** Region to seed when the store is new (default: resources/region/ankang.json). */
  region?: RegionFile;
}

export interface AccountInput {
  id: string;
  name: string;
  role: Role;
  jurisdictionId: string;
  orgId?: string | null;
  password: string;
}

interface AccountRow {
  id: string;
  name: string;
  role: string;
  jurisdiction_id: string;
  org_id: string | null;
  salt: string;
  hash: string;
  active: number;
}

interface ReceivedRow {
  workstation_id: string;
  counter: number;
  command_id: string;
  status: 'applied' | 'rejected';
  error: string | null;
}

/** What the commands of one push batch share inside its transaction. */
interface PushBatch {
  workstationId: string;
  changes: ChangeLogWriter;
  /** The audit chain's tail and the counties known to exist, shared by the batch's commands. */
  commands: CommandBatch;
  actors: Map<string, Actor>;
  /**
   * The received_commands rows the batch's counters and command ids already have, read in two statements for the
   * whole batch; each row the batch writes is added, so a counter or id repeated inside the batch is seen too.
   */
  byCounter: Map<number, ReceivedRow>;
  byCommandId: Map<string, ReceivedRow>;
}

/** Called after a commit with the partitions that moved and their new heads. */
export type PokeListener = (heads: Map<string, number>) => void;

/** Checks protocol and schema before anything else, so an old or new client gets a clear answer. */
export function checkVersions(body: unknown): void {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new DeskError('invalid_input', 'request body must be a JSON object');
  const { protocol, schema } = body as { protocol?: unknown; schema?: unknown };
  if (typeof protocol !== 'number' || typeof schema !== 'number')
    throw new DeskError('invalid_input', 'request body must carry numeric protocol and schema versions');
  if (protocol !== PROTOCOL_VERSION || schema !== SCHEMA_VERSION) {
    throw new DeskError(
      'version_mismatch',
      `this server speaks protocol ${PROTOCOL_VERSION} schema ${SCHEMA_VERSION}, the request has protocol ${protocol} ` +
        `schema ${schema}: update ${protocol < PROTOCOL_VERSION || schema < SCHEMA_VERSION ? 'the workstation' : 'the server'}`,
      { server: { protocol: PROTOCOL_VERSION, schema: SCHEMA_VERSION } },
    );
  }
}

/** Strings (as UTF-8) and byte runs written one after another into one buffer. */
function joinBytes(pieces: (string | Buffer)[]): Buffer {
  let length = 0;
  for (const piece of pieces) length += typeof piece === 'string' ? Buffer.byteLength(piece) : piece.length;
  const out = Buffer.allocUnsafe(length);
  let offset = 0;
  for (const piece of pieces)
    offset += typeof piece === 'string' ? out.write(piece, offset) : piece.copy(out, offset);
  return out;
}

/** One pulled change as JSON, in the protocol's key order (`@quoted` is the partition as a JSON string). */
const CHANGE_JSON = `'{"seq":' || seq || ',"partition":' || @quoted || ',"kind":' || json_quote(kind) ||
  ',"id":' || json_quote(id) || ',"op":' || json_quote(op) || ',"hash":' || json_quote(hash) || ',"record":' || record ||
  '}'`;
/** A partition's changes after a cursor, in seq order (the primary key's index), at most `@limit`. */
const PAGE_ROWS =
  'SELECT seq, kind, id, op, hash, record FROM changes WHERE partition = @partition AND seq > @cursor ORDER BY seq LIMIT @limit';
/** A page's changes joined in one pass with their seqs; NULLs when there is none. */
export const PAGE_SQL = `SELECT CAST(group_concat(${CHANGE_JSON}, ',') AS BLOB), group_concat(seq, ',') FROM (${PAGE_ROWS})`;
/** The same, sorted by SQLite (a temporary b-tree over the page): only if the other came out of order. */
export const PAGE_SQL_SORTED =
  `SELECT CAST(group_concat(${CHANGE_JSON}, ',' ORDER BY seq) AS BLOB), group_concat(seq, ',' ORDER BY seq) ` +
  `FROM (${PAGE_ROWS})`;

/** Whether a comma-separated list of integers rises strictly. */
export function risesStrictly(list: string): boolean {
  let previous = -Infinity;
  for (const item of list.split(',')) {
    const value = Number(item);
    if (!(value > previous)) return false;
    previous = value;
  }
  return true;
}

/**
 * A workstation's incident number prefix, from its place in enrolment order (`workstations.number_seq`, never
 * reused; enrolling again keeps it): 1 → A, 26 → Z, 27 → AA. Unique per server and short enough to read out.
 */
export function numberPrefixOf(row: number): string {
  let prefix = '';
  for (let n = row; n > 0; n = Math.floor((n - 1) / 26))
    prefix = String.fromCharCode(65 + ((n - 1) % 26)) + prefix;
  return prefix;
}

/**
 * Whether a pushed command's time comes from a wrong clock, and which way: the server then takes its receive time
 * instead (`at_clamped`), and whatever the handlers derive from the command's time follows (deadlines, timeline,
 * audit; an incident's receivedAt through consoleTime). Null when the time is taken as sent.
 *
 * Ahead: more than MAX_CLOCK_SKEW_MS past the receive time. Behind: before EARLIEST_COMMAND_AT, a fixed date before
 * any console existed — not the workstation's enrolment (minus the skew), although a console's commands usually
 * follow it, because genuine commands can precede it and reach the server later with their true times:
 * - every command goes to the outbox, synced or not (Desk.command): a console used standalone, or before anyone
 *   enrolled it, pushes that work at its first online sign-in under the id it is then enrolled as;
 * - an enrolment token only enrols a new id: a console reinstalled from its store after a hardware swap is enrolled
 *   again under a new id and pushes the offline work it held from before;
 * - a city server rebuilt while the counties work offline has a new store and new accounts, younger than the work
 *   the counties then push; so the store's and the operator's account's creation times do not hold either.
 * Those times are true and must stay (a call's age, a deadline already past). A console offline for a week sends
 * week-old times too, so no "at most N days old" rule can tell a reset clock from it; a reset clock reads 1970 or
 * its firmware's default date, long before the floor. A clock set wrong by hand to a date after the floor is taken
 * at its word: the server cannot tell it from a console that was offline.
 */
function wrongClock(at: number, receivedAt: number): 'future' | 'past' | null {
  if (at > receivedAt + MAX_CLOCK_SKEW_MS) return 'future';
  if (at < EARLIEST_COMMAND_AT) return 'past';
  return null;
}

function covers(jurisdictionId: string, countyId: string): boolean {
  return jurisdictionId === CITY_ID || jurisdictionId === countyId;
}

export class SyncHub {
  readonly now: () => number;
  readonly tokenTtlMs: number;
  readonly log: Logger;
  private readonly pokeListeners = new Set<PokeListener>();
  private readonly crashAfterApply = process.env.DESK_TEST_CRASH_AFTER_APPLY === '1';
  private readonly statements = new Map<string, Statement<unknown[]>>();
  private checkpointer: BackgroundCheckpointer | undefined;

  /** Prepared statements are compiled once: preparing on every call costs more than running them. */
  private sql(text: string): Statement<unknown[]> {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  constructor(
    readonly db: DB,
    private readonly key: Buffer,
    options: HubOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.tokenTtlMs = options.tokenTtlMs ?? DEFAULT_TOKEN_TTL_MS;
    this.log = options.log ?? silentLogger;
    // A push batch opens a savepoint per command. What a savepoint must be able to undo goes to a sub-journal that
    // spills to a temporary file past 64 KiB unless temporary storage is memory: those file writes took nearly half
    // of a push's CPU time. The sub-journal only serves rollbacks inside a transaction, never crash recovery.
    db.pragma('temp_store = MEMORY');
    // Pull answers read the change log's pages by the thousand: through a memory map SQLite reads them in place
    // instead of one read() and copy per 4 KiB page, which took a third of a fresh server's time per pull answer
    // (a 50,000-change pull's statements: 221-301 ms with the map, 350-571 ms without, in interleaved cold runs).
    // Only reads go through it; writes and fsyncs are unchanged.
    db.pragma(`mmap_size = ${MMAP_BYTES}`);
    migrate(db, SERVER_MIGRATIONS, SERVER_MIGRATIONS_TABLE);
    const seeded = db.prepare('SELECT 1 FROM jurisdictions LIMIT 1').get();
    if (!seeded) this.seedRegion(options.region ?? loadRegionFile());
  }

  /** Opens (creating if needed) `<dataDir>/server.sqlite` and the session key beside it. */
  static open(dataDir: string, options: HubOptions = {}): SyncHub {
    mkdirSync(dataDir, { recursive: true });
    const key = loadSessionKey(join(dataDir, 'session.key'));
    const file = join(dataDir, 'server.sqlite');
    const db = openDatabase(file);
    let hub: SyncHub;
    try {
      hub = new SyncHub(db, key, options);
    } catch (error) {
      db.close();
      throw error;
    }
    hub.checkpointInBackground(file);
    return hub;
  }

  /**
   * WAL checkpoints move to a worker thread with its own connection (the writer keeps a backstop far above one
   * batch): each push batch's commit no longer copies the previous batches' pages into the database file.
   */
  private checkpointInBackground(file: string): void {
    this.checkpointer = new BackgroundCheckpointer(file, (message) =>
      this.log('warn', 'background checkpoint failed', { error: message }),
    );
    this.db.pragma(`wal_autocheckpoint = ${WRITER_CHECKPOINT_PAGES}`);
  }

  /** Resolves once the background checkpoint asked for after the last commit has run (tests). */
  checkpointed(): Promise<void> {
    return this.checkpointer?.whenIdle() ?? Promise.resolve();
  }

  close(): void {
    this.checkpointer?.close();
    this.checkpointer = undefined;
    if (this.db.open) this.db.close();
  }

  onPoke(listener: PokeListener): () => void {
    this.pokeListeners.add(listener);
    return () => this.pokeListeners.delete(listener);
  }

  // ---------- region and identities ----------

  /**
   * Seeds the static region and puts every seeded unit and checkpoint in its partition's change log, so a fresh
   * workstation that pulls from 0 holds exactly the server's copies (its own seed differs in updatedAt).
   */
  private seedRegion(region: RegionFile): void {
    // One transaction (the inner seed becomes a savepoint): a crash leaves either nothing or everything.
    this.db.transaction(() => {
      seedRegion(this.db, region, this.now());
      const log = new ChangeLogWriter(this.db);
      for (const { id } of this.sql('SELECT id FROM units ORDER BY id').all() as { id: string }[])
        log.touch('unit', id);
      for (const { id } of this.sql('SELECT id FROM checkpoints ORDER BY id').all() as { id: string }[])
        log.touch('checkpoint', id);
      log.flush();
    })();
  }

  addAccount(input: AccountInput): void {
    if (isReservedOperatorId(input.id))
      throw new DeskError(
        'invalid_input',
        `operator id ${input.id} is reserved: ids starting with "system:" name the workstations' own timers`,
        { id: input.id },
      );
    // Sign-in and every pushed command carry the operator id as an Id: any other could never be used.
    if (!Id.safeParse(input.id).success)
      throw new DeskError(
        'invalid_input',
        `operator id ${JSON.stringify(input.id.slice(0, 80))} must be 1 to ${LIMITS.idLength} letters, digits and _ . : -`,
        { id: input.id.slice(0, 80) },
      );
    const role = Role.parse(input.role);
    const jurisdiction = this.sql('SELECT level FROM jurisdictions WHERE id = ?').get(input.jurisdictionId);
    if (!jurisdiction)
      throw new DeskError('not_found', `jurisdiction ${input.jurisdictionId} does not exist`, {
        id: input.jurisdictionId,
      });
    if (input.password.length < 8)
      throw new DeskError('invalid_input', 'a password has at least 8 characters');
    const { salt, hash } = hashPassword(input.password);
    const orgId = input.orgId ?? null;
    if (orgId !== null) {
      // The console's order inbox is the operator's organisation's: one that is not there, or not theirs, fails it.
      const org = getOrg(this.db, orgId);
      if (!org) throw new DeskError('not_found', `organisation ${orgId} does not exist`, { id: orgId });
      if (!covers(input.jurisdictionId, org.countyId))
        throw new DeskError(
          'invalid_input',
          `organisation ${orgId} belongs to ${org.countyId}, outside the account's jurisdiction ${input.jurisdictionId}`,
          { id: orgId },
        );
    }
    this.db.transaction(() => {
      this.sql(
        `INSERT INTO accounts (id, name, role, jurisdiction_id, org_id, salt, hash, active, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)
           ON CONFLICT (id) DO UPDATE SET name = excluded.name, role = excluded.role,
             jurisdiction_id = excluded.jurisdiction_id, org_id = excluded.org_id, salt = excluded.salt,
             hash = excluded.hash, active = 1`,
      ).run(input.id, input.name, role, input.jurisdictionId, orgId, salt, hash, this.now());
      putOperator(this.db, {
        id: input.id,
        name: input.name,
        role,
        jurisdictionId: input.jurisdictionId,
        orgId,
      });
    })();
  }

  setAccountActive(id: string, active: boolean): void {
    const info = this.sql('UPDATE accounts SET active = ? WHERE id = ?').run(active ? 1 : 0, id);
    if (info.changes === 0) throw new DeskError('not_found', `operator ${id} does not exist`, { id });
  }

  /** A one-time token that binds the workstation that presents it to `jurisdictionId`. */
  createEnrollToken(
    jurisdictionId: string,
    ttlMs = DEFAULT_ENROLL_TTL_MS,
  ): { token: string; expiresAt: number } {
    if (!Number.isFinite(ttlMs) || ttlMs <= 0)
      throw new DeskError(
        'invalid_input',
        `an enrolment token's lifetime must be a positive number (got ${ttlMs} ms; --ttl-hours takes hours)`,
      );
    if (!this.sql('SELECT 1 FROM jurisdictions WHERE id = ?').get(jurisdictionId))
      throw new DeskError('not_found', `jurisdiction ${jurisdictionId} does not exist`, {
        id: jurisdictionId,
      });
    const token = randomToken(24);
    const expiresAt = this.now() + ttlMs;
    this.sql(
      'INSERT INTO enroll_tokens (hash, jurisdiction_id, created_at, expires_at) VALUES (?, ?, ?, ?)',
    ).run(digest(token), jurisdictionId, this.now(), expiresAt);
    return { token, expiresAt };
  }

  /** Admin/demo path: enrols a workstation with a given secret directly. */
  enrollDirect(workstationId: string, jurisdictionId: string, secret: string): void {
    this.sql(
      // A new workstation takes the next number_seq (its incident number prefix); enrolling again keeps it.
      `INSERT INTO workstations (id, jurisdiction_id, secret_hash, enrolled_at, number_seq)
         VALUES (?, ?, ?, ?, (SELECT coalesce(max(number_seq), 0) + 1 FROM workstations))
         ON CONFLICT (id) DO UPDATE SET jurisdiction_id = excluded.jurisdiction_id, secret_hash = excluded.secret_hash`,
    ).run(workstationId, jurisdictionId, digest(secret), this.now());
  }

  enroll(body: unknown): EnrollResponse {
    checkVersions(body);
    const req = parseInput('enroll', EnrollRequest, body);
    const now = this.now();
    return this.db
      .transaction((): EnrollResponse => {
        const row = this.sql(
          'SELECT jurisdiction_id, expires_at, used_at, workstation_id FROM enroll_tokens WHERE hash = ?',
        ).get(digest(req.enrollToken)) as
          | {
              jurisdiction_id: string;
              expires_at: number;
              used_at: number | null;
              workstation_id: string | null;
            }
          | undefined;
        // The answer to a first use can be lost (the server or the workstation killed after the server stored
        // the enrolment): the id is then enrolled with a secret nobody holds. Until the token expires, it may
        // enrol the same id again, with a new secret, as long as nobody has signed in on that workstation (a
        // sign-in proves the first secret arrived); the token's holder could have enrolled it first anyway.
        const retry =
          row !== undefined &&
          row.used_at !== null &&
          row.workstation_id === req.workstationId &&
          !this.sql('SELECT 1 FROM workstation_operators WHERE workstation_id = ? LIMIT 1').get(
            req.workstationId,
          );
        if (!row || (row.used_at !== null && !retry) || row.expires_at <= now)
          throw new DeskError(
            'unauthenticated',
            'enrolment token is unknown, used or expired: ask an admin for a new one',
          );
        // A token enrols a new workstation. Naming an enrolled id would replace that workstation's secret and
        // jurisdiction and inherit its operators' sign-ins (whose commands it could then push) and its counters.
        if (!retry && this.sql('SELECT 1 FROM workstations WHERE id = ?').get(req.workstationId))
          throw new DeskError(
            'conflict',
            `workstation ${req.workstationId} is enrolled already: enrol this workstation under a new id`,
            { workstationId: req.workstationId },
          );
        const secret = randomToken(32);
        this.sql('UPDATE enroll_tokens SET used_at = ?, workstation_id = ? WHERE hash = ?').run(
          now,
          req.workstationId,
          digest(req.enrollToken),
        );
        this.enrollDirect(req.workstationId, row.jurisdiction_id, secret);
        this.log('info', retry ? 'workstation enrolled again (answer lost)' : 'workstation enrolled', {
          workstationId: req.workstationId,
          jurisdictionId: row.jurisdiction_id,
        });
        return {
          workstationId: req.workstationId,
          workstationSecret: secret,
          jurisdictionId: row.jurisdiction_id,
        };
      })
      .immediate();
  }

  login(body: unknown): LoginResponse {
    checkVersions(body);
    const req = parseInput('login', LoginRequest, body);
    const workstation = this.authenticateWorkstation(req.workstationId, req.workstationSecret);
    const account = this.sql('SELECT * FROM accounts WHERE id = ?').get(req.operatorId) as
      AccountRow | undefined;
    // Hash even for an unknown operator so timing does not tell which ids exist.
    const ok = account
      ? verifyPassword(req.password, account.salt, account.hash)
      : (verifyPassword(req.password, '00', '00'.repeat(32)), false);
    // A system id is nobody's to sign in as, even if an account of that name was made before ids were reserved.
    if (!account || !ok || account.active !== 1 || isReservedOperatorId(account.id))
      throw new DeskError('unauthenticated', 'operator id or password is wrong, or the account is disabled');
    if (!covers(workstation.jurisdictionId, account.jurisdiction_id)) {
      throw new DeskError(
        'forbidden',
        `${account.id} works for ${account.jurisdiction_id}; workstation ${workstation.id} is bound to ${workstation.jurisdictionId}`,
      );
    }
    const now = this.now();
    this.sql(
      `INSERT INTO workstation_operators (workstation_id, operator_id, first_at, last_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (workstation_id, operator_id) DO UPDATE SET last_at = excluded.last_at`,
    ).run(workstation.id, account.id, now, now);
    const role = account.role as Role;
    const session: Session = {
      operatorId: account.id,
      workstationId: workstation.id,
      jurisdictionId: workstation.jurisdictionId,
      role,
      exp: now + this.tokenTtlMs,
    };
    this.log('info', 'signed in', { operatorId: account.id, workstationId: workstation.id });
    return {
      token: signToken(session, this.key),
      expiresAt: session.exp,
      operator: {
        id: account.id,
        name: account.name,
        role,
        jurisdictionId: account.jurisdiction_id,
        orgId: account.org_id,
      },
      workstation: {
        ...workstation,
        nextCounter: this.nextCounterOf(workstation.id),
        numbersUsed: this.numbersUsedBy(workstation.id, workstation.numberPrefix),
      },
      serverTime: now,
    };
  }

  /** The counter after the highest this workstation has pushed (1 when it has pushed nothing). */
  private nextCounterOf(workstationId: string): number {
    const row = this.sql(
      'SELECT coalesce(max(counter), 0) + 1 AS next FROM received_commands WHERE workstation_id = ?',
    ).get(workstationId) as { next: number };
    return row.next;
  }

  /**
   * The highest sequence per county and day among the numbers of the calls this workstation recorded (its prefix's)
   * that reached the server in the last NUMBERS_USED_DAYS days: a store behind it numbers today's calls (and a
   * backup's pending ones, at most a week offline) from there. A call is named after the command that created it
   * (`<command id>.incident1`), so this walks the workstation's own received commands from the newest, by key, one
   * incident each, and stops at the cutoff: a sign-in costs the last days' calls, not all the console ever recorded.
   */
  numbersUsedBy(workstationId: string, prefix: string): NumbersUsed[] {
    const cutoff = this.now() - NUMBERS_USED_DAYS * 86_400_000;
    // Prepared here, not cached: an iterated statement cannot be re-entered, and sign-ins are rare.
    const rows = this.db
      .prepare(
        `SELECT r.received_at, i.number FROM received_commands r
           JOIN incidents i ON i.id = r.command_id || '.incident1'
          WHERE r.workstation_id = ? AND r.name = 'incident.create' AND r.status = 'applied'
          ORDER BY r.counter DESC`,
      )
      .raw(true)
      .iterate(workstationId) as IterableIterator<[number, string]>;
    const highest = new Map<string, NumbersUsed>();
    for (const [receivedAt, number] of rows) {
      // Commands are received in counter order: the rest are older.
      if (receivedAt < cutoff) break;
      const parsed = parseIncidentNumber(number);
      if (!parsed || parsed.prefix !== prefix) continue;
      const { countyId, day, sequence: last } = parsed;
      const key = `${countyId}/${day}`;
      const known = highest.get(key);
      if (!known || known.last < last) highest.set(key, { countyId, day, last });
    }
    return [...highest.values()];
  }

  private authenticateWorkstation(
    id: string,
    secret: string,
  ): { id: string; jurisdictionId: string; numberPrefix: string } {
    // The stored place (server migration 4), not the rowid: a VACUUM may renumber rowids.
    const row = this.sql(
      'SELECT number_seq, jurisdiction_id, secret_hash FROM workstations WHERE id = ?',
    ).get(id) as { number_seq: number; jurisdiction_id: string; secret_hash: string } | undefined;
    if (!row || !sameDigest(secret, row.secret_hash))
      throw new DeskError('unauthenticated', `workstation ${id} is not enrolled or its secret is wrong`);
    return { id, jurisdictionId: row.jurisdiction_id, numberPrefix: numberPrefixOf(row.number_seq) };
  }

  /**
   * Verifies a bearer token, that its workstation is still enrolled and that its operator is still active: an
   * account an admin disables loses its session at once, not when the token expires hours later.
   */
  session(token: string | undefined): Session {
    if (!token) throw new DeskError('unauthenticated', 'missing bearer token: sign in first');
    const session = verifyToken(token, this.key, this.now());
    const row = this.sql(
      'SELECT w.jurisdiction_id, (SELECT active FROM accounts WHERE id = ?) AS active FROM workstations w WHERE w.id = ?',
    ).get(session.operatorId, session.workstationId) as
      { jurisdiction_id: string; active: number | null } | undefined;
    if (!row || row.jurisdiction_id !== session.jurisdictionId)
      throw new DeskError(
        'unauthenticated',
        `workstation ${session.workstationId} is no longer enrolled: sign in again`,
      );
    if (row.active !== 1)
      throw new DeskError(
        'unauthenticated',
        `operator ${session.operatorId} is disabled or unknown: sign in again as an active operator`,
      );
    return session;
  }

  /** Partitions a session may read: its county and the city's, or every partition for a city workstation. */
  readable(session: Session): string[] {
    if (session.jurisdictionId === CITY_ID)
      return (this.sql('SELECT id FROM jurisdictions ORDER BY id').all() as { id: string }[]).map(
        (r) => r.id,
      );
    return [session.jurisdictionId, CITY_ID];
  }

  // ---------- push ----------

  push(session: Session, body: unknown): PushResponse {
    checkVersions(body);
    const req = parseInput('push', PushRequest, body);
    if (req.workstationId !== session.workstationId) {
      throw new DeskError(
        'forbidden',
        `the session belongs to workstation ${session.workstationId}, the request claims ${req.workstationId}`,
      );
    }
    const results: PushResult[] = [];
    let heads = new Map<string, number>();
    // One transaction per batch (one fsync), one savepoint per command: a rejected command rolls back alone and
    // the batch goes on; the answer is sent only after the whole batch is durable. The change log is written once
    // per touched record at the end of the batch, inside the same transaction.
    this.db
      .transaction(() => {
        const batch: PushBatch = {
          workstationId: session.workstationId,
          changes: new ChangeLogWriter(this.db),
          commands: { auditChain: new AuditChain(this.db), knownCounties: new Set() },
          actors: new Map(),
          byCounter: new Map(),
          byCommandId: new Map(),
        };
        this.readReceived(batch, req.commands);
        for (const command of req.commands) results.push(this.pushOne(batch, command));
        heads = batch.changes.flush();
      })
      .immediate();
    this.checkpointer?.request();
    if (this.crashAfterApply && results.some((r) => r.status === 'applied'))
      process.kill(process.pid, 'SIGKILL');
    if (heads.size > 0) for (const listener of this.pokeListeners) listener(heads);
    return { results, serverTime: this.now() };
  }

  /** Reads what was received before under the batch's counters and command ids (exactly-once). */
  private readReceived(batch: PushBatch, commands: PushedCommand[]): void {
    const counters = JSON.stringify(commands.map((command) => command.counter));
    const commandIds = JSON.stringify(commands.map((command) => command.commandId));
    const byCounter = this.sql(
      'SELECT * FROM received_commands WHERE workstation_id = ? AND counter IN (SELECT value FROM json_each(?))',
    ).all(batch.workstationId, counters) as ReceivedRow[];
    for (const row of byCounter) batch.byCounter.set(row.counter, row);
    const byCommandId = this.sql(
      'SELECT * FROM received_commands WHERE command_id IN (SELECT value FROM json_each(?))',
    ).all(commandIds) as ReceivedRow[];
    for (const row of byCommandId) batch.byCommandId.set(row.command_id, row);
  }

  /** Stores a command's outcome and remembers it for the rest of the batch. */
  private receive(
    batch: PushBatch,
    row: ReceivedRow & { name: string; operatorId: string; at: number; receivedAt: number; clamped: boolean },
  ): void {
    this.sql(
      `INSERT INTO received_commands (workstation_id, counter, command_id, name, operator_id, status, error, at,
         received_at, at_clamped) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      row.workstation_id,
      row.counter,
      row.command_id,
      row.name,
      row.operatorId,
      row.status,
      row.error,
      row.at,
      row.receivedAt,
      row.clamped ? 1 : 0,
    );
    const seen: ReceivedRow = {
      workstation_id: row.workstation_id,
      counter: row.counter,
      command_id: row.command_id,
      status: row.status,
      error: row.error,
    };
    batch.byCounter.set(row.counter, seen);
    batch.byCommandId.set(row.command_id, seen);
  }

  private pushOne(batch: PushBatch, command: PushedCommand): PushResult {
    const { workstationId } = batch;
    const { commandId, counter } = command;
    const seen = batch.byCounter.get(counter) ?? batch.byCommandId.get(commandId);
    if (seen) {
      if (seen.workstation_id !== workstationId || seen.command_id !== commandId) {
        return {
          commandId,
          counter,
          status: 'rejected',
          error: {
            code: 'conflict',
            message: `counter ${counter} / command ${commandId} was already used for another command (${seen.workstation_id} #${seen.counter} ${seen.command_id})`,
          },
        };
      }
      if (seen.status === 'applied') return { commandId, counter, status: 'duplicate' };
      return { commandId, counter, status: 'rejected', error: JSON.parse(seen.error ?? 'null') as ErrorInfo };
    }
    const receivedAt = this.now();
    const clamp = wrongClock(command.at, receivedAt);
    const clamped = clamp !== null;
    const at = clamped ? receivedAt : command.at;
    let applied: Applied;
    try {
      const actor = this.batchActor(batch, command.operatorId, command.name);
      applied = applyCommand(this.db, actor, command.name as CommandName, command.input, {
        commandId,
        at,
        batch: batch.commands,
      });
    } catch (error) {
      // The command's savepoint was rolled back, its audit entries with it.
      batch.commands.auditChain.forget();
      const info = toErrorInfo(error);
      if (!(error instanceof DeskError))
        this.log('error', 'command failed unexpectedly', {
          workstationId,
          counter,
          commandId,
          error: info.message,
        });
      this.receive(batch, {
        workstation_id: workstationId,
        counter,
        command_id: commandId,
        name: command.name.slice(0, 64),
        operatorId: command.operatorId,
        status: 'rejected',
        error: JSON.stringify(info),
        at,
        receivedAt,
        clamped,
      });
      return { commandId, counter, status: 'rejected', error: info };
    }
    // Written after the command's savepoint is released but in the batch's transaction: a failure here fails the
    // whole batch, so the outcome and the command's effects are stored together or not at all.
    this.receive(batch, {
      workstation_id: workstationId,
      counter,
      command_id: commandId,
      name: applied.name,
      operatorId: command.operatorId,
      status: 'applied',
      error: null,
      at,
      receivedAt,
      clamped,
    });
    // Only once the command's savepoint is released: a rolled-back command leaves nothing to log. A created
    // incident (the create's result) and added timeline entries are logged as inserted, not read back at flush.
    const created = applied.name === 'incident.create' ? (applied.result as Incident) : undefined;
    for (const { kind, id } of applied.changes) {
      if (created && kind === 'incident' && id === created.id)
        batch.changes.touchWritten('incident', created);
      else batch.changes.touch(kind, id);
    }
    for (const { kind, id, written } of applied.appended) {
      if (written) batch.changes.touchWritten('timeline', written);
      else batch.changes.touch(kind, id);
    }
    if (clamped)
      this.log('warn', 'command time clamped', {
        workstationId,
        counter,
        commandId,
        direction: clamp,
        at: command.at,
        receivedAt,
      });
    return { commandId, counter, status: 'applied' };
  }

  /** The actor, looked up once per operator and batch (accounts do not change inside the batch's transaction). */
  private batchActor(batch: PushBatch, operatorId: string, name: string): Actor {
    if (operatorId === SUPERVISION_OPERATOR_ID) return this.supervisionActorFor(batch, name);
    let actor = batch.actors.get(operatorId);
    if (!actor) {
      actor = this.actorFor(batch.workstationId, operatorId);
      batch.actors.set(operatorId, actor);
    }
    return actor;
  }

  /**
   * The supervision timer of the workstation that pushed the batch. No account stands behind it (none may be made or
   * signed in as a system id): a workstation's timer escalates overdue targets offline too, and the batch's session
   * already proves which enrolled workstation sent them. So it may send `order.escalate` and nothing else, as a
   * supervisor of that workstation's enrolled jurisdiction (not what the workstation says of itself); the handler
   * then checks the order and the target against the server's records, as for anyone.
   */
  private supervisionActorFor(batch: PushBatch, name: string): Actor {
    if (name !== SUPERVISION_COMMAND)
      throw new DeskError(
        'forbidden',
        `${SUPERVISION_OPERATOR_ID} may only send ${SUPERVISION_COMMAND}, not ${name.slice(0, 64)}`,
        { operatorId: SUPERVISION_OPERATOR_ID, command: name.slice(0, 64) },
      );
    let actor = batch.actors.get(SUPERVISION_OPERATOR_ID);
    if (!actor) {
      const ws = this.sql('SELECT jurisdiction_id FROM workstations WHERE id = ?').get(
        batch.workstationId,
      ) as {
        jurisdiction_id: string;
      };
      actor = supervisionActorIn(ws.jurisdiction_id, batch.workstationId);
      batch.actors.set(SUPERVISION_OPERATOR_ID, actor);
    }
    return actor;
  }

  /**
   * The actor of a pushed command: the operator it names, who must be active, must have signed in on this
   * workstation before (so offline work of a colleague is accepted), and be covered by the workstation's county.
   */
  private actorFor(workstationId: string, operatorId: string): Actor {
    // As at sign-in: a system id is nobody's, even an account of that name made before the ids were reserved.
    if (isReservedOperatorId(operatorId))
      throw new DeskError(
        'forbidden',
        `operator id ${operatorId} is reserved for the workstations' timers: no person acts under it`,
        { operatorId },
      );
    const account = this.sql('SELECT * FROM accounts WHERE id = ?').get(operatorId) as AccountRow | undefined;
    if (!account || account.active !== 1)
      throw new DeskError('forbidden', `operator ${operatorId} is unknown or disabled`, { operatorId });
    const signedIn = this.sql(
      'SELECT 1 FROM workstation_operators WHERE workstation_id = ? AND operator_id = ?',
    ).get(workstationId, operatorId);
    if (!signedIn) {
      throw new DeskError(
        'forbidden',
        `operator ${operatorId} never signed in on workstation ${workstationId}`,
        {
          operatorId,
          workstationId,
        },
      );
    }
    const ws = this.sql('SELECT jurisdiction_id FROM workstations WHERE id = ?').get(workstationId) as {
      jurisdiction_id: string;
    };
    if (!covers(ws.jurisdiction_id, account.jurisdiction_id)) {
      throw new DeskError(
        'forbidden',
        `operator ${operatorId} (${account.jurisdiction_id}) cannot act from workstation ${workstationId} (${ws.jurisdiction_id})`,
      );
    }
    return {
      operatorId: account.id,
      name: account.name,
      role: account.role as Role,
      jurisdictionId: account.jurisdiction_id,
      orgId: account.org_id,
      workstationId,
    };
  }

  // ---------- pull ----------

  /**
   * The pull answer as JSON bytes, ready to send. The stored records are canonical JSON already: their UTF-8 bytes
   * are copied from the store into the answer as they are. Decoding them into strings and encoding the answer
   * again cost the server more than reading them.
   */
  pullJson(session: Session, body: unknown): Buffer {
    checkVersions(body);
    const req = parseInput('pull', PullRequest, body);
    if (req.workstationId !== session.workstationId) {
      throw new DeskError(
        'forbidden',
        `the session belongs to workstation ${session.workstationId}, the request claims ${req.workstationId}`,
      );
    }
    const readable = new Set(this.readable(session));
    for (const { partition } of req.partitions) {
      if (!readable.has(partition)) {
        const known = this.sql('SELECT 1 FROM jurisdictions WHERE id = ?').get(partition);
        if (!known) throw new DeskError('invalid_input', `partition ${partition} does not exist`);
        throw new DeskError(
          'forbidden',
          `workstation ${session.workstationId} (${session.jurisdictionId}) may not read partition ${partition}`,
          { partition },
        );
      }
    }
    const state = this.sql('SELECT head, checksum FROM partitions WHERE id = ?');
    return this.db.transaction((): Buffer => {
      const pieces: (string | Buffer)[] = ['{"pages":['];
      req.partitions.forEach(({ partition, cursor }, index) => {
        const page = this.pageChanges(partition, cursor, req.limit);
        const p = (state.get(partition) as { head: number; checksum: string } | undefined) ?? {
          head: 0,
          checksum: EMPTY_CHECKSUM,
        };
        pieces.push(`${index > 0 ? ',' : ''}{"partition":${JSON.stringify(partition)},"changes":[`);
        if (page.body) pieces.push(page.body);
        pieces.push(
          `],"cursor":${page.cursor},"head":${p.head},"hasMore":${page.hasMore},"checksum":"${p.checksum}"}`,
        );
      });
      pieces.push(`],"serverTime":${this.now()}}`);
      return joinBytes(pieces);
    })();
  }

  /**
   * Up to `limit` changes of a partition after `cursor`, as the JSON of their array's items, comma-separated.
   * SQLite writes each change's JSON and joins them into one blob (the stored record is canonical JSON already and
   * is copied as it is): building 2,000 strings and buffers per page in JavaScript cost the server three times
   * more. group_concat joins in the order it is fed, which SQLite does not promise, so the same pass also joins
   * the changes' seqs and they are checked to rise; should they not, the page is read again sorted by SQLite.
   */
  private pageChanges(
    partition: string,
    cursor: number,
    limit: number,
  ): { body: Buffer | null; cursor: number; hasMore: boolean } {
    const params = { partition, quoted: JSON.stringify(partition), cursor, limit };
    let [body, seqs] = this.sql(PAGE_SQL).raw().get(params) as [Buffer | null, string | null];
    if (seqs !== null && !risesStrictly(seqs))
      [body, seqs] = this.sql(PAGE_SQL_SORTED).raw().get(params) as [Buffer | null, string | null];
    if (seqs === null) return { body: null, cursor, hasMore: false };
    const last = Number(seqs.slice(seqs.lastIndexOf(',') + 1));
    const hasMore =
      this.sql('SELECT 1 FROM changes WHERE partition = ? AND seq > ? LIMIT 1').get(partition, last) !==
      undefined;
    return { body, cursor: last, hasMore };
  }

  pull(session: Session, body: unknown): PullResponse {
    return JSON.parse(this.pullJson(session, body).toString('utf8')) as PullResponse;
  }

  /** Head and checksum of a partition (0 and the empty checksum when nothing was ever logged there). */
  partitionState(partition: string): { head: number; checksum: string } {
    return (
      (this.sql('SELECT head, checksum FROM partitions WHERE id = ?').get(partition) as
        { head: number; checksum: string } | undefined) ?? { head: 0, checksum: EMPTY_CHECKSUM }
    );
  }
}
