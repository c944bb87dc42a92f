// Orders, this organisation's inbox, overdue targets, and the order being drafted in the console.
import type { DispatchProposal, InboxItem, ProposedTarget } from '../../shared/contract';
import type { LngLat, Order, OrderTemplate, OrderTarget } from '../../shared/domain/model';
import type { Message } from '../i18n';
import type { DataOf, Slice } from './types';

export interface DraftTarget {
  targetKind: ProposedTarget['targetKind'];
  targetId: string;
  name: string;
  nameEn: string;
  location: LngLat | null;
  included: boolean;
}

export interface OrderDraft {
  template: OrderTemplate;
  incidentId: string | null;
  center: LngLat | null;
  countyId: string | null;
  title: string;
  content: string;
  signDeadlineMin: number;
  finishDeadlineMin: number;
  targets: DraftTarget[];
}

export interface OrdersSlice {
  orders: Record<string, Order>;
  inbox: InboxItem[];
  overdue: InboxItem[];
  draft: OrderDraft | null;
  /** Why the last attempt to issue the draft was refused (the draft is kept to be fixed and issued again). */
  draftError: Message | null;
  setOrders(items: Order[]): void;
  upsertOrder(order: Order): void;
  setInbox(items: InboxItem[]): void;
  setOverdue(items: InboxItem[]): void;
  startDraft(proposal: DispatchProposal, incidentId: string | null): void;
  toggleDraftTarget(targetId: string): void;
  addDraftTarget(target: Omit<DraftTarget, 'included'>): void;
  editDraft(
    patch: Partial<Pick<OrderDraft, 'title' | 'content' | 'signDeadlineMin' | 'finishDeadlineMin'>>,
  ): void;
  clearDraft(): void;
  setDraftError(error: Message | null): void;
}

export const emptyOrders: DataOf<OrdersSlice> = {
  orders: {},
  inbox: [],
  overdue: [],
  draft: null,
  draftError: null,
};

export const createOrdersSlice: Slice<OrdersSlice> = (set) => ({
  ...emptyOrders,
  setOrders: (items) => set({ orders: Object.fromEntries(items.map((order) => [order.id, order])) }),
  upsertOrder: (order) => set((state) => ({ orders: { ...state.orders, [order.id]: order } })),
  setInbox: (inbox) => set({ inbox }),
  setOverdue: (overdue) => set({ overdue }),
  startDraft: (proposal, incidentId) =>
    set({
      draftError: null,
      draft: {
        template: proposal.template,
        incidentId,
        center: proposal.center,
        countyId: proposal.countyId,
        title: proposal.title,
        content: proposal.content,
        signDeadlineMin: proposal.template === 'checkpoint_search' ? 5 : 3,
        finishDeadlineMin: proposal.template === 'checkpoint_search' ? 60 : 30,
        targets: proposal.targets.map((target) => ({
          targetKind: target.targetKind,
          targetId: target.targetId,
          name: target.name,
          nameEn: target.nameEn,
          location: target.location,
          included: true,
        })),
      },
    }),
  toggleDraftTarget: (targetId) =>
    set((state) =>
      state.draft
        ? {
            draft: {
              ...state.draft,
              targets: state.draft.targets.map((t) =>
                t.targetId === targetId ? { ...t, included: !t.included } : t,
              ),
            },
          }
        : {},
    ),
  addDraftTarget: (target) =>
    set((state) => {
      if (!state.draft) return {};
      if (state.draft.targets.some((t) => t.targetId === target.targetId)) {
        return {
          draft: {
            ...state.draft,
            targets: state.draft.targets.map((t) =>
              t.targetId === target.targetId ? { ...t, included: true } : t,
            ),
          },
        };
      }
      return { draft: { ...state.draft, targets: [...state.draft.targets, { ...target, included: true }] } };
    }),
  editDraft: (patch) => set((state) => (state.draft ? { draft: { ...state.draft, ...patch } } : {})),
  clearDraft: () => set({ draft: null, draftError: null }),
  setDraftError: (draftError) => set({ draftError }),
});

/** Orders newest first. */
export function orderList(orders: Record<string, Order>): Order[] {
  return Object.values(orders).sort((a, b) => b.issuedAt - a.issuedAt || (a.id < b.id ? 1 : -1));
}

export interface Countdown {
  /** Which deadline is running: signing until signed, then finishing; none once completed. */
  deadline: 'sign' | 'finish' | 'none';
  /** Milliseconds left (negative once overdue). */
  remainingMs: number;
  overdue: boolean;
}

export function countdownOf(target: OrderTarget, now: number): Countdown {
  if (target.state === 'completed') return { deadline: 'none', remainingMs: 0, overdue: false };
  const deadline = target.state === 'issued' ? 'sign' : 'finish';
  const remainingMs = (deadline === 'sign' ? target.signDeadline : target.finishDeadline) - now;
  return { deadline, remainingMs, overdue: remainingMs < 0 || target.overdue !== 'none' };
}

/** m:ss, with a minus sign once overdue; hours shown as h:mm:ss. */
export function formatCountdown(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  const total = Math.floor(Math.abs(ms) / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${sign}${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}
