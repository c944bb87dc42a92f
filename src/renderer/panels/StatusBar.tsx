// The status bar: who is signed in and where, the host link, sync state (opens the rejection inbox), the
// clock, language and sound.
import { SyncPanel } from '../components/SyncPanel';
import { formatAge, formatClock, formatTime, nameIn, useT } from '../i18n';
import { useDesk } from '../store';
import { ALARM_KINDS, unacknowledged } from '../store/alerts';
import { jurisdictionOf } from '../store/session';
import { oldestPendingAge } from '../store/sync';

export function StatusBar() {
  const t = useT();
  const actor = useDesk((s) => s.actor);
  const region = useDesk((s) => s.region);
  const connection = useDesk((s) => s.connection);
  const sync = useDesk((s) => s.sync);
  const rejections = useDesk((s) => s.rejections);
  const conflicts = useDesk((s) => s.conflicts);
  const syncPanelOpen = useDesk((s) => s.syncPanelOpen);
  const setSyncPanelOpen = useDesk((s) => s.setSyncPanelOpen);
  const now = useDesk((s) => s.now);
  const language = useDesk((s) => s.language);
  const muted = useDesk((s) => s.muted);
  const alerts = useDesk((s) => s.alerts);
  const setLanguage = useDesk((s) => s.setLanguage);
  const toggleMute = useDesk((s) => s.toggleMute);
  const setHelpOpen = useDesk((s) => s.setHelpOpen);
  const acknowledgeAll = useDesk((s) => s.acknowledgeAll);
  const jurisdiction = actor ? jurisdictionOf(region, actor.jurisdictionId) : undefined;
  const age = oldestPendingAge(sync, now);
  // The lists are what the operator can act on; the counts arrive first with the status event.
  const rejected = Math.max(rejections.length, sync.rejections);
  const conflicted = Math.max(conflicts.length, sync.conflicts);
  const open = unacknowledged(alerts).filter((alert) => ALARM_KINDS.includes(alert.kind)).length;
  return (
    <footer className="statusbar" data-testid="status-bar">
      <span className="sb-item strong">{actor ? actor.name : '…'}</span>
      {actor && <span className="sb-item muted">{t(`role.${actor.role}`)}</span>}
      <span className="sb-item">
        {jurisdiction ? (language === 'en' ? jurisdiction.bureauEn : jurisdiction.bureau) : ''}
      </span>
      <span className={`sb-item conn-${connection}`} data-testid="host-connection">
        ● {t(`connection.${connection}`)}
      </span>
      <button
        className={`sb-item sb-btn sync-${sync.mode}`}
        data-testid="sync-state"
        aria-expanded={syncPanelOpen}
        title={t('sync.open')}
        onClick={() => setSyncPanelOpen(!syncPanelOpen)}
      >
        {t('sync.label')}: {t(`sync.${sync.mode}`)}
        {sync.mode !== 'standalone' && (
          <>
            {' · '}
            <span data-testid="sync-pending">{t('sync.pending', { n: sync.pending })}</span>
            {age !== null && ` (${t('sync.oldest', { age: formatAge(language, age) })})`}
            {' · '}
            {sync.lastSyncAt !== null
              ? t('sync.last', { at: formatTime(language, sync.lastSyncAt) })
              : t('sync.never')}
          </>
        )}
        {rejected > 0 && (
          <span className="alarm-text" data-testid="sync-rejected">
            {' · '}
            {t('sync.rejected', { n: rejected })}
          </span>
        )}
        {conflicted > 0 && (
          <span className="warn-text" data-testid="sync-conflicts">
            {' · '}
            {t('sync.conflicts', { n: conflicted })}
          </span>
        )}
      </button>
      <span className="grow" />
      {open > 0 && (
        <button className="sb-btn alarm" onClick={acknowledgeAll} title={t('alerts.acknowledgeAll')}>
          ▲ {t('alerts.count', { n: open })}
        </button>
      )}
      <button className="sb-btn" onClick={toggleMute} aria-pressed={muted} data-testid="mute">
        {muted ? `× ${t('settings.muted')}` : `♪ ${t('settings.sound')}`}
      </button>
      <select
        className="sb-select"
        aria-label={t('settings.language')}
        value={language}
        onChange={(e) => setLanguage(e.target.value === 'en' ? 'en' : 'zh-CN')}
        data-testid="language"
      >
        <option value="zh-CN">中文</option>
        <option value="en">English</option>
      </select>
      <button className="sb-btn" onClick={() => setHelpOpen(true)}>
        ? {t('help.keys')}
      </button>
      <span className="sb-item num clock">{now ? formatClock(language, now) : ''}</span>
      {region && <span className="sb-item muted">{nameIn(language, region.city)}</span>}
      {syncPanelOpen && <SyncPanel onClose={() => setSyncPanelOpen(false)} />}
    </footer>
  );
}
