// The sync popover above the status bar: queue and last sync, the rejection inbox (each refused command with
// its reason, time and a dismiss action) and the open conflicts (keep mine or theirs).
import { useEffect } from 'react';
import { isCommandName } from '../../shared/contract';
import type { RegionInfo, Rejection } from '../../shared/contract';
import type { Incident } from '../../shared/domain/model';
import type { Conflict } from '../../shared/sync';
import { dismissRejection, resolveConflict } from '../app/actions';
import { formatAge, formatDateTime, nameIn, renderVar, useT, type Translate } from '../i18n';
import { useDesk } from '../store';
import type { Language } from '../store/settings';
import { conflictValueVar, echoOf, mayResolve, oldestPendingAge } from '../store/sync';

function commandLabel(t: Translate, name: string): string {
  return isCommandName(name) ? t(`command.${name}`) : name;
}

/** The incident a rejected command acted on, when its input names one (incident.* commands, by `id`). */
function rejectedIncidentId(rejection: Rejection): string | undefined {
  if (!rejection.name.startsWith('incident.') || rejection.name === 'incident.create') return undefined;
  const input = rejection.input;
  if (typeof input !== 'object' || input === null || !('id' in input)) return undefined;
  return typeof input.id === 'string' ? input.id : undefined;
}

/** What the operator typed into a rejected command (a note, a report), so they can do it again. */
function rejectedText(rejection: Rejection): string | undefined {
  const input = rejection.input;
  if (typeof input !== 'object' || input === null || !('text' in input)) return undefined;
  return typeof input.text === 'string' && input.text !== '' ? input.text : undefined;
}

/**
 * The server's reason in the operator's words: its kind, and for a record that moved out of this console's
 * county, which county it went to. The server's own message (ids, codes, English) stays as a tooltip.
 */
function reasonOf(t: Translate, language: Language, region: RegionInfo | null, rejection: Rejection): string {
  const { code, details } = rejection.error;
  const kind = t(`error.${code}`);
  const county = (id: unknown): string | undefined => {
    if (typeof id !== 'string' || !region) return undefined;
    const found = [region.city, ...region.counties].find((j) => j.id === id);
    return found ? nameIn(language, found) : undefined;
  };
  const there = county(details?.countyId);
  const own = county(details?.jurisdictionId);
  if (code === 'forbidden' && there && own)
    return t('error.notice', { kind, detail: t('sync.reason.outsideCounty', { county: there, own }) });
  return kind;
}

function RejectionRow({ rejection }: { rejection: Rejection }) {
  const t = useT();
  const language = useDesk((s) => s.language);
  const region = useDesk((s) => s.region);
  const incidentId = rejectedIncidentId(rejection);
  const incident = useDesk((s) => (incidentId ? s.incidents[incidentId] : undefined));
  const text = rejectedText(rejection);
  const kind = t('conflict.kind.incident');
  return (
    <li className="sync-row" data-testid="rejection">
      <div className="sync-row-main">
        <span className="strong">{commandLabel(t, rejection.name)}</span>
        {incidentId && (
          <span data-testid="rejection-subject">
            {incident
              ? `${t('sync.subject', { kind, number: incident.number })} · ${incident.address}`
              : t('sync.subjectGone', { kind })}
          </span>
        )}
        {text && <span className="muted quoted">{text}</span>}
        <span className="alarm-text" title={rejection.error.message} data-testid="rejection-reason">
          {reasonOf(t, language, region, rejection)}
        </span>
        <span className="muted num">
          {t('sync.madeAt', { at: formatDateTime(language, rejection.at) })} ·{' '}
          {t('sync.rejectedAt', { at: formatDateTime(language, rejection.rejectedAt) })}
        </span>
      </div>
      <div className="sync-row-actions">
        <button onClick={() => void dismissRejection(rejection.commandId)} data-testid="dismiss-rejection">
          {t('sync.dismiss')}
        </button>
      </div>
    </li>
  );
}

/** The field's value on this console now, when the record is at hand (the store holds incidents only). */
function currentValue(
  conflict: Conflict,
  incident: Incident | undefined,
): string | number | null | undefined {
  if (!incident) return undefined;
  if (conflict.field === 'status') return incident.status;
  return conflict.field === 'priority' ? incident.priority : incident.assignedOrgId;
}

function ConflictRow({ conflict }: { conflict: Conflict }) {
  const t = useT();
  const language = useDesk((s) => s.language);
  const actor = useDesk((s) => s.actor);
  const orgs = useDesk((s) => s.region?.orgs) ?? [];
  const settledMine = useDesk((s) => s.settledMine);
  const incident = useDesk((s) =>
    conflict.kind === 'incident' ? s.incidents[conflict.entityId] : undefined,
  );
  const value = (v: unknown): string => String(renderVar(language, conflictValueVar(conflict, v, orgs)));
  const field = t(`conflict.field.${conflict.field}`);
  const kind = t(`conflict.kind.${conflict.kind}`);
  const mineIsMine = actor !== null && conflict.operatorId === actor.operatorId;
  const who = mineIsMine ? t('conflict.you') : conflict.operatorId;
  const now = currentValue(conflict, incident);
  // What 'keep' keeps is what the record holds now; the operator's choice is sent with it as what they saw.
  const kept = now === undefined ? conflict.theirs : now;
  const seen = now;
  const echo = echoOf(conflict, settledMine);
  return (
    <li className="sync-row" data-testid="conflict">
      <div className="sync-row-main">
        <span className="strong" data-testid="conflict-subject">
          {incident ? t('sync.subject', { kind, number: incident.number }) : kind}
        </span>
        {incident && <span className="muted">{incident.address}</span>}
        <span data-testid="conflict-change">
          {t('conflict.change', {
            who,
            at: formatDateTime(language, conflict.at),
            field,
            mine: value(conflict.mine),
            theirs: value(conflict.theirs),
          })}
          {now !== undefined && now !== conflict.theirs && ` · ${t('conflict.now', { value: value(now) })}`}
        </span>
        {echo && (
          <span className="warn-text" data-testid="conflict-echo">
            {t('conflict.echo', { field, theirs: value(conflict.theirs) })}
          </span>
        )}
        {actor && !mayResolve(actor.role, conflict) && (
          <span className="muted" data-testid="conflict-view-only">
            {t('conflict.viewOnly', { role: t(`role.${actor.role}`), field })}
          </span>
        )}
      </div>
      {actor && mayResolve(actor.role, conflict) && (
        <div className="sync-row-actions">
          <button onClick={() => void resolveConflict(conflict.id, 'mine', seen)} data-testid="conflict-mine">
            {mineIsMine
              ? t('conflict.mine', { value: value(conflict.mine) })
              : t('conflict.apply', { value: value(conflict.mine), who })}
          </button>
          <button
            onClick={() => void resolveConflict(conflict.id, 'theirs', seen)}
            data-testid="conflict-theirs"
          >
            {t('conflict.theirs', { value: value(kept) })}
          </button>
        </div>
      )}
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
              {/* Offline, the error is a lost link whatever the transport said; its words stay for support. */}
              <dd className="alarm-text" data-testid="sync-last-error" title={sync.lastError}>
                {sync.mode === 'offline' ? t('sync.linkDown') : sync.lastError}
                {sync.mode === 'offline' && (
                  <span className="muted small"> · {t('sync.detail', { text: sync.lastError })}</span>
                )}
              </dd>
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
