// The incident queue: live, virtualised, sortable and filterable, with the waiting time coloured.
import { memo, useMemo, type KeyboardEvent } from 'react';
import type { Incident, IncidentStatus, Priority } from '../../shared/domain/model';
import { VirtualList } from '../components/VirtualList';
import { formatAge, formatTime, nameIn, useT } from '../i18n';
import { deskStore, useDesk } from '../store';
import { ageLevel, OPEN_STATUSES, queueOf, type IncidentSortKey } from '../store/incidents';
import type { Language } from '../store/settings';

const ROW_HEIGHT = 30;

const STATUS_SCOPES: Record<string, IncidentStatus[]> = {
  open: [...OPEN_STATUSES],
  waiting: ['received'],
  done: ['closed', 'cancelled', 'duplicate', 'merged'],
  all: [],
};

interface QueueRowProps {
  incident: Incident;
  selected: boolean;
  countyName: string;
  language: Language;
}

/**
 * One line of the queue. Only the lines on screen exist, and only those waiting for a first response follow
 * the clock, so the once-a-second tick redraws a few dozen waiting-time cells, not the queue.
 */
const QueueRow = memo(function QueueRow({ incident, selected, countyName, language }: QueueRowProps) {
  const t = useT();
  const now = useDesk((s) => (incident.status === 'received' ? s.now : 0));
  const age = ageLevel(incident, now);
  return (
    <div
      className={`qrow ${selected ? 'selected' : ''} ${OPEN_STATUSES.includes(incident.status) ? '' : 'done'}`}
      data-incident-id={incident.id}
      onClick={() => {
        const state = deskStore.getState();
        state.select({ kind: 'incident', id: incident.id });
        state.focusOn(incident.location);
      }}
      onDoubleClick={() => deskStore.getState().showPanel('detail')}
    >
      <span className={`c-pri pri p${incident.priority}`}>{incident.priority}</span>
      <span className="c-time num">{formatTime(language, incident.receivedAt)}</span>
      <span className="c-cat">{t(`category.${incident.category}`)}</span>
      <span className="c-addr" title={incident.summary}>
        {incident.address}
      </span>
      <span className="c-county">{countyName}</span>
      <span className={`c-status status-${incident.status}`}>{t(`status.${incident.status}`)}</span>
      <span className={`c-age num age-${age}`}>
        {age === 'none' ? '' : formatAge(language, now - incident.receivedAt)}
      </span>
    </div>
  );
});

export function IncidentQueue() {
  const t = useT();
  const incidents = useDesk((s) => s.incidents);
  const filter = useDesk((s) => s.incidentFilter);
  const sort = useDesk((s) => s.incidentSort);
  const total = useDesk((s) => s.incidentTotal);
  const region = useDesk((s) => s.region);
  const language = useDesk((s) => s.language);
  const selection = useDesk((s) => s.selection);
  const setFilter = useDesk((s) => s.setIncidentFilter);
  const setSort = useDesk((s) => s.setIncidentSort);
  const select = useDesk((s) => s.select);
  // The clock only matters to the filter when it has a time window; otherwise the list is not recomputed each second.
  const filterNow = useDesk((s) =>
    s.incidentFilter.withinHours === null ? 0 : Math.floor(s.now / 60_000) * 60_000,
  );
  const rows = useMemo(
    () => queueOf(incidents, filter, sort, filterNow),
    [incidents, filter, sort, filterNow],
  );
  const countyNames = useMemo(() => {
    const names = new Map<string, string>();
    if (region)
      for (const county of [region.city, ...region.counties]) names.set(county.id, nameIn(language, county));
    return names;
  }, [region, language]);
  const selectedIndex =
    selection?.kind === 'incident' ? rows.findIndex((incident) => incident.id === selection.id) : -1;
  const scope =
    Object.entries(STATUS_SCOPES).find(([, list]) => list.join() === filter.statuses.join())?.[0] ?? 'all';

  const choose = (index: number): void => {
    const incident = rows[index];
    if (!incident) return;
    select({ kind: 'incident', id: incident.id });
    deskStore.getState().focusOn(incident.location);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>): void => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const next = Math.max(
        0,
        Math.min(rows.length - 1, selectedIndex + (event.key === 'ArrowDown' ? 1 : -1)),
      );
      choose(next);
    } else if (event.key === 'Enter' && selectedIndex >= 0) {
      deskStore.getState().showPanel('detail');
    }
  };

  const header = (key: IncidentSortKey, label: string, className: string) => (
    <button
      className={`qh ${className}`}
      onClick={() => setSort(key)}
      aria-sort={sort.key === key ? (sort.descending ? 'descending' : 'ascending') : 'none'}
    >
      {label}
      {sort.key === key ? (sort.descending ? ' ▾' : ' ▴') : ''}
    </button>
  );

  return (
    <div className="queue" data-testid="incident-queue">
      <div className="filters">
        <select
          aria-label={t('queue.status')}
          value={scope}
          onChange={(e) => setFilter({ statuses: STATUS_SCOPES[e.target.value] ?? [] })}
        >
          {Object.keys(STATUS_SCOPES).map((key) => (
            <option key={key} value={key}>
              {t(`queue.scope.${key as 'open' | 'waiting' | 'done' | 'all'}`)}
            </option>
          ))}
        </select>
        <select
          aria-label={t('queue.priority')}
          value={filter.maxPriority}
          onChange={(e) => setFilter({ maxPriority: Number(e.target.value) as Priority })}
        >
          {[1, 2, 3, 4].map((p) => (
            <option key={p} value={p}>
              {p === 4 ? t('queue.allPriorities') : t('queue.upToPriority', { p })}
            </option>
          ))}
        </select>
        {region && region.counties.length > 0 && (
          <select
            aria-label={t('queue.county')}
            value={filter.countyId ?? ''}
            onChange={(e) => setFilter({ countyId: e.target.value || null })}
          >
            <option value="">{t('queue.allCounties')}</option>
            {region.counties.map((county) => (
              <option key={county.id} value={county.id}>
                {nameIn(language, county)}
              </option>
            ))}
          </select>
        )}
        <select
          aria-label={t('queue.time')}
          value={filter.withinHours ?? ''}
          onChange={(e) => setFilter({ withinHours: e.target.value ? Number(e.target.value) : null })}
        >
          <option value="">{t('queue.anyTime')}</option>
          {[1, 6, 24, 72].map((h) => (
            <option key={h} value={h}>
              {t('queue.withinHours', { h })}
            </option>
          ))}
        </select>
        <input
          type="search"
          placeholder={t('queue.search')}
          value={filter.text}
          onChange={(e) => setFilter({ text: e.target.value })}
        />
      </div>
      <div className="qrow qhead">
        {header('priority', t('queue.col.priority'), 'c-pri')}
        {header('receivedAt', t('queue.col.received'), 'c-time')}
        {header('category', t('queue.col.category'), 'c-cat')}
        <span className="c-addr">{t('queue.col.address')}</span>
        {header('countyId', t('queue.col.county'), 'c-county')}
        {header('status', t('queue.col.status'), 'c-status')}
        <span className="c-age">{t('queue.col.waiting')}</span>
      </div>
      <div className="queue-body" tabIndex={0} onKeyDown={onKeyDown} aria-label={t('panel.queue')}>
        <VirtualList
          count={rows.length}
          rowHeight={ROW_HEIGHT}
          scrollToIndex={selectedIndex}
          renderRow={(index) => {
            const incident = rows[index];
            if (!incident) return null;
            return (
              <QueueRow
                incident={incident}
                selected={selectedIndex === index}
                countyName={countyNames.get(incident.countyId) ?? incident.countyId}
                language={language}
              />
            );
          }}
        />
      </div>
      <div className="panel-foot num">
        {t('queue.count', { shown: rows.length, loaded: Object.keys(incidents).length, total })}
      </div>
    </div>
  );
}
