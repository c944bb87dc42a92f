// The sync protocol between workstations and the central server: push commands, pull changes by
// (partition, cursor), live pokes. Shared so both ends validate the same shapes.
import { z } from 'zod';
import { Id, ID_PATTERN, LIMITS, Timestamp, type Role } from './domain/model';
import type { ErrorInfo } from './errors';

/** Bumped when the wire format changes. 2: every pulled change carries its record's hash. */
export const PROTOCOL_VERSION = 2;
/** Bumped when the shape of a replicated record changes (a migration that changes what is sent). */
export const SCHEMA_VERSION = 2;

/** Largest request body the server reads. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;
export const MAX_PUSH_COMMANDS = 500;
export const MAX_PULL_LIMIT = 5000;
/** A command stamped further than this in the future is clamped to the server's receive time. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;
/**
 * No console made a command before this (Command Desk's first consoles date from November 2026; the start of that
 * year leaves a margin). A command stamped earlier came from a clock that was reset — a flat CMOS battery reads 1970,
 * a firmware its default date such as 2000-01-01 — and is clamped to the server's receive time like one from the
 * future. Why a fixed date rather than the workstation's enrolment: see wrongClock in src/server/hub.ts.
 */
export const EARLIEST_COMMAND_AT = Date.UTC(2026, 0, 1);

/**
 * A time a console put in a command's input (an incident's receivedAt), as every store takes it: the command's own
 * time (as the server clamped it) when left out, further ahead of it than MAX_CLOCK_SKEW_MS, or before any console
 * existed. Such a time comes from the same wrong clock as a clamped `at`: kept, its call would read 1970 (or days
 * ahead) and sit at one end of every queue sorted by time.
 */
export function consoleTime(time: number | undefined, at: number): number {
  return time === undefined || time > at + MAX_CLOCK_SKEW_MS || time < EARLIEST_COMMAND_AT ? at : time;
}

/**
 * Partitions: one per county (its id) and one city-wide (CITY_ID). A county workstation reads its county
 * and the city partition; a city workstation reads all.
 */
export type PartitionId = string;

/** What replicates: the main records, and the append-only children that merge by union. */
export const ChangeKind = z.enum([
  'incident',
  'order',
  'unit',
  'checkpoint',
  'case',
  'timeline',
  'feedback',
  'incident_link',
  'ref',
  'conflict',
  // Watch-list entries (their owner county, or the city partition when city-wide), checkpoint checks
  // (append-only) and warnings (status forward only), both in the checkpoint's county.
  'watch_entry',
  'check',
  'warning',
]);
export type ChangeKind = z.infer<typeof ChangeKind>;

export interface Change {
  seq: number;
  partition: PartitionId;
  kind: ChangeKind;
  id: string;
  /** 'delete' when the record left this partition (moved to another county) or was removed. */
  op: 'put' | 'delete';
  /** The record as the server holds it; null for a delete. */
  record: unknown;
  /**
   * The record's hash as the server logged it: sha256 of `kind NUL id NUL canonical JSON`, lower-case hex
   * (src/main/sync/checksum.ts); '' for a delete. The partition checksum is the XOR of these. A workstation
   * refuses a page whose record does not hash to this.
   */
  hash: string;
}

/** A record hash on the wire: 64 lower-case hex digits. */
const RecordHash = z.string().regex(/^[0-9a-f]{64}$/, 'a record hash is 64 lower-case hex digits');

/** The id a change travels under: a record id, or `incidentId/otherId` for an incident link. */
/** A change's id: a record id, or a pair of them (an incident link travels as `<a>/<b>`). */
export const CHANGE_ID_LENGTH = 2 * 64 + 1;
export const CHANGE_ID_PATTERN = /^[A-Za-z0-9_.:/-]+$/;
const ChangeId = z
  .string()
  .min(1)
  .max(CHANGE_ID_LENGTH)
  .regex(CHANGE_ID_PATTERN, 'change ids use letters, digits and _ . : - /');

const PulledChange = z.discriminatedUnion('op', [
  z.strictObject({
    seq: z.number().int().positive(),
    partition: Id,
    kind: ChangeKind,
    id: ChangeId,
    op: z.literal('put'),
    // An object; its fields are the server's (the hash check proves it is the record the server hashed).
    record: z.custom<Record<string, unknown>>(
      (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
      'a record is a JSON object',
    ),
    hash: RecordHash,
  }),
  z.strictObject({
    seq: z.number().int().positive(),
    partition: Id,
    kind: ChangeKind,
    id: ChangeId,
    op: z.literal('delete'),
    record: z.null(),
    hash: z.literal(''),
  }),
]);

const Versions = {
  protocol: z.number().int(),
  schema: z.number().int(),
};

/**
 * The longest command id a push may carry. The records a command creates are named after it (`<command id>.case1`,
 * `.conflict12`, ...) and every command addresses a record by an Id of at most 64 characters: a longer command id
 * made records nobody could ever update, close or resolve. A console's ids are version 7 UUIDs (36 characters).
 */
export const MAX_COMMAND_ID_LENGTH = 48;

export const PushedCommand = z.strictObject({
  commandId: Id.max(
    MAX_COMMAND_ID_LENGTH,
    `a command id has at most ${MAX_COMMAND_ID_LENGTH} characters: the records it creates are named after it`,
  ),
  counter: z.number().int().positive(),
  name: z.string().min(1).max(64),
  input: z.unknown(),
  operatorId: Id,
  at: Timestamp,
});
export type PushedCommand = z.infer<typeof PushedCommand>;

export const PushRequest = z.strictObject({
  ...Versions,
  workstationId: Id,
  commands: z.array(PushedCommand).max(MAX_PUSH_COMMANDS),
});
export type PushRequest = z.infer<typeof PushRequest>;

export type PushStatus = 'applied' | 'duplicate' | 'rejected';

export interface PushResult {
  commandId: string;
  counter: number;
  status: PushStatus;
  error?: ErrorInfo;
}

export interface PushResponse {
  results: PushResult[];
  serverTime: number;
}

export const PullRequest = z.strictObject({
  ...Versions,
  workstationId: Id,
  partitions: z
    .array(z.strictObject({ partition: Id, cursor: z.number().int().min(0) }))
    .min(1)
    .max(20)
    // Each partition once: a repeat would be answered again, up to 20 copies of a full page in one answer.
    .superRefine((parts, ctx) => {
      const seen = new Set<string>();
      parts.forEach(({ partition }, index) => {
        if (seen.has(partition))
          ctx.addIssue({
            code: 'custom',
            path: [index, 'partition'],
            message: `partition ${partition} is asked twice`,
          });
        seen.add(partition);
      });
    }),
  limit: z.number().int().min(1).max(MAX_PULL_LIMIT).default(1000),
});
export type PullRequest = z.infer<typeof PullRequest>;

export interface PullPage {
  partition: PartitionId;
  changes: Change[];
  /** The cursor after this page: the seq of its last change, or the request's cursor when empty. */
  cursor: number;
  /** The partition's head sequence at the time of the answer. */
  head: number;
  hasMore: boolean;
  /**
   * Order-independent digest of the partition's current records at `head` (XOR of per-record hashes).
   * A workstation at `head` whose own digest differs has diverged and re-downloads the partition from 0.
   */
  checksum: string;
}

export interface PullResponse {
  pages: PullPage[];
  serverTime: number;
}

/**
 * The pull answer as a workstation checks it before applying anything: a server that sends something else (an
 * older or newer protocol behind the same version numbers, a truncated body) is refused with the field named.
 * Whether each record matches its hash is checked by the workstation (it needs node:crypto).
 */
export const PullResponseSchema = z.strictObject({
  pages: z.array(
    z
      .strictObject({
        partition: Id,
        changes: z.array(PulledChange),
        cursor: z.number().int().min(0),
        head: z.number().int().min(0),
        hasMore: z.boolean(),
        checksum: RecordHash,
      })
      .refine((page) => page.changes.every((change) => change.partition === page.partition), {
        message: "every change of a page is in the page's partition",
      }),
  ),
  serverTime: Timestamp,
});

/** The change kinds, for the checks written out by hand (here and in pull-scan.ts). */
export const CHANGE_KINDS: ReadonlySet<string> = new Set(ChangeKind.options);
const HASH_PATTERN = /^[0-9a-f]{64}$/;

const isId = (value: unknown): boolean =>
  typeof value === 'string' && value.length >= 1 && value.length <= LIMITS.idLength && ID_PATTERN.test(value);
const isCount = (value: unknown, least: number): boolean =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= least;
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const hasKeys = (value: Record<string, unknown>, count: number): boolean =>
  Object.keys(value).length === count;

function isPulledChange(value: unknown, partition: unknown): boolean {
  if (!isObject(value) || !hasKeys(value, 7)) return false;
  const { seq, kind, id, op, record, hash } = value;
  if (
    !isCount(seq, 1) ||
    value.partition !== partition ||
    typeof kind !== 'string' ||
    !CHANGE_KINDS.has(kind)
  )
    return false;
  if (typeof id !== 'string' || id.length < 1 || id.length > CHANGE_ID_LENGTH || !CHANGE_ID_PATTERN.test(id))
    return false;
  if (op === 'put') return isObject(record) && typeof hash === 'string' && HASH_PATTERN.test(hash);
  return op === 'delete' && record === null && hash === '';
}

/**
 * PullResponseSchema written out by hand, for the pull reader's fast path: what it accepts the schema accepts (a
 * test holds the two together over thousands of altered answers), at a tenth of the schema's cost (~2.6 ms per
 * 2,000-change page in the worker). It says only yes or no; an answer it refuses is checked by the schema, which
 * names what is wrong.
 */
export function isPullResponse(body: unknown): body is PullResponse {
  if (!isObject(body) || !hasKeys(body, 2) || !Array.isArray(body.pages) || !isCount(body.serverTime, 0))
    return false;
  for (const page of body.pages as unknown[]) {
    if (!isObject(page) || !hasKeys(page, 6) || !isId(page.partition) || !Array.isArray(page.changes))
      return false;
    if (!isCount(page.cursor, 0) || !isCount(page.head, 0) || typeof page.hasMore !== 'boolean') return false;
    if (typeof page.checksum !== 'string' || !HASH_PATTERN.test(page.checksum)) return false;
    for (const change of page.changes as unknown[]) if (!isPulledChange(change, page.partition)) return false;
  }
  return true;
}

/** Server → workstation over the live WebSocket: something new in a partition; pull now. */
export interface LivePoke {
  type: 'poke';
  partition: PartitionId;
  head: number;
}

export interface VersionError {
  code: 'version_mismatch';
  message: string;
  server: { protocol: number; schema: number };
}

/** The id a replicated incident link travels under (the table's key is the pair). */
export function incidentLinkId(incidentId: string, otherId: string): string {
  return `${incidentId}/${otherId}`;
}

/**
 * A concurrent change to status, priority or assignment that the server kept for the operator to resolve
 * instead of overwriting: `theirs` is what the record holds, `mine` what the command wanted.
 */
export interface Conflict {
  id: string;
  kind: 'incident' | 'case';
  /** Replicated in the entity's partition, like its other children. */
  entityId: string;
  field: 'status' | 'priority' | 'assignedOrgId';
  mine: unknown;
  theirs: unknown;
  commandId: string;
  operatorId: string;
  at: number;
  resolvedAt: number | null;
  resolution: 'mine' | 'theirs' | null;
  resolvedBy: string | null;
}

// ---------- identities: enrolment and sign-in ----------

export const EnrollRequest = z.strictObject({
  ...Versions,
  /** The one-time token printed by `npm run server -- workstation enroll`. */
  enrollToken: z.string().min(16).max(200),
  workstationId: Id,
});
export type EnrollRequest = z.infer<typeof EnrollRequest>;

export interface EnrollResponse {
  workstationId: string;
  /** Kept by the workstation; sent with every sign-in. Shown once. */
  workstationSecret: string;
  jurisdictionId: string;
}

export const LoginRequest = z.strictObject({
  ...Versions,
  operatorId: Id,
  password: z.string().min(1).max(200),
  workstationId: Id,
  workstationSecret: z.string().min(16).max(200),
});
export type LoginRequest = z.infer<typeof LoginRequest>;

/** The highest sequence a workstation's incident numbers reached on one county's day (`day` as YYYYMMDD). */
export interface NumbersUsed {
  countyId: string;
  day: string;
  last: number;
}

export interface LoginResponse {
  /** Bearer token for push, pull and live; short-lived. */
  token: string;
  expiresAt: number;
  operator: { id: string; name: string; role: Role; jurisdictionId: string; orgId: string | null };
  /**
   * `numberPrefix`: what this workstation puts before the day's sequence in the incident numbers it assigns
   * (`610926-20261130-B0007`), given by the server, one per enrolled workstation, so two consoles numbering calls
   * of the same county on the same day never hand out the same number. Absent from older servers.
   * `nextCounter`: the counter after the highest this workstation id has pushed. A store behind it (new, or restored
   * from a backup, under an enrolled id) moves its counter and its pending commands up to it: its own counters would
   * name commands the server already holds, and every push would be refused as a conflict. Absent from older servers.
   * `numbersUsed`: per county and day, the highest sequence among the numbers this workstation gave calls the server
   * holds. A store behind it (new, or a backup) counts on from there: its own counters would give those numbers again.
   */
  workstation: {
    id: string;
    jurisdictionId: string;
    numberPrefix?: string;
    nextCounter?: number;
    numbersUsed?: NumbersUsed[];
  };
  serverTime: number;
}
