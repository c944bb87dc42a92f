// The workstation's sync client: drains the outbox to the server, pulls and applies what changed in its readable
// partitions, rebases pending local commands on top, verifies partition checksums and keeps a live channel.
import type { SyncStatus } from '../../shared/contract';
import { CITY_ID, type Actor, type EntityKind, type Incident } from '../../shared/domain/model';
import { DeskError, toErrorInfo, type ErrorInfo } from '../../shared/errors';
import {
  MAX_PULL_LIMIT,
  MAX_PUSH_COMMANDS,
  type Change,
  type LoginResponse,
  type NumbersUsed,
  type PartitionId,
  type PullPage,
  type PullRequest,
  type PushResult,
} from '../../shared/sync';
import { announceable, type Desk } from '../api/desk';
import { SUPERVISION_OPERATOR_ID, supervisionActorIn } from '../core/access';
import { applyCommand } from '../core/apply';
import type { CommandName } from '../../shared/contract';
import { BackgroundCheckpointer, WRITER_CHECKPOINT_PAGES } from '../db/checkpointer';
import { nativeBindingOf, type DB } from '../db/connection';
import {
  listOutbox,
  outboxStats,
  pendingCalls,
  raiseCounter,
  removeFromOutbox,
  replaceOutboxInput,
  type OutboxEntry,
} from '../db/outbox';
import { holdSearchIndexer } from '../db/search-index';
import {
  NUMBER_PREFIX_KEY,
  nextNumberOfDay,
  parseIncidentNumber,
  raiseIncidentCounters,
} from '../db/incidents';
import { actorOf, getMeta, getOperator, listJurisdictions, setMeta } from '../db/region';
import { absentWarnings } from '../db/warnings';
import { EMPTY_CHECKSUM, RunningChecksum } from './checksum';
import { forgetRefusedOperator, knownOfflineOperator, rememberOperator, signInOffline } from './offline';
import type { PageCursor } from './pull-answer';
import { pullReader, type PageStream } from './pull-reader';
import {
  applyChange,
  partitionStates,
  removeUnheld,
  resetPartition,
  savePartitionState,
  verifyHeldRecords,
} from './records';
import { installShadows, restoreShadows, shadowCount, withWriteMode } from './shadow';
import { addRejection, attachSyncMode, getSyncMeta, setSyncMeta, syncStatus } from './status';
import { LinkDown, ServerRefusal, VERSIONS, type SignedInOperator, type SyncTransport } from './transport';

export interface BackoffOptions {
  /** First retry waits up to this long (full jitter: a uniform draw between 0 and the ceiling). */
  baseMs: number;
  /** The ceiling never grows past this. */
  capMs: number;
}

export interface SyncClientOptions {
  db: DB;
  transport: SyncTransport;
  workstationId: string;
  workstationSecret: string;
  /** The jurisdiction the workstation is enrolled in: CITY_ID reads every partition, a county its own + the city. */
  jurisdictionId: string;
  /** Events (entity.changed, sync.status) go to this Desk's subscribers; local commits wake the drain. */
  desk?: Desk;
  clock?: () => number;
  /** Uniform in [0, 1): injectable so backoff is reproducible. */
  random?: () => number;
  backoff?: BackoffOptions;
  pullLimit?: number;
  /** Keep a live channel and retry on a timer (default true); the simulation drives cycles by hand instead. */
  automatic?: boolean;
  /** scrypt N of the offline verifier (default 2^14); tests lower it to stay fast. */
  verifierCost?: number;
}

/** Full-jitter exponential backoff: attempt n waits uniform(0, min(cap, base·2ⁿ)). */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number): number {
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

export interface SyncCycleResult {
  ok: boolean;
  pushed: number;
  pulled: number;
  error?: ErrorInfo;
}

/** Test hook: `DESK_SYNC_CRASH=mid-page:N` or `after-push` kills the process at that point (crash tests). */
function crashPoint(): { kind: 'mid-page'; after: number } | { kind: 'after-push' } | undefined {
  const value = process.env.DESK_SYNC_CRASH;
  if (!value) return undefined;
  if (value === 'after-push') return { kind: 'after-push' };
  const match = /^mid-page:(\d+)$/.exec(value);
  return match ? { kind: 'mid-page', after: Number(match[1]) } : undefined;
}

/**
 * Held records re-hashed from the store at the head while nothing is pending: a record that no longer matches
 * what the server sent (a bug, a hand edit, a bad disk) makes its partition download again. A rotating slice, so
 * it stays cheap however large the store (2,000 records take tens of milliseconds); a small store is checked
 * whole each time. At most once a minute, on a cycle that pulled nothing (not on the tail of a catch-up), or
 * after ten minutes whatever the cycle pulled.
 */
const VERIFY_RECORDS = 2000;
const VERIFY_INTERVAL_MS = 60_000;
const VERIFY_BUSY_INTERVAL_MS = 10 * 60_000;

/**
 * Runs a write without an fsync at its commit (synchronous=NORMAL; WAL stays atomic and a killed process loses
 * nothing committed). For pulled pages only: the server still holds them and the cursor moves with them, so a
 * power cut can at worst undo the last pages and their cursor together. An fsync per page cost a fifth of a
 * catch-up. Local commands keep synchronous=FULL: it is set back before anything else can commit, and their
 * next fsync makes everything before it durable too.
 */
function withoutFsync<T>(db: DB, work: () => T): T {
  const previous = db.pragma('synchronous', { simple: true }) as number;
  db.pragma('synchronous = NORMAL');
  try {
    return work();
  } finally {
    db.pragma(`synchronous = ${previous}`);
  }
}

/** A pull request in flight: the cursors it asked from, its body's arrival, the answer's cursors and pages. */
interface Fetch {
  asked: ReadonlyMap<PartitionId, number>;
  arrived: Promise<unknown>;
  cursors: Promise<PageCursor[]>;
  pages: Promise<PullPage[]>;
}

function sameCursors(a: ReadonlyMap<PartitionId, number>, b: ReadonlyMap<PartitionId, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [partition, cursor] of a) if (b.get(partition) !== cursor) return false;
  return true;
}

function die(): never {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('killed');
}

const PARENT_OF: Partial<
  Record<Change['kind'], (record: Record<string, unknown>) => [EntityKind, string] | undefined>
> = {
  timeline: (r) => ['incident', r.incidentId as string],
  feedback: (r) => ['order', r.orderId as string],
  incident_link: (r) => ['incident', r.incidentId as string],
};

export class SyncClient {
  private readonly db: DB;
  private readonly transport: SyncTransport;
  private readonly clock: () => number;
  private readonly random: () => number;
  private readonly backoff: BackoffOptions;
  private readonly pullLimit: number;
  private readonly automatic: boolean;
  private readonly crash = crashPoint();
  /** Changes applied since pending commands were last replayed: what pays for the next replay before the head. */
  private changesSinceRebase = 0;
  /** The first re-hash comes a minute after start, not on the tail of the first (maybe large) pull. */
  private lastVerifiedAt: number;
  /** Partitions the last pull left different from the server even after downloading them again (else null). */
  private divergence: string | null = null;
  /** `incident <id>` and `warning <id>` forgotten by this pull's re-downloads: held and announced before. */
  private readonly reDownloaded = new Set<string>();
  /** Pending commands re-applied by rebases since this client was made (tests check a pull's replays stay linear). */
  replays = 0;

  private token: string | null = null;
  private tokenExpiresAt = 0;
  private operator: SignedInOperator | null = null;
  /** Held in memory only, to sign in again when a session expires or the link returns; never stored. */
  private password: string | null = null;
  private mode: SyncStatus['mode'] = 'offline';
  private attempt = 0;
  private running: Promise<SyncCycleResult> | null = null;
  private again = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private liveClose: (() => void) | null = null;
  private liveTimer: NodeJS.Timeout | null = null;
  private liveAttempt = 0;
  private started = false;
  private lastStatusJson = '';
  private checkpointer: BackgroundCheckpointer | undefined;
  /** A pull of several pages is running with its checkpoints in the background. */
  private checkpointing = false;
  private statusQueued = false;
  private readonly detach: () => void;
  private readonly previousOnCommitted: Desk['onCommitted'] = null;

  constructor(private readonly options: SyncClientOptions) {
    this.db = options.db;
    this.transport = options.transport;
    this.clock = options.clock ?? options.desk?.clock ?? Date.now;
    this.random = options.random ?? Math.random;
    this.backoff = options.backoff ?? { baseMs: 500, capMs: 30_000 };
    this.pullLimit = Math.min(options.pullLimit ?? 2000, MAX_PULL_LIMIT);
    this.automatic = options.automatic ?? true;
    this.lastVerifiedAt = this.clock();
    installShadows(this.db);
    // The pull reader's worker takes a moment to load: it does so while the operator signs in.
    pullReader().warm();
    this.detach = attachSyncMode(this.db, () => this.mode);
    const desk = options.desk;
    if (desk) {
      this.previousOnCommitted = desk.onCommitted;
      desk.onCommitted = (applied) => {
        this.previousOnCommitted?.(applied);
        this.emitStatus();
        if (this.started) this.requestSync();
      };
    }
  }

  get workstationId(): string {
    return this.options.workstationId;
  }

  /** Partitions this workstation reads: its county and the city's, or every partition for the city. */
  readablePartitions(): PartitionId[] {
    if (this.options.jurisdictionId !== CITY_ID) return [this.options.jurisdictionId, CITY_ID];
    const counties = listJurisdictions(this.db)
      .filter((j) => j.level === 'county')
      .map((j) => j.id);
    return [...counties, CITY_ID];
  }

  /**
   * Signs an operator in: online when the server answers (and the offline verifier is refreshed), otherwise
   * against the verifier stored by an earlier online sign-in, with the same role and jurisdiction.
   */
  async signIn(
    operatorId: string,
    password: string,
  ): Promise<{ operator: SignedInOperator; online: boolean }> {
    try {
      const answer = await this.login(operatorId, password);
      this.token = answer.token;
      this.tokenExpiresAt = answer.expiresAt;
      this.operator = answer.operator;
      this.password = password;
      // The workstation's number prefix and counters first: a store killed between the two must not let the
      // operator sign in offline (the verifier's work) and number calls without the prefix.
      this.adoptWorkstation(answer);
      rememberOperator(this.db, answer.operator, password, this.clock(), this.options.verifierCost);
      this.setMode('online');
      return { operator: answer.operator, online: true };
    } catch (error) {
      if (!(error instanceof LinkDown))
        throw error instanceof ServerRefusal ? this.toDeskError(error) : error;
      const operator = signInOffline(this.db, operatorId, password);
      this.operator = operator;
      this.password = password;
      this.setMode('offline');
      return { operator, online: false };
    }
  }

  /** The actor a signed-in operator acts as on this workstation (offline too). */
  actorFor(operatorId: string): Actor {
    // The supervision timer's commands are replayed as it made them: as this workstation's jurisdiction.
    if (operatorId === SUPERVISION_OPERATOR_ID)
      return supervisionActorIn(this.options.jurisdictionId, this.options.workstationId);
    // The server's word at the operator's last online sign-in (kept with the offline verifier) comes first: the
    // operators seeded with the region here are never updated, so a role or county changed on the server would
    // let this console take work the server then rejects (or refuse work it allows).
    const local = knownOfflineOperator(this.db, operatorId) ?? getOperator(this.db, operatorId);
    if (!local)
      throw new DeskError('not_found', `operator ${operatorId} is not known on this workstation`, {
        kind: 'operator',
        id: operatorId,
      });
    return actorOf(local, this.options.workstationId);
  }

  /** Starts draining, pulling and listening for pokes; safe to call while offline. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.requestSync();
    if (this.automatic) this.openLive();
  }

  /** Stops timers and the live channel and waits for a cycle in flight. */
  async stop(): Promise<void> {
    this.started = false;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.liveTimer) clearTimeout(this.liveTimer);
    this.retryTimer = null;
    this.liveTimer = null;
    this.liveClose?.();
    this.liveClose = null;
    this.again = false;
    await this.running?.catch(() => undefined);
    // Before the caller closes the store: the worker's connection is closed once its checkpoint is done.
    this.checkpointer?.close();
    this.checkpointer = undefined;
    if (this.options.desk) this.options.desk.onCommitted = this.previousOnCommitted;
    this.detach();
  }

  status(): SyncStatus {
    return syncStatus(this.db);
  }

  /** Asks for a cycle soon; coalesces with one in flight. */
  requestSync(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    void this.syncNow();
  }

  /** Runs one full cycle now (push everything, pull to head, rebase) and reports how it went. */
  syncNow(): Promise<SyncCycleResult> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const run = this.cycle().finally(() => {
      this.running = null;
      if (this.again && this.started) {
        this.again = false;
        this.requestSync();
      }
    });
    this.running = run;
    return run;
  }

  private async cycle(): Promise<SyncCycleResult> {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    let pushed = 0;
    let pulled = 0;
    try {
      await this.ensureSession();
      pushed = await this.withSession(() => this.drain());
      pulled = await this.withSession(() => this.pullAll());
      this.attempt = 0;
      setSyncMeta(this.db, 'last_sync_at', String(this.clock()));
      // A partition that still differs after its re-download stays reported until a pull finds it equal.
      setSyncMeta(this.db, 'last_error', this.divergence);
      this.setMode('online');
      if (this.started && this.automatic && !this.liveClose && !this.liveTimer) this.openLive();
      return { ok: true, pushed, pulled };
    } catch (error) {
      const info = error instanceof ServerRefusal ? error.info : toErrorInfo(error);
      if (this.db.open) setSyncMeta(this.db, 'last_error', info.message);
      this.setMode('offline');
      this.scheduleRetry(error instanceof ServerRefusal && error.info.code === 'version_mismatch');
      return { ok: false, pushed, pulled, error: info };
    }
  }

  private scheduleRetry(slow: boolean): void {
    if (!this.started || !this.automatic) return;
    const delay = slow ? this.backoff.capMs : backoffDelay(this.attempt, this.backoff, this.random);
    this.attempt += 1;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.requestSync();
    }, delay);
    this.retryTimer.unref?.();
  }

  /**
   * Takes what the server says of this workstation at sign-in (LoginResponse). The incident number prefix: numbers
   * this console assigns from now on carry it, so they cannot clash with another console's of the same county and
   * day (numbers already given keep theirs). The next counter: a store behind it (new, or restored from a backup,
   * under an enrolled id) moves its counter and pending commands up to it (outbox.ts raiseCounter). The numbers used:
   * such a store moves its day counters up to them, or it would give this prefix's numbers to new calls again.
   */
  private adoptWorkstation(answer: LoginResponse): void {
    const { numberPrefix: prefix, nextCounter, numbersUsed } = answer.workstation;
    if (Array.isArray(numbersUsed)) {
      raiseIncidentCounters(this.db, numbersUsed);
      if (prefix !== undefined) this.renumberPendingCalls(prefix, numbersUsed);
    }
    if (prefix !== undefined && getMeta(this.db, NUMBER_PREFIX_KEY) !== prefix)
      setMeta(this.db, NUMBER_PREFIX_KEY, prefix);
    if (nextCounter !== undefined && Number.isSafeInteger(nextCounter) && nextCounter > 0)
      raiseCounter(this.db, nextCounter);
  }

  /**
   * A pending call numbered at or below the highest number the server holds of this workstation's for that county and
   * day was numbered by another store of this id: a backup restored after the console was reinstalled (or restored
   * again) holds calls the stores since never saw, and gave their numbers again. Each gets the next number; if the
   * server has the call already (its answer was lost), it answers `duplicate` and its own copy replaces this one.
   * The rebase at the next pull puts the new number on the stored call.
   */
  private renumberPendingCalls(prefix: string, used: readonly NumbersUsed[]): void {
    const reached = new Map(used.map((entry) => [`${entry.countyId}-${entry.day}`, entry.last]));
    this.db.transaction(() => {
      let renumbered = 0;
      for (const entry of pendingCalls(this.db)) {
        const input = entry.input as { number?: unknown };
        const parsed = typeof input.number === 'string' ? parseIncidentNumber(input.number) : undefined;
        if (!parsed || parsed.prefix !== prefix) continue;
        const last = reached.get(`${parsed.countyId}-${parsed.day}`);
        if (last === undefined || parsed.sequence > last) continue;
        const number = nextNumberOfDay(this.db, parsed.countyId, parsed.day, prefix);
        replaceOutboxInput(this.db, entry.commandId, { ...input, number });
        renumbered += 1;
      }
      if (renumbered > 0) setSyncMeta(this.db, 'rebase_needed', '1');
    })();
  }

  private async ensureSession(): Promise<void> {
    // Expiry is judged by the server (our clock may be skewed): a 401 renews the session in withSession.
    if (this.token) return;
    if (!this.operator || this.password === null)
      throw new DeskError(
        'unauthenticated',
        'no operator has signed in on this workstation yet: cannot sync',
      );
    const answer = await this.login(this.operator.id, this.password);
    this.token = answer.token;
    this.tokenExpiresAt = answer.expiresAt;
    rememberOperator(this.db, answer.operator, this.password, this.clock(), this.options.verifierCost);
    this.adoptWorkstation(answer);
  }

  /**
   * Signs in with the server. When it refuses these credentials (401/403: account disabled, password changed,
   * operator or workstation moved), an offline verifier that still accepts them is forgotten: without that, an
   * operator the server shut out could go on signing in here whenever the link is down.
   */
  private async login(operatorId: string, password: string): Promise<LoginResponse> {
    try {
      return await this.transport.login({
        ...VERSIONS,
        operatorId,
        password,
        workstationId: this.options.workstationId,
        workstationSecret: this.options.workstationSecret,
      });
    } catch (error) {
      if (error instanceof ServerRefusal && (error.status === 401 || error.status === 403) && this.db.open)
        forgetRefusedOperator(this.db, operatorId, password);
      throw error;
    }
  }

  /** Runs a request; an expired or refused session is renewed once and the request repeated. */
  private async withSession<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof ServerRefusal) || error.status !== 401) throw error;
      this.token = null;
      this.tokenExpiresAt = 0;
      await this.ensureSession();
      return work();
    }
  }

  private currentToken(): string {
    if (!this.token) throw new DeskError('unauthenticated', 'no session with the server');
    return this.token;
  }

  // ---------- push ----------

  private async drain(): Promise<number> {
    let sent = 0;
    for (;;) {
      const batch = listOutbox(this.db, MAX_PUSH_COMMANDS);
      if (batch.length === 0) return sent;
      const results = await this.pushBatch(batch);
      if (this.crash?.kind === 'after-push') die();
      const settled = this.settle(batch, results);
      sent += settled;
      // The server answered for none of them: stop rather than spin; the next cycle tries again.
      if (settled === 0) return sent;
    }
  }

  /** Pushes a batch; a batch the server refuses as a whole is split so one bad command cannot block the queue. */
  private async pushBatch(batch: OutboxEntry[]): Promise<PushResult[]> {
    try {
      const answer = await this.transport.push(this.currentToken(), {
        ...VERSIONS,
        workstationId: this.options.workstationId,
        commands: batch.map((entry) => ({
          commandId: entry.commandId,
          counter: entry.counter,
          name: entry.name,
          input: entry.input,
          operatorId: entry.operatorId,
          at: entry.at,
        })),
      });
      return answer.results;
    } catch (error) {
      if (!(error instanceof ServerRefusal) || (error.status !== 400 && error.status !== 413)) throw error;
      if (batch.length === 1) {
        const [only] = batch as [OutboxEntry];
        return [{ commandId: only.commandId, counter: only.counter, status: 'rejected', error: error.info }];
      }
      const half = Math.ceil(batch.length / 2);
      const first = await this.pushBatch(batch.slice(0, half));
      const second = await this.pushBatch(batch.slice(half));
      return [...first, ...second];
    }
  }

  /** Applies the server's answers: accepted commands leave the outbox, refused ones go to the rejection inbox. */
  private settle(batch: OutboxEntry[], results: PushResult[]): number {
    const byId = new Map(batch.map((entry) => [entry.commandId, entry]));
    const now = this.clock();
    let settled = 0;
    this.db.transaction(() => {
      const done: string[] = [];
      for (const result of results) {
        const entry = byId.get(result.commandId);
        if (!entry) continue;
        if (result.status === 'rejected') {
          addRejection(this.db, {
            commandId: entry.commandId,
            counter: entry.counter,
            name: entry.name,
            input: entry.input,
            operatorId: entry.operatorId,
            at: entry.at,
            error: result.error ?? { code: 'internal', message: 'refused by the server without a reason' },
            rejectedAt: now,
          });
        }
        done.push(entry.commandId);
      }
      removeFromOutbox(this.db, done);
      settled = done.length;
      // The outbox changed: the next page transaction must rebase even when no change arrives, so a rejected
      // command is rolled back.
      if (settled > 0) setSyncMeta(this.db, 'rebase_needed', '1');
    })();
    if (results.some((result) => result.status === 'rejected')) this.emitStatus();
    return settled;
  }

  // ---------- pull ----------

  private pullRequest(cursors: ReadonlyMap<PartitionId, number>): PullRequest {
    const stored = partitionStates(this.db);
    return {
      ...VERSIONS,
      workstationId: this.options.workstationId,
      partitions: this.readablePartitions().map((partition) => ({
        partition,
        cursor: cursors.get(partition) ?? stored.get(partition)?.cursor ?? 0,
      })),
      limit: this.pullLimit,
    };
  }

  /**
   * Asks for pages. The answer is checked before anything uses it (its shape against the protocol's schema, every
   * record against its hash), in the pull reader's worker where it has one; its cursors are known as soon as it
   * has parsed. `arrived` settles once the body is in and handed to the reader. A fetch may be dropped unused (the
   * answer before it was refused), so none of its promises is left to reject unheard.
   */
  private fetchPages(cursors: ReadonlyMap<PartitionId, number>): Fetch {
    const body = this.transport.pull(this.currentToken(), this.pullRequest(cursors));
    const reading = body.then((bytes) => pullReader().read(bytes));
    const fetch: Fetch = {
      asked: cursors,
      arrived: body,
      cursors: reading.then((read) => read.cursors),
      pages: reading.then((read) => read.pages),
    };
    for (const promise of [fetch.arrived, fetch.cursors, fetch.pages]) promise.catch(() => undefined);
    return fetch;
  }

  /** Pulls to the head; the search index waits until it is done (its rows are found by a scan meanwhile). */
  private async pullAll(): Promise<number> {
    const release = holdSearchIndexer(this.db);
    const autocheckpoint = this.db.pragma('wal_autocheckpoint', { simple: true }) as number;
    try {
      return await this.pullToHead();
    } finally {
      if (this.db.open && this.checkpointing) this.db.pragma(`wal_autocheckpoint = ${autocheckpoint}`);
      this.checkpointing = false;
      release();
    }
  }

  /**
   * For a pull of several pages, the store's WAL is checkpointed by a worker thread (made on the first such pull)
   * after each page, and the connection's own checkpoints wait for a backstop far above one page: copying pages
   * into the database file was a seventh of a page's time on this thread. A store in memory has no WAL.
   */
  private checkpointInBackground(): void {
    if (this.checkpointing || this.db.memory) return;
    if (!this.checkpointer) {
      try {
        this.checkpointer = new BackgroundCheckpointer(
          this.db.name,
          (message) => {
            // Reported, not fatal: the connection's own checkpoints (the backstop) take over.
            if (this.db.open) setSyncMeta(this.db, 'last_error', `background checkpoint failed: ${message}`);
          },
          nativeBindingOf(this.db),
        );
      } catch {
        return;
      }
    }
    this.db.pragma(`wal_autocheckpoint = ${WRITER_CHECKPOINT_PAGES}`);
    this.checkpointing = true;
  }

  /**
   * The pages of a pull, in order, from the stored cursors on. Over HTTP with the reader's worker, the worker follows
   * the pull itself, asking for each answer as soon as the one before has parsed, while this thread applies (see
   * pull-reader.ts); otherwise each answer is asked for here, as soon as the one before has parsed.
   */
  private pageStream(): PageStream {
    const source = this.transport.pullSource?.();
    const followed = source && pullReader().follow(source, this.currentToken(), this.pullRequest(new Map()));
    return followed || this.fetchedPages();
  }

  private fetchedPages(): PageStream {
    let current: Fetch | undefined = this.fetchPages(new Map());
    return {
      next: async () => {
        const fetch = current;
        if (!fetch) throw new Error('the pull stream has ended');
        current = undefined;
        // The next pages are asked for as soon as these have parsed (their cursors), before they are checked.
        const early = await fetch.cursors.catch(() => undefined);
        let next = early?.some((cursor) => cursor.hasMore)
          ? this.fetchPages(new Map(early.map((cursor) => [cursor.partition, cursor.cursor])))
          : undefined;
        const pages = await fetch.pages;
        if (pages.some((page) => page.hasMore)) {
          const wanted = new Map(pages.map((page) => [page.partition, page.cursor]));
          if (!next || !sameCursors(next.asked, wanted)) next = this.fetchPages(wanted);
          // With a worker, the next answer is waited for and handed over first, so the worker checks it while
          // this thread applies these pages (a body that arrived during the apply would be checked only after it,
          // with this thread idle). Without one, the request only has to reach its socket before the apply holds
          // the thread.
          if (pullReader().inWorker()) await next.arrived.catch(() => undefined);
          else await new Promise((resolve) => setImmediate(resolve));
          current = next;
        }
        return pages;
      },
      close: () => {
        current = undefined;
      },
    };
  }

  private async pullToHead(): Promise<number> {
    this.reDownloaded.clear();
    let pulled = 0;
    this.divergence = null;
    const reDownloaded = new Set<PartitionId>();
    // Should pages be refused or fail to apply, the cursors in the store still say where to start again.
    let stream = this.pageStream();
    try {
      for (let round = 0; round < 100_000; round += 1) {
        const pages = await stream.next();
        const more = pages.some((page) => page.hasMore);
        if (more) this.checkpointInBackground();
        pulled += this.applyPages(pages, !more);
        if (more) continue;
        const diverged = this.divergedPartitions(pages, pulled === 0);
        const fresh = diverged.filter((partition) => !reDownloaded.has(partition));
        if (diverged.length > fresh.length)
          this.divergence = `partitions ${diverged.join(', ')} still differ from the server after a re-download`;
        if (fresh.length === 0) return pulled;
        for (const partition of fresh) reDownloaded.add(partition);
        this.reDownload(fresh);
        stream.close();
        stream = this.pageStream();
      }
    } finally {
      stream.close();
    }
    throw new DeskError('internal', 'pull did not reach the head after 100000 pages');
  }

  /**
   * Forgets partitions (their records, cursor and checksum) so they are downloaded again from 0. The incidents and
   * warnings they held were announced when they first came: noted, so their second coming is not announced again.
   */
  private reDownload(partitions: PartitionId[]): void {
    for (const id of this.db
      .prepare(
        `SELECT kind || ' ' || id FROM sync_records WHERE kind IN ('incident', 'warning')
           AND partition IN (SELECT value FROM json_each(?))`,
      )
      .pluck()
      .all(JSON.stringify(partitions)) as string[])
      this.reDownloaded.add(id);
    this.db.transaction(() => {
      withWriteMode(this.db, 'restore', () => {
        restoreShadows(this.db);
        for (const partition of partitions) resetPartition(this.db, partition);
      });
      this.replayPending();
      this.changesSinceRebase = 0;
    })();
  }

  /**
   * Partitions at their head whose checksum differs from the server's: a change was missed, or a record held
   * here no longer matches the hash it came with (checked a slice at a time while nothing is pending).
   */
  private divergedPartitions(pages: PullPage[], quiet: boolean): PartitionId[] {
    const states = partitionStates(this.db);
    const atHead = pages.filter((page) => {
      const local = states.get(page.partition);
      return local && local.cursor >= page.head;
    });
    const diverged = new Set(
      atHead
        .filter((page) => states.get(page.partition)?.checksum !== page.checksum)
        .map((page) => page.partition),
    );
    const now = this.clock();
    const since = now < this.lastVerifiedAt ? Number.POSITIVE_INFINITY : now - this.lastVerifiedAt;
    if (
      diverged.size === 0 &&
      since >= (quiet ? VERIFY_INTERVAL_MS : VERIFY_BUSY_INTERVAL_MS) &&
      outboxStats(this.db).pending === 0 &&
      shadowCount(this.db) === 0
    ) {
      this.lastVerifiedAt = now;
      for (const partition of verifyHeldRecords(this.db, VERIFY_RECORDS)) diverged.add(partition);
    }
    return [...diverged];
  }

  /**
   * Applies one pull answer in one transaction: its changes, each partition's cursor and checksum, and when due a
   * rebase (shadows put back, pending commands replayed on top). A rebase is due when the pull reaches the head
   * and something changed since the last one; before the head only when the answer changed rows pending commands
   * had touched, and then only as often as the changes that arrived pay for the replay — so a long catch-up
   * with many pending commands costs changes + commands, not their product. Between rebases the operator's
   * work stays in place: a server write drops only the shadow of the row it writes (see shadow.ts).
   */
  private applyPages(pages: PullPage[], atHead: boolean): number {
    const states = partitionStates(this.db);
    const changed = pages.filter(
      (page) => page.changes.length > 0 || (states.get(page.partition)?.cursor ?? -1) !== page.cursor,
    );
    const rebaseNeeded = () => getSyncMeta(this.db, 'rebase_needed') === '1';
    if (changed.length === 0 && !(atHead && rebaseNeeded())) return 0;
    // Warnings this store does not hold yet are announced once they are in (a check logged elsewhere matched).
    const warningIds: string[] = [];
    for (const page of changed)
      for (const c of page.changes) if (c.op === 'put' && c.kind === 'warning') warningIds.push(c.id);
    const arriving = absentWarnings(this.db, warningIds).filter(
      (id) => !this.reDownloaded.has(`warning ${id}`),
    );
    // So are top-priority incidents the apply inserts (the store did not hold them), if recent and open.
    const urgent: string[] = [];
    const now = this.clock();
    let applied = 0;
    const touched = new Map<EntityKind, Set<string>>();
    const touch = (kind: EntityKind, id: string) => {
      const set = touched.get(kind) ?? new Set<string>();
      set.add(id);
      touched.set(kind, set);
    };
    const apply = this.db.transaction(() => {
      const shadowsBefore = shadowCount(this.db);
      const deleted: Change[] = [];
      withWriteMode(this.db, 'server', () => {
        for (const page of changed) {
          const checksum = new RunningChecksum(states.get(page.partition)?.checksum ?? EMPTY_CHECKSUM);
          for (const change of page.changes) {
            if (
              applyChange(this.db, change, checksum, deleted) &&
              announceable(change.record as Incident, now) &&
              !this.reDownloaded.has(`incident ${change.id}`)
            )
              urgent.push(change.id);
            applied += 1;
            if (this.crash?.kind === 'mid-page' && applied >= this.crash.after) die();
            const parent = PARENT_OF[change.kind];
            if (parent) {
              const found = change.record ? parent(change.record as Record<string, unknown>) : undefined;
              if (found) touch(...found);
            } else if (change.kind !== 'ref' && change.kind !== 'conflict') {
              touch(change.kind as EntityKind, change.id);
            }
          }
          savePartitionState(
            this.db,
            { partition: page.partition, cursor: page.cursor, checksum: checksum.toString() },
            page.head,
          );
        }
        removeUnheld(this.db, deleted);
      });
      this.changesSinceRebase += applied;
      const pending = outboxStats(this.db).pending;
      const shadows = shadowCount(this.db);
      const unsettled = pending > 0 || shadows > 0;
      const rebase = atHead
        ? rebaseNeeded() || (applied > 0 && unsettled)
        : pending > 0 && shadows < shadowsBefore && pending <= this.changesSinceRebase;
      if (rebase) {
        withWriteMode(this.db, 'restore', () => restoreShadows(this.db));
        for (const change of this.replayPending()) touch(change.kind, change.id);
        setSyncMeta(this.db, 'rebase_needed', null);
        this.changesSinceRebase = 0;
      } else if (applied > 0 && unsettled) {
        setSyncMeta(this.db, 'rebase_needed', '1');
      }
    });
    withoutFsync(this.db, () => apply.immediate());
    if (this.checkpointing) this.checkpointer?.request();
    for (const [kind, ids] of touched) {
      this.options.desk?.events.emit('entity.changed', { kind, ids: [...ids], countyIds: [] });
    }
    // Newest first: a pull that brings many announces the latest few.
    if (arriving.length > 0) this.options.desk?.announceWarnings(arriving.reverse());
    if (urgent.length > 0) this.options.desk?.announceIncidents(urgent.reverse());
    if (applied > 0 || touched.size > 0) this.emitStatus();
    return applied;
  }

  /**
   * Re-applies the outbox on top of the server state, with capture on so fresh shadows are taken. A command that
   * no longer applies stays pending: the server has the last word on it.
   */
  private replayPending(): { kind: EntityKind; id: string }[] {
    const changes: { kind: EntityKind; id: string }[] = [];
    for (const entry of listOutbox(this.db, Number.MAX_SAFE_INTEGER)) {
      this.replays += 1;
      try {
        const applied = applyCommand(
          this.db,
          this.actorFor(entry.operatorId),
          entry.name as CommandName,
          entry.input,
          {
            commandId: entry.commandId,
            at: entry.at,
            replay: true,
          },
        );
        for (const change of applied.changes) changes.push({ kind: change.kind, id: change.id });
      } catch {
        // Left pending: when the server refuses it too, it is rolled back and listed as rejected.
      }
    }
    return changes;
  }

  // ---------- live ----------

  private openLive(): void {
    if (!this.started || !this.automatic || this.liveClose || !this.token) return;
    let opened = false;
    this.liveClose = this.transport.live(this.token, {
      onOpen: () => {
        opened = true;
        this.liveAttempt = 0;
        this.requestSync();
      },
      onPoke: () => this.requestSync(),
      onClose: () => {
        this.liveClose = null;
        if (!this.started) return;
        if (!opened) this.liveAttempt += 1;
        const delay = backoffDelay(this.liveAttempt, this.backoff, this.random);
        // Catch up before listening again, rather than reopening the channel at once: pokes sent while it was down
        // are lost, and its session may have ended (the server closes a live channel whose session expires). The
        // cycle renews the session when the server refuses it, and a successful cycle reopens the channel; while
        // the channel cannot open, this polls at the backoff's pace.
        this.liveTimer = setTimeout(() => {
          this.liveTimer = null;
          this.requestSync();
        }, delay);
        this.liveTimer.unref?.();
      },
    });
  }

  // ---------- status ----------

  private setMode(mode: SyncStatus['mode']): void {
    if (this.mode === mode) return;
    this.mode = mode;
    this.emitStatus();
  }

  /**
   * Sends the status once the current synchronous work is done: counting a week's outbox after each of a
   * thousand commands written in one go made writing them quadratic.
   */
  private emitStatus(): void {
    if (this.statusQueued) return;
    this.statusQueued = true;
    queueMicrotask(() => {
      this.statusQueued = false;
      this.sendStatus();
    });
  }

  private sendStatus(): void {
    if (!this.options.desk || !this.db.open) return;
    const status = this.status();
    const json = JSON.stringify(status);
    if (json === this.lastStatusJson) return;
    this.lastStatusJson = json;
    this.options.desk.events.emit('sync.status', status);
  }

  private toDeskError(error: ServerRefusal): DeskError {
    return new DeskError(error.info.code, error.info.message, error.info.details);
  }

  /** Pending count and age, for callers that do not go through the contract. */
  pending(): { pending: number; oldestAt: number | null } {
    return outboxStats(this.db);
  }
}
