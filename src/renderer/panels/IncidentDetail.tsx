// Incident detail and timeline: every step with its time and operator; status actions and notes.
import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { TimelineEntry } from '../../shared/domain/model';
import { incidentMachine, type IncidentEvent } from '../../shared/domain/machines';
import { addIncidentNote, setIncidentStatus } from '../app/actions';
import { reportError } from '../app/live';
import { getDeskClient } from '../client';
import { formatDateTime, nameIn, useT } from '../i18n';
import { deskStore, useDesk } from '../store';
import { timelineText } from '../store/names';
import { jurisdictionOf } from '../store/session';

const ACTIONS: IncidentEvent[] = ['dispatch', 'arrive', 'finish', 'close', 'cancel'];
const NO_ENTRIES: TimelineEntry[] = [];

export function IncidentDetail() {
  const t = useT();
  const incident = useDesk((s) =>
    s.selection?.kind === 'incident' ? s.incidents[s.selection.id] : undefined,
  );
  const selectedId = useDesk((s) => (s.selection?.kind === 'incident' ? s.selection.id : null));
  const region = useDesk((s) => s.region);
  const language = useDesk((s) => s.language);
  const [timeline, setTimeline] = useState<{ id: string; entries: TimelineEntry[] } | null>(null);
  const [note, setNote] = useState('');
  const [disposition, setDisposition] = useState('');
  const updatedAt = incident?.updatedAt;

  useEffect(() => {
    if (!selectedId) return;
    let current = true;
    getDeskClient()
      .query('incident.timeline', { id: selectedId })
      .then((entries) => {
        if (current) setTimeline({ id: selectedId, entries });
      })
      .catch((error: unknown) => reportError(deskStore, error));
    return () => {
      current = false;
    };
  }, [selectedId, updatedAt]);

  // Entries name targets and units as they were called then, in Chinese; shown in the operator's language. A
  // selector of strings, so the units moving every second do not draw the detail again.
  const texts = useDesk(
    useShallow((s) =>
      (timeline?.id === selectedId ? timeline.entries : NO_ENTRIES).map((entry) =>
        nameIn(s.language, timelineText(s, entry)),
      ),
    ),
  );

  if (!incident) return <div className="empty">{t('detail.none')}</div>;
  const county = jurisdictionOf(region, incident.countyId);
  const entries = timeline?.id === incident.id ? timeline.entries : [];
  const possible = ACTIONS.filter((event) =>
    incidentMachine.transitions[event].from.includes(incident.status),
  );

  return (
    <div className="detail" data-testid="incident-detail">
      <div className="detail-head">
        <span className={`pri p${incident.priority}`}>{incident.priority}</span>
        <span className="num strong">{incident.number}</span>
        <span className={`tag status-${incident.status}`}>{t(`status.${incident.status}`)}</span>
        <span className="grow" />
        <button onClick={() => deskStore.getState().focusOn(incident.location, 13)}>
          {t('detail.showOnMap')}
        </button>
      </div>
      <dl className="facts">
        <dt>{t('intake.field.category')}</dt>
        <dd>{t(`category.${incident.category}`)}</dd>
        <dt>{t('intake.field.source')}</dt>
        <dd>{t(`source.${incident.source}`)}</dd>
        <dt>{t('intake.field.address')}</dt>
        <dd>{incident.address}</dd>
        <dt>{t('intake.field.countyId')}</dt>
        <dd>{county ? nameIn(language, county) : incident.countyId}</dd>
        <dt>{t('intake.field.callerName')}</dt>
        <dd>
          {incident.callerName || '—'} <span className="num muted">{incident.callerPhone}</span>
        </dd>
        <dt>{t('detail.received')}</dt>
        <dd className="num">{formatDateTime(language, incident.receivedAt)}</dd>
        <dt>{t('intake.field.summary')}</dt>
        <dd>{incident.summary}</dd>
        {incident.disposition && (
          <>
            <dt>{t('detail.disposition')}</dt>
            <dd>{incident.disposition}</dd>
          </>
        )}
      </dl>
      {possible.length > 0 && (
        <div className="status-actions">
          {possible.includes('close') && (
            <input
              placeholder={t('detail.dispositionPlaceholder')}
              value={disposition}
              onChange={(e) => setDisposition(e.target.value)}
            />
          )}
          {possible.map((event) => (
            <button
              key={event}
              className={event === 'cancel' ? '' : 'primary-outline'}
              disabled={event === 'close' && !disposition.trim()}
              onClick={() =>
                void setIncidentStatus(
                  incident.id,
                  incidentMachine.transitions[event].to,
                  event === 'close' ? disposition.trim() : undefined,
                ).then(() => setDisposition(''))
              }
            >
              {t(`incidentAction.${event as 'dispatch' | 'arrive' | 'finish' | 'close' | 'cancel'}`)}
            </button>
          ))}
        </div>
      )}
      <h4>{t('detail.timeline')}</h4>
      <ol className="timeline" data-testid="timeline">
        {entries.map((entry, index) => (
          <li key={entry.id}>
            <span className="num muted">{formatDateTime(language, entry.at)}</span>
            <span className="tl-kind">{timelineKind(t, entry.kind)}</span>
            <span className="grow">{entry.text !== entry.kind ? texts[index] : ''}</span>
            <span className="muted small">{entry.by}</span>
          </li>
        ))}
      </ol>
      <form
        className="note"
        onSubmit={(e) => {
          e.preventDefault();
          const text = note.trim();
          if (!text) return;
          void addIncidentNote(incident.id, text).then((ok) => {
            if (!ok) return;
            setNote('');
            setTimeline(null);
            void getDeskClient()
              .query('incident.timeline', { id: incident.id })
              .then((list) => setTimeline({ id: incident.id, entries: list }));
          });
        }}
      >
        <input
          placeholder={t('detail.notePlaceholder')}
          value={note}
          onChange={(e) => setNote(e.target.value)}
        />
        <button type="submit" disabled={!note.trim()}>
          {t('detail.addNote')}
        </button>
      </form>
    </div>
  );
}

const KNOWN_KINDS = [
  'received',
  'updated',
  'dispatched',
  'on_scene',
  'handled',
  'closed',
  'cancelled',
  'duplicate',
  'merged',
  'absorbed',
  'linked',
  'note',
  'ref',
  'case_linked',
  'unit_assigned',
  'unit_on_scene',
  'order_issued',
  'order_signed',
  'order_started',
  'order_feedback',
  'order_completed',
  'order_cancelled',
  'order_overdue',
  'warning_raised',
  'warning_handled',
  'warning_linked',
] as const;

function timelineKind(t: ReturnType<typeof useT>, kind: string): string {
  return (KNOWN_KINDS as readonly string[]).includes(kind)
    ? t(`timeline.${kind as (typeof KNOWN_KINDS)[number]}`)
    : kind;
}
