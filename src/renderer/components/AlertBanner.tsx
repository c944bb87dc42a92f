// The alarm banner: unacknowledged priority-1 incidents, warnings and overdue orders flash here; notices fade.
import { useEffect } from 'react';
import { formatTime, renderMessage, useT } from '../i18n';
import { deskStore, useDesk } from '../store';
import { unacknowledged, type Alert } from '../store/alerts';
import { showWarning } from '../app/warnings';

export function AlertBanner() {
  const t = useT();
  const alerts = useDesk((s) => s.alerts);
  const language = useDesk((s) => s.language);
  const open = unacknowledged(alerts);
  const alarms = open.filter((a) => a.kind === 'priority1' || a.kind === 'overdue' || a.kind === 'warning');
  const notices = open.filter((a) => a.kind === 'error' || a.kind === 'info').slice(0, 3);

  // Notices (errors, confirmations) acknowledge themselves after a while; alarms wait for the operator.
  useEffect(() => {
    if (notices.length === 0) return;
    const timer = setTimeout(() => notices.forEach((n) => deskStore.getState().acknowledge(n.id)), 6000);
    return () => clearTimeout(timer);
  }, [notices]);

  const show = (ref: Alert['ref']): void => {
    if (!ref) return;
    const state = deskStore.getState();
    if (ref.kind === 'warning') showWarning(ref.id);
    else if (ref.kind === 'incident') {
      state.select({ kind: 'incident', id: ref.id });
      const incident = state.incidents[ref.id];
      if (incident) state.focusOn(incident.location);
      state.showPanel('detail');
    } else state.showPanel('orders');
  };

  // Always one element, so the console's grid rows (banner, dock, status bar) never shift.
  return (
    <div className="banner-area">
      {alarms.length > 0 && (
        <div className="alarm-banner" role="alert" data-testid="alarm-banner">
          <span className="alarm-flash">▲</span>
          <button className="alarm-text-btn" onClick={() => show(alarms[0]?.ref ?? null)}>
            <span className="num">{formatTime(language, alarms[0]?.at ?? 0)}</span>{' '}
            {alarms[0] && renderMessage(language, alarms[0].message)}
          </button>
          {alarms.length > 1 && <span className="muted">{t('alerts.more', { n: alarms.length - 1 })}</span>}
          <span className="grow" />
          <button onClick={() => alarms[0] && deskStore.getState().acknowledge(alarms[0].id)}>
            {t('alerts.acknowledge')} <kbd>A</kbd>
          </button>
        </div>
      )}
      {notices.length > 0 && (
        <div className="notices">
          {notices.map((notice) => (
            <div
              key={notice.id}
              className={`notice ${notice.kind}`}
              role="status"
              onClick={() => deskStore.getState().acknowledge(notice.id)}
            >
              {renderMessage(language, notice.message)}
            </div>
          ))}
        </div>
      )}
    </div>
  );
}
