// Domain records: the shapes every part of Command Desk agrees on, with their validation schemas.
import { z } from 'zod';

export const LIMITS = {
  shortText: 200,
  longText: 4000,
  listItems: 200,
  idLength: 64,
} as const;

export const ID_PATTERN = /^[A-Za-z0-9_.:-]+$/;
export const Id = z
  .string()
  .min(1)
  .max(LIMITS.idLength)
  .regex(ID_PATTERN, 'ids use letters, digits and _ . : -');
export const ShortText = z.string().max(LIMITS.shortText);
export const LongText = z.string().max(LIMITS.longText);
export const Timestamp = z.number().int().nonnegative();

export const LngLat = z.object({
  lng: z.number().min(-180).max(180),
  lat: z.number().min(-90).max(90),
});
export type LngLat = z.infer<typeof LngLat>;

export const BBox = z.object({
  west: z.number().min(-180).max(180),
  south: z.number().min(-90).max(90),
  east: z.number().min(-180).max(180),
  north: z.number().min(-90).max(90),
});
export type BBox = z.infer<typeof BBox>;

// ---------- jurisdiction (辖区): city → county/district → station ----------

export const CITY_ID = '610900';

export const OrgKind = z.enum(['command_center', 'station', 'traffic_brigade', 'special_team']);
export type OrgKind = z.infer<typeof OrgKind>;

export interface Jurisdiction {
  id: string;
  parentId: string | null;
  level: 'city' | 'county';
  name: string;
  nameEn: string;
  bureau: string;
  bureauEn: string;
  center: LngLat;
}

export interface Org {
  id: string;
  countyId: string;
  kind: OrgKind;
  name: string;
  nameEn: string;
  location: LngLat;
}

export interface Place {
  id: string;
  countyId: string;
  kind: 'county_seat' | 'town' | 'landmark';
  name: string;
  nameEn: string;
  location: LngLat;
}

// ---------- roles ----------

export const Role = z.enum([
  'city_commander',
  'dispatcher',
  'county_operator',
  'supervisor',
  'analyst',
  'admin',
]);
export type Role = z.infer<typeof Role>;

/** Who is acting: resolved from a session by the host, never taken from command input. */
export interface Actor {
  operatorId: string;
  name: string;
  role: Role;
  /** CITY_ID for city-wide operators, otherwise a county id. */
  jurisdictionId: string;
  /** The organisation the operator works for (their order inbox). */
  orgId: string | null;
  workstationId: string;
}

// ---------- incident (警情) ----------

export const IncidentSource = z.enum(['call_110', 'walk_in', 'video_patrol', 'alarm', 'transfer']);
export type IncidentSource = z.infer<typeof IncidentSource>;

export const IncidentCategory = z.enum([
  'theft',
  'burglary',
  'robbery',
  'assault',
  'fraud',
  'traffic_accident',
  'traffic_violation',
  'dispute',
  'missing_person',
  'fire',
  'public_order',
  'drugs',
  'help',
  'other',
]);
export type IncidentCategory = z.infer<typeof IncidentCategory>;

/** 1 is the highest priority (一级警情). */
export const Priority = z.number().int().min(1).max(4);
export type Priority = z.infer<typeof Priority>;

export const IncidentStatus = z.enum([
  'received', // 接警
  'dispatched', // 派警
  'on_scene', // 到场
  'handled', // 处置完毕
  'closed', // 结警
  'cancelled', // 撤销
  'duplicate', // 重复
  'merged', // 合并
]);
export type IncidentStatus = z.infer<typeof IncidentStatus>;

export interface Incident {
  id: string;
  number: string;
  countyId: string;
  source: IncidentSource;
  category: IncidentCategory;
  priority: Priority;
  status: IncidentStatus;
  callerName: string;
  callerPhone: string;
  address: string;
  summary: string;
  notes: string;
  location: LngLat;
  receivedAt: number;
  updatedAt: number;
  disposition: string;
  assignedOrgId: string | null;
  mergedIntoId: string | null;
  caseId: string | null;
  createdBy: string;
}

export interface IncidentLink {
  incidentId: string;
  otherId: string;
  kind: 'related' | 'duplicate' | 'merged';
  at: number;
  by: string;
}

// ---------- order (指令) and its targets ----------

export const OrderTemplate = z.enum(['checkpoint_search', 'dispatch', 'custom']);
export type OrderTemplate = z.infer<typeof OrderTemplate>;

export const OrderStatus = z.enum([
  'draft', // 研
  'issued', // 交
  'in_progress', // 办
  'supervised', // 督
  'concluded', // 结
  'cancelled',
]);
export type OrderStatus = z.infer<typeof OrderStatus>;

export const TargetState = z.enum([
  'issued', // 下达
  'signed', // 签收
  'executing', // 执行中
  'reported', // 反馈
  'completed', // 完成
]);
export type TargetState = z.infer<typeof TargetState>;

export const TargetKind = z.enum(['org', 'unit', 'checkpoint']);
export type TargetKind = z.infer<typeof TargetKind>;

export type OverdueKind = 'none' | 'sign' | 'finish';

export interface OrderTarget {
  orderId: string;
  targetId: string;
  targetKind: TargetKind;
  /** The county that must act on this target (signs, reports back). */
  countyId: string;
  name: string;
  state: TargetState;
  signDeadline: number;
  finishDeadline: number;
  signedAt: number | null;
  signedBy: string | null;
  reportedAt: number | null;
  completedAt: number | null;
  overdue: OverdueKind;
  escalationLevel: number;
}

export interface Order {
  id: string;
  /** Partition of the order: the county of all its targets, or the city when they span counties. */
  countyId: string;
  incidentId: string | null;
  template: OrderTemplate;
  title: string;
  content: string;
  status: OrderStatus;
  issuedBy: string;
  issuedAt: number;
  updatedAt: number;
  signDeadlineMin: number;
  finishDeadlineMin: number;
  cancelReason: string;
  targets: OrderTarget[];
}

export interface OrderFeedback {
  id: string;
  orderId: string;
  targetId: string;
  text: string;
  at: number;
  by: string;
}

// ---------- unit (警力) and checkpoint (卡点) ----------

export const UnitKind = z.enum(['patrol_car', 'foot_patrol', 'traffic_car', 'special_team']);
export type UnitKind = z.infer<typeof UnitKind>;

export const UnitStatus = z.enum(['available', 'dispatched', 'en_route', 'on_scene', 'busy', 'off_duty']);
export type UnitStatus = z.infer<typeof UnitStatus>;

export interface Unit {
  id: string;
  countyId: string;
  orgId: string;
  kind: UnitKind;
  callsign: string;
  callsignEn: string;
  status: UnitStatus;
  location: LngLat;
  incidentId: string | null;
  updatedAt: number;
}

export interface Checkpoint {
  id: string;
  countyId: string;
  orgId: string;
  name: string;
  nameEn: string;
  road: string;
  location: LngLat;
  active: boolean;
  orderId: string | null;
  updatedAt: number;
}

// ---------- case (案件) and references ----------

export const CaseStatus = z.enum(['open', 'investigating', 'solved', 'closed']);
export type CaseStatus = z.infer<typeof CaseStatus>;

export interface Case {
  id: string;
  countyId: string;
  title: string;
  summary: string;
  status: CaseStatus;
  incidentIds: string[];
  createdAt: number;
  updatedAt: number;
  createdBy: string;
}

export const PersonRef = z.object({
  kind: z.literal('person'),
  name: ShortText.min(1),
  idNumber: z
    .string()
    .regex(/^[0-9]{17}[0-9Xx]$/, 'an ID number has 18 characters')
    .optional(),
  phone: z
    .string()
    .regex(/^[0-9+\- ]{3,20}$/, 'a phone number has 3 to 20 digits')
    .optional(),
  role: z.enum(['suspect', 'victim', 'witness', 'caller', 'other']),
});
export const VehicleRef = z.object({
  kind: z.literal('vehicle'),
  plate: z.string().min(2).max(16),
  description: ShortText.optional(),
});
export const EntityRefInput = z.discriminatedUnion('kind', [PersonRef, VehicleRef]);
export type EntityRefInput = z.infer<typeof EntityRefInput>;

export type EntityRef = EntityRefInput & {
  id: string;
  entityKind: 'incident' | 'case';
  entityId: string;
  at: number;
  by: string;
};

// ---------- timeline and audit ----------

export interface TimelineEntry {
  id: string;
  incidentId: string;
  at: number;
  kind: string;
  text: string;
  by: string;
  data: Record<string, unknown>;
}

export interface AuditEntry {
  seq: number;
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
  prevHash: string;
  hash: string;
}

export type EntityKind =
  'incident' | 'order' | 'unit' | 'checkpoint' | 'case' | 'watch_entry' | 'check' | 'warning';

// ---------- watch list (布控), checkpoint checks (盘查记录) and warnings (预警) ----------

/** What a watch-list entry watches for: a person by ID number, a vehicle plate, a phone number. */
export const WatchKind = z.enum(['person', 'plate', 'phone']);
export type WatchKind = z.infer<typeof WatchKind>;

/** 1 red (一级, most urgent), 2 orange, 3 yellow. */
export const WatchLevel = z.number().int().min(1).max(3);
export type WatchLevel = 1 | 2 | 3;

export interface WatchEntry {
  id: string;
  /** The owner county, whose checkpoints it watches; CITY_ID for a city-wide entry (every checkpoint). */
  countyId: string;
  kind: WatchKind;
  /** Normalised (see domain/watch.ts), so a check matches it by equality. */
  value: string;
  /** Who or what it is, for people reading the warning: a name, a vehicle description. */
  label: string;
  reason: string;
  level: WatchLevel;
  active: boolean;
  /** After this instant the entry no longer matches; null: until deactivated. */
  validUntil: number | null;
  /** The incident the entry was raised for; its warnings are linked to it. */
  incidentId: string | null;
  createdAt: number;
  createdBy: string;
  updatedAt: number;
}

/** One check at a checkpoint (盘查记录): append-only, in the checkpoint's county. */
export interface CheckpointCheck {
  id: string;
  checkpointId: string;
  countyId: string;
  /** When the check was made (may be before it was entered). */
  at: number;
  plate: string | null;
  personId: string | null;
  phone: string | null;
  note: string;
  by: string;
}

export const WarningStatus = z.enum([
  'new', // 新预警
  'acknowledged', // 已签收
  'handled', // 已处置
]);
export type WarningStatus = z.infer<typeof WarningStatus>;

/**
 * A check that matched an active watch-list entry. It carries what the entry said when it matched, so a console
 * that cannot read the entry (another county's) still knows what the warning is about.
 */
export interface Warning {
  /** Derived from the check and the entry, so every store that applies the check raises the same warning. */
  id: string;
  watchId: string;
  checkId: string;
  checkpointId: string;
  countyId: string;
  /** The checkpoint's place. */
  location: LngLat;
  kind: WatchKind;
  value: string;
  label: string;
  reason: string;
  level: WatchLevel;
  status: WarningStatus;
  raisedAt: number;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  handledAt: number | null;
  handledBy: string | null;
  handleNote: string;
  incidentId: string | null;
  updatedAt: number;
}
