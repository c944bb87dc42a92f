// The sync popover above the status bar: queue and last sync, the rejection inbox (each refused command with
// its reason, time and a dismiss action) and the open conflicts (keep mine or theirs).
import { useEffect } from 'react';
import { isCommandName } from '../../shared/contract';
import type { Rejection } from '../../shared/contract';
import { IncidentStatus } from '../../shared/domain/model';
import type { Conflict } from '../../shared/sync';
import { dismissRejection, resolveConflict } from '../app/actions';
import { formatAge, formatDateTime, nameIn, useT, type Translate } from '../i18n';
import { deskStore, useDesk } from '../store';
import type { Language } from '../store/settings';
import { oldestPendingAge } from '../store/sync';

function commandLabel(t: Translate, name: string): string {
  return isCommandName(name) ? t(`command.${name}`) : name;
}

function reasonOf(t: Translate, rejection: Rejection): string {
  return t('error.notice', { kind: t(`error.${rejection.error.code}`), detail: rejection.error.message });
}

/** A conflicting value in words: statuses and priorities translated, organisations by name. */
function conflictValue(t: Translate, language: Language, conflict: Conflict, value: unknown): string {
  if (value === null || value === undefined) return '—';
  const text = String(value);
  if (conflict.field === 'priority' && ['1', '2', '3', '4'].includes(text))
    return t(`priority.${text as '1' | '2' | '3' | '4'}`);
  if (conflict.field === 'status' && conflict.kind === 'incident') {
    const status = IncidentStatus.safeParse(value);
    if (status.success) return t(`status.${status.data}`);
  }
  if (conflict.field === 'assignedOrgId') {
    const org = deskStore.getState().region?.orgs.find((o) => o.id === text);
    if (org) return nameIn(language, org);
  }
  return text;
}

function RejectionRow({ rejection }: { rejection: Rejection }) {
  const t = useT();
  const language = useDesk((s) => s.language);
  return (
    <li className="sync-row" data-testid="rejection">
      <div className="sync-row-main">
        <span className="strong">{commandLabel(t, rejection.name)}</span>
        <span className="alarm-text">{reasonOf(t, rejection)}</span>
        <span className="muted num">
          {t('sync.madeAt', { at: formatDateTime(language, rejection.at) })} ·{' '}
          {t('sync.rejectedAt', { at: formatDateTime(language, rejection.rejectedAt) })}
        </span>
      </div>
      <button onClick={() => void dismissRejection(rejection.commandId)} data-testid="dismiss-rejection">
        {t('sync.dismiss')}
      </button>
    </li>
  );
}

function ConflictRow({ conflict }: { conflict: Conflict }) {
  const t = useT();
  const language = useDesk((s) => s.language);
  const incident = useDesk((s) =>
    conflict.kind === 'incident' ? s.incidents[conflict.entityId] : undefined,
  );
  return (
    <li className="sync-row" data-testid="conflict">
      <div className="sync-row-main">
        <span className="strong">
          {t(`conflict.kind.${conflict.kind}`)} {incident ? incident.number : conflict.entityId} ·{' '}
          {t(`conflict.field.${conflict.field}`)}
        </span>
        <span className="muted num">{formatDateTime(language, conflict.at)}</span>
      </div>
      <div className="sync-row-actions">
        <button onClick={() => void resolveConflict(conflict.id, 'mine')} data-testid="conflict-mine">
          {t('conflict.mine', { value: conflictValue(t, language, conflict, conflict.mine) })}
        </button>
        <button onClick={() => void resolveConflict(conflict.id, 'theirs')} data-testid="conflict-theirs">
          {t('conflict.theirs', { value: conflictValue(t, language, conflict, conflict.theirs) })}
        </button>
      </div>
    </li>
  );
}

export function SyncPanel({ onClose }: { onClose: () => void }) {
  const t = useT();
  const language = useDesk((s) => s.language);
  const sync = useDesk((s) => s.sync);
  const now = useDesk((s) => s.now);
  const rejections = useDesk((s) => s.rejections);
  const conflicts = useDesk((s) => s.conflicts);
  const age = oldestPendingAge(sync, now);

  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (event.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  return (
    <section className="sync-panel" role="dialog" aria-label={t('sync.panelTitle')} data-testid="sync-panel">
      <header className="sync-head">
        <span className="strong">{t('sync.panelTitle')}</span>
        <span className={`sync-${sync.mode}`}>● {t(`sync.${sync.mode}`)}</span>
        <span className="grow" />
        <button onClick={onClose}>
          {t('common.close')} <kbd>Esc</kbd>
        </button>
      </header>
      {sync.mode === 'standalone' ? (
        <p className="muted">{t('sync.standaloneHint')}</p>
      ) : (
        <dl className="sync-facts">
          <dt>{t('sync.pendingLabel')}</dt>
          <dd className="num">
            {sync.pending}
            {age !== null && ` · ${t('sync.oldest', { age: formatAge(language, age) })}`}
          </dd>
          <dt>{t('sync.lastSync')}</dt>
          <dd className="num">
            {sync.lastSyncAt !== null ? formatDateTime(language, sync.lastSyncAt) : t('sync.never')}
          </dd>
          {sync.lastError && (
            <>
              <dt>{t('sync.lastError')}</dt>
              <dd className="alarm-text">{sync.lastError}</dd>
            </>
          )}
        </dl>
      )}
      <h3>{t('sync.rejectionsTitle', { n: rejections.length })}</h3>
      {rejections.length === 0 ? (
        <p className="muted">{t('sync.noRejections')}</p>
      ) : (
        <ul className="sync-list" data-testid="rejection-inbox">
          {rejections.map((rejection) => (
            <RejectionRow key={rejection.commandId} rejection={rejection} />
          ))}
        </ul>
      )}
      <h3>{t('sync.conflictsTitle', { n: conflicts.length })}</h3>
      {conflicts.length === 0 ? (
        <p className="muted">{t('sync.noConflicts')}</p>
      ) : (
        <ul className="sync-list" data-testid="conflict-list">
          {conflicts.map((conflict) => (
            <ConflictRow key={conflict.id} conflict={conflict} />
          ))}
        </ul>
      )}
    </section>
  );
}
