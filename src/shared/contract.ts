// The workstation API contract: every command, query and event the renderer may use, defined once.
// The core implements it (src/main/api); transports (Electron IPC, loopback WebSocket) only carry it.
import { z } from 'zod';
import {
  BBox,
  CaseStatus,
  EntityRefInput,
  Id,
  IncidentCategory,
  IncidentSource,
  IncidentStatus,
  LIMITS,
  LngLat,
  LongText,
  OrderStatus,
  OrderTemplate,
  Priority,
  ShortText,
  TargetKind,
  Timestamp,
  UnitStatus,
  WarningStatus,
  WatchKind,
  WatchLevel,
} from './domain/model';
import type {
  Actor,
  AuditEntry,
  Case,
  Checkpoint,
  CheckpointCheck,
  EntityKind,
  EntityRef,
  Incident,
  Jurisdiction,
  Order,
  OrderFeedback,
  OrderTarget,
  Org,
  Place,
  TimelineEntry,
  Unit,
  Warning,
  WatchEntry,
} from './domain/model';
import { normaliseWatchValue, watchValue, watchValueProblem } from './domain/watch';
import type { ErrorInfo } from './errors';
import type { Conflict } from './sync';

const Phone = z
  .string()
  .max(20)
  .regex(/^[0-9+\- ]*$/, 'a phone number holds digits, spaces, + and - only');

// ---------- command inputs ----------

const IncidentCreate = z.strictObject({
  id: Id.optional(),
  /** Assigned by the workstation that records the call; kept as is when the command is replayed elsewhere. */
  number: z.string().max(40).optional(),
  source: IncidentSource,
  category: IncidentCategory,
  priority: Priority,
  callerName: ShortText.default(''),
  callerPhone: Phone.default(''),
  address: ShortText.min(1),
  summary: LongText.min(1),
  location: LngLat,
  /** Required for city-wide operators; a county operator's own county otherwise. */
  countyId: Id.optional(),
  receivedAt: Timestamp.optional(),
});

const IncidentPatch = z.strictObject({
  category: IncidentCategory.optional(),
  priority: Priority.optional(),
  callerName: ShortText.optional(),
  callerPhone: Phone.optional(),
  address: ShortText.min(1).optional(),
  summary: LongText.min(1).optional(),
  notes: LongText.optional(),
  location: LngLat.optional(),
  countyId: Id.optional(),
  assignedOrgId: Id.nullable().optional(),
});

const TargetInput = z.strictObject({ targetKind: TargetKind, targetId: Id });

/**
 * What the operator saw when they made the change (filled by the workstation from its local record). When the
 * server's record no longer holds these values, the field is not overwritten and a conflict is recorded instead.
 */
const IncidentExpected = z.strictObject({
  status: IncidentStatus.optional(),
  priority: Priority.optional(),
  assignedOrgId: Id.nullable().optional(),
});
const CaseExpected = z.strictObject({ status: CaseStatus.optional() });
/** The conflicting field's value the operator saw when choosing (a status, a priority, an organisation or none). */
const ConflictExpected = z.strictObject({ value: z.union([z.string(), z.number(), z.null()]) });

/** A watch-list entry; its value is stored normalised (plates upper case without spaces, phones digits only). */
const WatchAdd = z
  .strictObject({
    id: Id.optional(),
    kind: WatchKind,
    value: z.string().min(1).max(40),
    label: ShortText.default(''),
    reason: ShortText.min(1),
    level: WatchLevel.default(2),
    /** The owner county, or CITY_ID for a city-wide entry; the operator's own jurisdiction when left out. */
    countyId: Id.optional(),
    validUntil: Timestamp.nullable().default(null),
    incidentId: Id.nullable().default(null),
  })
  .transform((input, ctx) => {
    const value = normaliseWatchValue(input.kind, input.value);
    const problem = watchValueProblem(input.kind, value);
    if (problem) {
      ctx.addIssue({
        code: 'custom',
        message: `${problem} (got ${JSON.stringify(input.value)})`,
        path: ['value'],
      });
      return z.NEVER;
    }
    return { ...input, value };
  });

/** One check at a checkpoint (盘查): what was checked, each value normalised like the watch list's. */
const LogCheck = z
  .strictObject({
    checkpointId: Id,
    plate: watchValue('plate').optional(),
    personId: watchValue('person').optional(),
    phone: watchValue('phone').optional(),
    note: LongText.default(''),
    /** When the check was made; the command's time when left out. */
    at: Timestamp.optional(),
  })
  .refine((check) => check.plate !== undefined || check.personId !== undefined || check.phone !== undefined, {
    message: 'a check names at least one of plate, personId, phone',
  });

export const commandSchemas = {
  'incident.create': IncidentCreate,
  'incident.update': z.strictObject({ id: Id, patch: IncidentPatch, expected: IncidentExpected.optional() }),
  'incident.setStatus': z.strictObject({
    id: Id,
    status: IncidentStatus,
    disposition: LongText.optional(),
    expected: IncidentExpected.optional(),
  }),
  'incident.link': z.strictObject({ id: Id, otherId: Id }),
  'incident.merge': z.strictObject({ id: Id, intoId: Id }),
  'incident.addNote': z.strictObject({ id: Id, text: LongText.min(1) }),
  'incident.addRef': z.strictObject({ id: Id, ref: EntityRefInput }),
  'order.issue': z.strictObject({
    id: Id.optional(),
    incidentId: Id.nullable().default(null),
    template: OrderTemplate,
    title: ShortText.min(1),
    content: LongText.default(''),
    targets: z.array(TargetInput).min(1).max(LIMITS.listItems),
    signDeadlineMin: z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(5),
    finishDeadlineMin: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60)
      .default(60),
  }),
  'order.sign': z.strictObject({ orderId: Id, targetId: Id }),
  'order.start': z.strictObject({ orderId: Id, targetId: Id }),
  'order.feedback': z.strictObject({ orderId: Id, targetId: Id, text: LongText.min(1) }),
  'order.complete': z.strictObject({ orderId: Id, targetId: Id }),
  'order.cancel': z.strictObject({ orderId: Id, reason: ShortText.min(1) }),
  /** Sent by the supervision timer; idempotent by level, so a restart never repeats an escalation. */
  'order.escalate': z.strictObject({
    orderId: Id,
    targetId: Id,
    overdue: z.enum(['sign', 'finish']),
    level: z.number().int().min(1).max(9),
  }),
  'unit.setStatus': z.strictObject({ id: Id, status: UnitStatus, incidentId: Id.nullable().optional() }),
  'unit.move': z.strictObject({ id: Id, location: LngLat }),
  'checkpoint.setActive': z.strictObject({ id: Id, active: z.boolean(), orderId: Id.nullable().optional() }),
  'case.create': z.strictObject({
    id: Id.optional(),
    title: ShortText.min(1),
    summary: LongText.default(''),
    countyId: Id.optional(),
    incidentIds: z.array(Id).max(LIMITS.listItems).default([]),
  }),
  'case.setStatus': z.strictObject({ id: Id, status: CaseStatus, expected: CaseExpected.optional() }),
  'case.linkIncident': z.strictObject({ id: Id, incidentId: Id }),
  'case.addRef': z.strictObject({ id: Id, ref: EntityRefInput }),
  /**
   * Closes a conflict: 'mine' applies the value the conflicting command wanted, 'theirs' keeps the record's. When the
   * field changed again since the operator saw it (`expected`), 'mine' records a new conflict instead.
   */
  'conflict.resolve': z.strictObject({
    id: Id,
    choice: z.enum(['mine', 'theirs']),
    expected: ConflictExpected.optional(),
  }),
  'watch.add': WatchAdd,
  'watch.setActive': z.strictObject({ id: Id, active: z.boolean() }),
  /** Append-only; raises a warning for every active, unexpired watch-list entry the check matches. */
  'checkpoint.logCheck': LogCheck,
  'warning.acknowledge': z.strictObject({ id: Id }),
  'warning.handle': z.strictObject({ id: Id, note: LongText.min(1) }),
  'warning.linkIncident': z.strictObject({ id: Id, incidentId: Id }),
} as const;

export interface CommandResults {
  'incident.create': Incident;
  'incident.update': Incident;
  'incident.setStatus': Incident;
  'incident.link': Incident;
  'incident.merge': Incident;
  'incident.addNote': TimelineEntry;
  'incident.addRef': EntityRef;
  'order.issue': Order;
  'order.sign': Order;
  'order.start': Order;
  'order.feedback': Order;
  'order.complete': Order;
  'order.cancel': Order;
  'order.escalate': Order;
  'unit.setStatus': Unit;
  'unit.move': Unit;
  'checkpoint.setActive': Checkpoint;
  'case.create': Case;
  'case.setStatus': Case;
  'case.linkIncident': Case;
  'case.addRef': EntityRef;
  'conflict.resolve': Conflict;
  'watch.add': WatchEntry;
  'watch.setActive': WatchEntry;
  'checkpoint.logCheck': CheckResult;
  'warning.acknowledge': Warning;
  'warning.handle': Warning;
  'warning.linkIncident': Warning;
}

/** A logged check and the warnings it raised (none when nothing on the watch list matched). */
export interface CheckResult {
  check: CheckpointCheck;
  warnings: Warning[];
}

export type CommandName = keyof typeof commandSchemas;
export type CommandInput<N extends CommandName> = z.input<(typeof commandSchemas)[N]>;
export type CommandArgs<N extends CommandName> = z.output<(typeof commandSchemas)[N]>;
export type CommandResult<N extends CommandName> = CommandResults[N];

// ---------- queries ----------

const Page = {
  limit: z.number().int().min(1).max(1000).default(200),
  offset: z.number().int().min(0).default(0),
};

const DispatchPreview = z.strictObject({
  template: z.enum(['checkpoint_search', 'dispatch']),
  incidentId: Id.optional(),
  location: LngLat.optional(),
  countyId: Id.optional(),
  radiusKm: z.number().positive().max(200).default(15),
  count: z.number().int().min(1).max(50).default(3),
});

export const querySchemas = {
  'session.get': z.strictObject({}),
  'region.get': z.strictObject({}),
  'incident.get': z.strictObject({ id: Id }),
  'incident.list': z.strictObject({
    status: z.array(IncidentStatus).max(8).optional(),
    countyId: Id.optional(),
    from: Timestamp.optional(),
    to: Timestamp.optional(),
    bbox: BBox.optional(),
    minPriority: Priority.optional(),
    ...Page,
    /** A page's `next`: the page after it, whatever was added meanwhile (offset is then ignored). */
    cursor: z
      .string()
      .regex(/^\d{1,16}\.\d{1,19}$/, 'a cursor is the `next` of an earlier incident.list page')
      .optional(),
  }),
  'incident.search': z.strictObject({
    text: z.string().min(1).max(100),
    limit: z.number().int().min(1).max(200).default(50),
  }),
  'incident.timeline': z.strictObject({ id: Id }),
  'incident.duplicates': z.strictObject({
    category: IncidentCategory,
    location: LngLat,
    receivedAt: Timestamp.optional(),
    excludeId: Id.optional(),
  }),
  'order.get': z.strictObject({ id: Id }),
  'order.list': z.strictObject({
    incidentId: Id.optional(),
    status: z.array(OrderStatus).max(6).optional(),
    ...Page,
  }),
  'order.inbox': z.strictObject({ orgId: Id.optional(), includeDone: z.boolean().default(false) }),
  'order.overdue': z.strictObject({}),
  'order.feedbackList': z.strictObject({ orderId: Id }),
  'dispatch.preview': DispatchPreview,
  'unit.list': z.strictObject({ countyId: Id.optional(), status: z.array(UnitStatus).max(6).optional() }),
  'checkpoint.list': z.strictObject({ countyId: Id.optional(), bbox: BBox.optional() }),
  'case.get': z.strictObject({ id: Id }),
  'case.list': z.strictObject({ status: z.array(CaseStatus).max(4).optional(), ...Page }),
  'audit.list': z.strictObject({ entityId: Id.optional(), ...Page }),
  'audit.verify': z.strictObject({}),
  /** Sync with the central server: mode, queue, last success, what awaits the operator. */
  'sync.status': z.strictObject({}),
  /** Commands the server refused, newest first; dismissed ones only when asked. */
  'sync.rejections': z.strictObject({ includeDismissed: z.boolean().default(false) }),
  /** Local only (never sent to the server): the operator has seen a rejection. Returns the rejections left. */
  'sync.dismissRejection': z.strictObject({ commandId: z.string().min(1).max(LIMITS.idLength) }),
  /** Open conflicts on records in the operator's jurisdiction, oldest first. */
  'sync.conflicts': z.strictObject({}),
  'watch.list': z.strictObject({
    countyId: Id.optional(),
    kind: WatchKind.optional(),
    activeOnly: z.boolean().default(false),
    ...Page,
  }),
  'checkpoint.checks': z.strictObject({
    checkpointId: Id.optional(),
    countyId: Id.optional(),
    from: Timestamp.optional(),
    to: Timestamp.optional(),
    ...Page,
  }),
  'warning.get': z.strictObject({ id: Id }),
  /** Newest first. */
  'warning.list': z.strictObject({
    status: z.array(WarningStatus).max(3).optional(),
    countyId: Id.optional(),
    bbox: BBox.optional(),
    ...Page,
  }),
} as const;

export interface RegionInfo {
  city: Jurisdiction;
  counties: Jurisdiction[];
  orgs: Org[];
  places: Place[];
}

export interface ProposedTarget {
  targetKind: 'org' | 'unit' | 'checkpoint';
  targetId: string;
  countyId: string;
  name: string;
  nameEn: string;
  location: LngLat;
  distanceKm: number;
  reason: 'checkpoint_in_radius' | 'traffic_brigade' | 'area_station' | 'nearest_unit';
}

export interface DispatchProposal {
  template: 'checkpoint_search' | 'dispatch';
  center: LngLat;
  countyId: string;
  title: string;
  content: string;
  targets: ProposedTarget[];
}

export interface DuplicateCandidate {
  incident: Incident;
  distanceKm: number;
  minutesApart: number;
}

export interface InboxItem {
  order: Order;
  target: OrderTarget;
}

export interface AuditVerifyResult {
  ok: boolean;
  checked: number;
  firstBroken: { seq: number; reason: string } | null;
}

export interface SyncStatus {
  /** standalone: no server configured; online: the last exchange with the server succeeded; offline: it failed. */
  mode: 'standalone' | 'online' | 'offline';
  /** Local commands not yet accepted by the server. */
  pending: number;
  /** When the oldest pending command was made (its age is now - this). */
  oldestPendingAt: number | null;
  lastSyncAt: number | null;
  lastError: string | null;
  /** Open conflicts awaiting an operator's choice. */
  conflicts: number;
  /** Rejected commands not yet dismissed. */
  rejections: number;
}

/** A command the server refused: rolled back on this workstation, shown until dismissed. */
export interface Rejection {
  commandId: string;
  counter: number;
  name: string;
  input: unknown;
  operatorId: string;
  at: number;
  error: ErrorInfo;
  rejectedAt: number;
  dismissed: boolean;
}

export interface QueryResults {
  'session.get': Actor;
  'region.get': RegionInfo;
  'incident.get': Incident;
  'incident.list': { items: Incident[]; total: number; next: string | null };
  'incident.search': Incident[];
  'incident.timeline': TimelineEntry[];
  'incident.duplicates': DuplicateCandidate[];
  'order.get': Order;
  'order.list': { items: Order[]; total: number };
  'order.inbox': InboxItem[];
  'order.overdue': InboxItem[];
  'order.feedbackList': OrderFeedback[];
  'dispatch.preview': DispatchProposal;
  'unit.list': Unit[];
  'checkpoint.list': Checkpoint[];
  'case.get': Case;
  'case.list': { items: Case[]; total: number };
  'audit.list': AuditEntry[];
  'audit.verify': AuditVerifyResult;
  'sync.status': SyncStatus;
  'sync.rejections': Rejection[];
  'sync.dismissRejection': Rejection[];
  'sync.conflicts': Conflict[];
  'watch.list': { items: WatchEntry[]; total: number };
  'checkpoint.checks': { items: CheckpointCheck[]; total: number };
  'warning.get': Warning;
  'warning.list': { items: Warning[]; total: number };
}

export type QueryName = keyof typeof querySchemas;
export type QueryInput<N extends QueryName> = z.input<(typeof querySchemas)[N]>;
export type QueryArgs<N extends QueryName> = z.output<(typeof querySchemas)[N]>;
export type QueryResult<N extends QueryName> = QueryResults[N];

// ---------- events ----------

export interface EventPayloads {
  /** Records changed (locally or by sync); panels refetch what they show. */
  'entity.changed': { kind: EntityKind; ids: string[]; countyIds: string[] };
  'incident.created': { incident: Incident };
  'order.overdue': { order: Order; target: OrderTarget; overdue: 'sign' | 'finish'; level: number };
  /** A check matched the watch list here, or such a warning arrived by sync: once per warning per store. */
  'warning.raised': { warning: Warning };
  'sync.status': SyncStatus;
}
export type EventName = keyof EventPayloads;
export const EVENT_NAMES: readonly EventName[] = [
  'entity.changed',
  'incident.created',
  'order.overdue',
  'warning.raised',
  'sync.status',
];

// ---------- one call shape for every transport ----------

export type Call =
  { kind: 'command'; name: CommandName; input: unknown } | { kind: 'query'; name: QueryName; input: unknown };

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

export function isCommandName(name: string): name is CommandName {
  return Object.prototype.hasOwnProperty.call(commandSchemas, name);
}

export function isQueryName(name: string): name is QueryName {
  return Object.prototype.hasOwnProperty.call(querySchemas, name);
}

/** What the renderer holds: the same interface over IPC or WebSocket. */
export interface DeskClient {
  command<N extends CommandName>(name: N, input: CommandInput<N>): Promise<CommandResult<N>>;
  query<N extends QueryName>(name: N, input: QueryInput<N>): Promise<QueryResult<N>>;
  subscribe<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void;
}
