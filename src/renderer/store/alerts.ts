// What must be seen and heard: new priority-1 incidents, warnings and overdue orders; plus error notices.
import type { Message } from '../i18n';
import type { DataOf, Slice } from './types';

export type AlertKind = 'priority1' | 'overdue' | 'warning' | 'error' | 'info';

export interface Alert {
  id: string;
  kind: AlertKind;
  /** Translated when shown, so every notice follows the language switch. */
  message: Message;
  at: number;
  /** What selecting the alert shows. */
  ref: { kind: 'incident' | 'order' | 'warning'; id: string } | null;
  acknowledged: boolean;
}

/** Kinds that sound and flash; errors and info only show. */
export const ALARM_KINDS: readonly AlertKind[] = ['priority1', 'overdue', 'warning'];
const MAX_ALERTS = 50;

export interface AlertsSlice {
  alerts: Alert[];
  /** Bumped when an alarm arrives: the sound player listens to it. */
  alarmSeq: number;
  pushAlert(alert: Omit<Alert, 'acknowledged'>): void;
  acknowledge(id: string): void;
  acknowledgeAll(): void;
}

export const emptyAlerts: DataOf<AlertsSlice> = { alerts: [], alarmSeq: 0 };

export const createAlertsSlice: Slice<AlertsSlice> = (set) => ({
  ...emptyAlerts,
  pushAlert: (alert) =>
    set((state) => {
      // The same overdue target escalating again replaces its earlier notice rather than stacking.
      const rest = state.alerts.filter((existing) => existing.id !== alert.id);
      return {
        alerts: [{ ...alert, acknowledged: false }, ...rest].slice(0, MAX_ALERTS),
        alarmSeq: ALARM_KINDS.includes(alert.kind) ? state.alarmSeq + 1 : state.alarmSeq,
      };
    }),
  acknowledge: (id) =>
    set((state) => ({ alerts: state.alerts.map((a) => (a.id === id ? { ...a, acknowledged: true } : a)) })),
  acknowledgeAll: () => set((state) => ({ alerts: state.alerts.map((a) => ({ ...a, acknowledged: true })) })),
});

export function unacknowledged(alerts: Alert[]): Alert[] {
  return alerts.filter((alert) => !alert.acknowledged);
}
