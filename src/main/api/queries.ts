// Query handlers of the contract: read-only, scoped to what the actor's jurisdiction may see.
import type { InboxItem, QueryArgs, QueryName, QueryResult } from '../../shared/contract';
import { CITY_ID, type Actor, type Order, type OrderTarget } from '../../shared/domain/model';
import { DeskError } from '../../shared/errors';
import { listAudit, verifyAudit } from '../db/audit';
import { getCase, listCases } from '../db/cases';
import { listChecks } from '../db/checkpoint-checks';
import { getCheckpoint, listCheckpoints } from '../db/checkpoints';
import type { DB } from '../db/connection';
import { getIncident, listIncidents, searchIncidents } from '../db/incidents';
import { getOrder, listFeedback, listOrders, overdueTargets, targetsAddressedTo } from '../db/orders';
import { listJurisdictions, listOrgs, listPlaces } from '../db/region';
import { listTimeline } from '../db/timeline';
import { listUnits } from '../db/units';
import { getWarning, listWarnings } from '../db/warnings';
import { listWatchEntries } from '../db/watch-entries';
import { readableCounties } from '../core/access';
import { proposeDispatch } from '../core/dispatch/templates';
import { findDuplicates } from '../core/incidents/duplicates';
import { required } from '../core/lookup';
import { dismissRejection, listRejections, syncStatus } from '../sync/status';
import { listOpenConflicts } from '../db/conflicts';

export interface QueryContext {
  db: DB;
  actor: Actor;
  now: number;
}

type QueryHandlers = { [N in QueryName]: (ctx: QueryContext, args: QueryArgs<N>) => QueryResult<N> };

function visibleTo(actor: Actor): (countyId: string) => boolean {
  const counties = readableCounties(actor);
  return (countyId) => !counties || counties.includes(countyId);
}

function assertVisible(actor: Actor, countyId: string, what: string): void {
  if (!visibleTo(actor)(countyId)) {
    throw new DeskError(
      'forbidden',
      `${what} belongs to county ${countyId}, outside ${actor.operatorId}'s jurisdiction`,
      { countyId },
    );
  }
}

function orderVisible(actor: Actor, order: Order): boolean {
  const visible = visibleTo(actor);
  return visible(order.countyId) || order.targets.some((t) => visible(t.countyId));
}

function countyFilter(actor: Actor, countyId: string | undefined): string[] | undefined {
  const readable = readableCounties(actor);
  if (!countyId) return readable;
  if (readable && !readable.includes(countyId)) return [];
  return [countyId];
}

function inboxItems(db: DB, targets: OrderTarget[]): InboxItem[] {
  const orders = new Map<string, Order>();
  const items: InboxItem[] = [];
  for (const target of targets) {
    let order = orders.get(target.orderId);
    if (!order) {
      order = getOrder(db, target.orderId);
      if (!order) continue;
      orders.set(order.id, order);
    }
    items.push({ order, target });
  }
  return items;
}

export const queryHandlers: QueryHandlers = {
  'session.get': (ctx) => ctx.actor,
  'region.get': (ctx) => {
    const all = listJurisdictions(ctx.db);
    const city = all.find((j) => j.level === 'city');
    if (!city)
      throw new DeskError('not_found', 'this store holds no region: seed it first (npm run desk -- seed)');
    return {
      city,
      counties: all.filter((j) => j.level === 'county'),
      orgs: listOrgs(ctx.db),
      places: listPlaces(ctx.db),
    };
  },
  'incident.get': (ctx, args) => {
    const incident = required(getIncident(ctx.db, args.id), 'incident', args.id);
    assertVisible(ctx.actor, incident.countyId, `incident ${incident.id}`);
    return incident;
  },
  'incident.list': (ctx, args) =>
    listIncidents(ctx.db, {
      status: args.status,
      countyIds: countyFilter(ctx.actor, args.countyId),
      from: args.from,
      to: args.to,
      bbox: args.bbox,
      maxPriority: args.minPriority,
      limit: args.limit,
      offset: args.offset,
      cursor: args.cursor,
    }),
  'incident.search': (ctx, args) =>
    searchIncidents(ctx.db, args.text, readableCounties(ctx.actor), args.limit),
  'incident.timeline': (ctx, args) => {
    const incident = required(getIncident(ctx.db, args.id), 'incident', args.id);
    assertVisible(ctx.actor, incident.countyId, `incident ${incident.id}`);
    return listTimeline(ctx.db, incident.id);
  },
  'incident.duplicates': (ctx, args) =>
    findDuplicates(ctx.db, { ...args, receivedAt: args.receivedAt ?? ctx.now }, visibleTo(ctx.actor)),
  'order.get': (ctx, args) => {
    const order = required(getOrder(ctx.db, args.id), 'order', args.id);
    if (!orderVisible(ctx.actor, order)) assertVisible(ctx.actor, order.countyId, `order ${order.id}`);
    return order;
  },
  'order.list': (ctx, args) =>
    listOrders(ctx.db, {
      incidentId: args.incidentId,
      status: args.status,
      countyIds: readableCounties(ctx.actor),
      limit: args.limit,
      offset: args.offset,
    }),
  'order.inbox': (ctx, args) => {
    const orgId = args.orgId ?? ctx.actor.orgId;
    if (!orgId)
      throw new DeskError(
        'invalid_input',
        'order.inbox: give an orgId (this operator belongs to no organisation)',
      );
    const org = listOrgs(ctx.db).find((o) => o.id === orgId);
    if (!org)
      throw new DeskError('not_found', `organisation ${orgId} does not exist`, {
        kind: 'organisation',
        id: orgId,
      });
    assertVisible(ctx.actor, org.countyId, `organisation ${orgId}`);
    // An organisation's inbox holds what is addressed to it, its units and its checkpoints;
    // a county command centre's inbox holds everything addressed into its county.
    const ids = [orgId];
    if (org.kind === 'command_center') {
      const counties = org.countyId === CITY_ID ? undefined : [org.countyId];
      ids.push(...listOrgs(ctx.db, counties).map((o) => o.id));
      ids.push(...listUnits(ctx.db, { countyIds: counties }).map((u) => u.id));
      ids.push(...listCheckpoints(ctx.db, { countyIds: counties }).map((c) => c.id));
    } else {
      ids.push(...listUnits(ctx.db, { orgId }).map((u) => u.id));
      ids.push(...listCheckpoints(ctx.db, { orgId }).map((c) => c.id));
    }
    return inboxItems(ctx.db, targetsAddressedTo(ctx.db, [...new Set(ids)], args.includeDone));
  },
  'order.overdue': (ctx) =>
    inboxItems(ctx.db, overdueTargets(ctx.db)).filter((item) => orderVisible(ctx.actor, item.order)),
  'order.feedbackList': (ctx, args) => {
    const order = required(getOrder(ctx.db, args.orderId), 'order', args.orderId);
    if (!orderVisible(ctx.actor, order)) assertVisible(ctx.actor, order.countyId, `order ${order.id}`);
    return listFeedback(ctx.db, order.id);
  },
  'dispatch.preview': (ctx, args) => proposeDispatch(ctx.db, ctx.actor, args),
  'unit.list': (ctx, args) =>
    listUnits(ctx.db, { countyIds: countyFilter(ctx.actor, args.countyId), status: args.status }),
  'checkpoint.list': (ctx, args) =>
    listCheckpoints(ctx.db, { countyIds: countyFilter(ctx.actor, args.countyId), bbox: args.bbox }),
  'case.get': (ctx, args) => {
    const record = required(getCase(ctx.db, args.id), 'case', args.id);
    assertVisible(ctx.actor, record.countyId, `case ${record.id}`);
    return record;
  },
  'case.list': (ctx, args) =>
    listCases(ctx.db, {
      status: args.status,
      countyIds: readableCounties(ctx.actor),
      limit: args.limit,
      offset: args.offset,
    }),
  'audit.list': (ctx, args) => {
    if (!['city_commander', 'supervisor', 'admin'].includes(ctx.actor.role)) {
      throw new DeskError(
        'forbidden',
        `${ctx.actor.operatorId} (${ctx.actor.role}) may not read the audit trail`,
      );
    }
    return listAudit(ctx.db, {
      entityId: args.entityId,
      countyIds: readableCounties(ctx.actor),
      limit: args.limit,
      offset: args.offset,
    });
  },
  'audit.verify': (ctx) => verifyAudit(ctx.db),
  'sync.status': (ctx) => syncStatus(ctx.db, readableCounties(ctx.actor)),
  'sync.rejections': (ctx, args) => listRejections(ctx.db, args.includeDismissed),
  // Local only: marks a rejection as seen; nothing is sent to the server.
  'sync.dismissRejection': (ctx, args) => dismissRejection(ctx.db, args.commandId),
  'sync.conflicts': (ctx) => listOpenConflicts(ctx.db, readableCounties(ctx.actor)),
  // A county operator reads its county's entries and the city-wide ones: the ones its checkpoints match against.
  'watch.list': (ctx, args) =>
    listWatchEntries(ctx.db, {
      countyIds: countyFilter(ctx.actor, args.countyId),
      kind: args.kind,
      activeOnly: args.activeOnly,
      limit: args.limit,
      offset: args.offset,
    }),
  'checkpoint.checks': (ctx, args) => {
    if (args.checkpointId) {
      const checkpoint = required(getCheckpoint(ctx.db, args.checkpointId), 'checkpoint', args.checkpointId);
      assertVisible(ctx.actor, checkpoint.countyId, `checkpoint ${checkpoint.id}`);
    }
    return listChecks(ctx.db, {
      checkpointId: args.checkpointId,
      countyIds: countyFilter(ctx.actor, args.countyId),
      from: args.from,
      to: args.to,
      limit: args.limit,
      offset: args.offset,
    });
  },
  'warning.get': (ctx, args) => {
    const warning = required(getWarning(ctx.db, args.id), 'warning', args.id);
    assertVisible(ctx.actor, warning.countyId, `warning ${warning.id}`);
    return warning;
  },
  'warning.list': (ctx, args) =>
    listWarnings(ctx.db, {
      status: args.status,
      countyIds: countyFilter(ctx.actor, args.countyId),
      bbox: args.bbox,
      limit: args.limit,
      offset: args.offset,
    }),
};
