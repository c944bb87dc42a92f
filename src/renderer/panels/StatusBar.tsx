// The status bar: who is signed in and where, the host link, sync state, the clock, language and sound.
import { formatClock, formatTime, nameIn, useT } from '../i18n';
import { useDesk } from '../store';
import { ALARM_KINDS, unacknowledged } from '../store/alerts';
import { jurisdictionOf } from '../store/session';

export function StatusBar() {
  const t = useT();
  const actor = useDesk((s) => s.actor);
  const region = useDesk((s) => s.region);
  const connection = useDesk((s) => s.connection);
  const sync = useDesk((s) => s.sync);
  const now = useDesk((s) => s.now);
  const language = useDesk((s) => s.language);
  const muted = useDesk((s) => s.muted);
  const alerts = useDesk((s) => s.alerts);
  const setLanguage = useDesk((s) => s.setLanguage);
  const toggleMute = useDesk((s) => s.toggleMute);
  const setHelpOpen = useDesk((s) => s.setHelpOpen);
  const acknowledgeAll = useDesk((s) => s.acknowledgeAll);
  const jurisdiction = actor ? jurisdictionOf(region, actor.jurisdictionId) : undefined;
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
      <span className={`sb-item sync-${sync.mode}`} data-testid="sync-state">
        {t('sync.label')}: {t(`sync.${sync.mode}`)}
        {sync.mode !== 'standalone' && (
          <>
            {' · '}
            {t('sync.pending', { n: sync.pending })}
            {sync.lastSyncAt !== null &&
              ` · ${t('sync.last', { at: formatTime(language, sync.lastSyncAt) })}`}
            {sync.rejected > 0 && (
              <span className="alarm-text"> · {t('sync.rejected', { n: sync.rejected })}</span>
            )}
          </>
        )}
      </span>
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
    </footer>
  );
}
