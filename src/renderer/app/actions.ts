// What the panels do: contract calls with their effect on the store; every failure becomes a visible notice.
import type { IncidentStatus, LngLat, Order, UnitStatus } from '../../shared/domain/model';
import { getDeskClient } from '../client';
import { translate, type Message } from '../i18n';
import { deskStore } from '../store';
import { isCityOperator } from '../store/session';
import { missingIntakeFields } from '../store/intake';
import { errorNotice, loadSync, notify, reportError } from './live';

function info(message: Message): void {
  notify(deskStore, 'info', message);
}

function refuse(message: Message): void {
  notify(deskStore, 'error', message);
}

async function attempt<T>(work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (error) {
    reportError(deskStore, error);
    return undefined;
  }
}

export function openIntake(): void {
  const state = deskStore.getState();
  state.showPanel('intake');
  state.requestIntakeFocus();
}

export async function saveIntake(): Promise<boolean> {
  const state = deskStore.getState();
  const draft = state.intake;
  const missing = missingIntakeFields(draft, isCityOperator(state.actor));
  if (missing.length > 0 || !draft.location) {
    refuse({
      key: 'intake.missing',
      vars: { fields: { list: missing.map((f) => `intake.field.${f}` as const) } },
    });
    return false;
  }
  const incident = await attempt(() =>
    getDeskClient().command('incident.create', {
      source: draft.source,
      category: draft.category,
      priority: draft.priority,
      callerName: draft.callerName,
      callerPhone: draft.callerPhone,
      address: draft.address,
      summary: draft.summary,
      location: draft.location as LngLat,
      countyId: isCityOperator(state.actor) ? (draft.countyId ?? undefined) : undefined,
    }),
  );
  if (!incident) return false;
  const after = deskStore.getState();
  after.upsertIncidents([incident]);
  after.resetIntake();
  after.select({ kind: 'incident', id: incident.id });
  after.focusOn(incident.location);
  after.showPanel('detail');
  info({ key: 'intake.saved', vars: { number: incident.number } });
  return true;
}

/** The caller reports something already recorded: their details go on the existing incident instead. */
export async function linkInsteadOfCreating(existingId: string): Promise<void> {
  const state = deskStore.getState();
  const draft = state.intake;
  const text = translate(state.language, 'intake.linkedNote', {
    caller: draft.callerName || '-',
    phone: draft.callerPhone || '-',
    summary: draft.summary || draft.address,
  });
  const done = await attempt(() => getDeskClient().command('incident.addNote', { id: existingId, text }));
  if (!done) return;
  state.resetIntake();
  state.select({ kind: 'incident', id: existingId });
  state.showPanel('detail');
}

/** One-key dispatch: a proposal from the template for the selected incident (or the cordon). */
export async function previewDispatch(template: 'checkpoint_search' | 'dispatch'): Promise<void> {
  const state = deskStore.getState();
  const incidentId = state.selection?.kind === 'incident' ? state.selection.id : null;
  const cordon = state.cordon;
  if (!incidentId && !cordon) {
    refuse({ key: 'orders.needIncident' });
    return;
  }
  const proposal = await attempt(() =>
    getDeskClient().query(
      'dispatch.preview',
      incidentId
        ? {
            template,
            incidentId,
            ...(cordon && template === 'checkpoint_search' ? { radiusKm: cordon.radiusKm } : {}),
          }
        : {
            template,
            location: cordon?.center,
            radiusKm: cordon?.radiusKm ?? 15,
            countyId: countyAt(cordon?.center),
          },
    ),
  );
  if (!proposal) return;
  deskStore.getState().startDraft(proposal, incidentId);
  deskStore.getState().showPanel('orders');
}

function countyAt(at: LngLat | undefined): string | undefined {
  const state = deskStore.getState();
  if (!at || !state.region) return undefined;
  if (!isCityOperator(state.actor)) return state.actor?.jurisdictionId;
  let best: { id: string; d: number } | null = null;
  for (const county of state.region.counties) {
    const d = (county.center.lng - at.lng) ** 2 + (county.center.lat - at.lat) ** 2;
    if (!best || d < best.d) best = { id: county.id, d };
  }
  return best?.id;
}

export async function issueDraft(): Promise<boolean> {
  const state = deskStore.getState();
  const draft = state.draft;
  if (!draft) return false;
  const targets = draft.targets
    .filter((t) => t.included)
    .map((t) => ({ targetKind: t.targetKind, targetId: t.targetId }));
  if (targets.length === 0) {
    refuse({ key: 'orders.noTargets' });
    return false;
  }
  state.setDraftError(null);
  let order: Order;
  try {
    order = await getDeskClient().command('order.issue', {
      incidentId: draft.incidentId,
      template: draft.template,
      title: draft.title,
      content: draft.content,
      targets,
      signDeadlineMin: draft.signDeadlineMin,
      finishDeadlineMin: draft.finishDeadlineMin,
    });
  } catch (error) {
    // The draft stays open with the refusal beside the issue button, so the operator can fix it and try again.
    const refused = errorNotice(error);
    deskStore.getState().setDraftError(refused);
    notify(deskStore, 'error', refused);
    return false;
  }
  const after = deskStore.getState();
  after.upsertOrder(order);
  after.clearDraft();
  after.setCordon(null);
  info({
    key: 'orders.issued',
    vars: {
      template: { key: `template.${order.template}` },
      title: order.title,
      count: order.targets.length,
    },
  });
  return true;
}

export async function setIncidentStatus(
  id: string,
  status: IncidentStatus,
  disposition?: string,
): Promise<void> {
  const incident = await attempt(() =>
    getDeskClient().command('incident.setStatus', { id, status, ...(disposition ? { disposition } : {}) }),
  );
  if (incident) deskStore.getState().upsertIncidents([incident]);
}

export async function addIncidentNote(id: string, text: string): Promise<boolean> {
  return (await attempt(() => getDeskClient().command('incident.addNote', { id, text }))) !== undefined;
}

export async function setUnitStatus(id: string, status: UnitStatus): Promise<void> {
  const unit = await attempt(() => getDeskClient().command('unit.setStatus', { id, status }));
  if (unit) deskStore.getState().upsertUnit(unit);
}

export type TargetAction = 'sign' | 'start' | 'complete';

export async function actOnTarget(action: TargetAction, orderId: string, targetId: string): Promise<void> {
  const name = action === 'sign' ? 'order.sign' : action === 'start' ? 'order.start' : 'order.complete';
  const order = await attempt(() => getDeskClient().command(name, { orderId, targetId }));
  if (order) deskStore.getState().upsertOrder(order);
}

export async function reportBack(orderId: string, targetId: string, text: string): Promise<boolean> {
  const order = await attempt(() => getDeskClient().command('order.feedback', { orderId, targetId, text }));
  if (order) deskStore.getState().upsertOrder(order);
  return order !== undefined;
}

/** The operator has read a rejected command: it leaves the inbox (locally; the server is not told). */
export async function dismissRejection(commandId: string): Promise<void> {
  const left = await attempt(() => getDeskClient().query('sync.dismissRejection', { commandId }));
  if (!left) return;
  deskStore.getState().setRejections(left);
  await attempt(() => loadSync(getDeskClient(), deskStore));
}

/**
 * Settles a conflict: 'mine' applies the value the conflicting command wanted, 'theirs' keeps the record's.
 * `seen` is the field's value the panel showed: when someone changed it since, 'mine' becomes a new conflict
 * (announced by loadSync) instead of overwriting what the operator never saw.
 */
export async function resolveConflict(
  id: string,
  choice: 'mine' | 'theirs',
  seen?: string | number | null,
): Promise<void> {
  const expected = seen === undefined ? undefined : { value: seen };
  const done = await attempt(() => getDeskClient().command('conflict.resolve', { id, choice, expected }));
  if (!done) return;
  if (choice === 'mine') deskStore.getState().rememberSettledMine(done);
  await attempt(() => loadSync(getDeskClient(), deskStore));
}
