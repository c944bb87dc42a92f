// Intake (接警): caller, place (map click or gazetteer search), category and priority, with duplicate
// suggestions shown before saving. Opened with F2; Ctrl+Enter saves.
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import {
  CITY_ID,
  IncidentCategory,
  IncidentSource,
  type LngLat,
  type Priority,
} from '../../shared/domain/model';
import { linkInsteadOfCreating, saveIntake } from '../app/actions';
import { reportError } from '../app/live';
import { getDeskClient } from '../client';
import { formatTime, nameIn, useT } from '../i18n';
import { countyAt } from '../map/counties';
import { deskStore, useDesk } from '../store';
import { isCityOperator, jurisdictionOf } from '../store/session';

interface GazetteerEntry {
  key: string;
  kind: 'county' | 'place' | 'org' | 'checkpoint';
  name: string;
  nameEn: string;
  countyId: string;
  location: LngLat;
}

export function IntakePanel() {
  const t = useT();
  const draft = useDesk((s) => s.intake);
  const duplicates = useDesk((s) => s.duplicates);
  const region = useDesk((s) => s.region);
  const checkpoints = useDesk((s) => s.checkpoints);
  const actor = useDesk((s) => s.actor);
  const language = useDesk((s) => s.language);
  const focusSeq = useDesk((s) => s.intakeFocusSeq);
  const tool = useDesk((s) => s.tool);
  const edit = useDesk((s) => s.editIntake);
  const [query, setQuery] = useState('');
  const [highlight, setHighlight] = useState(0);
  const [saving, setSaving] = useState(false);
  const first = useRef<HTMLInputElement>(null);
  const cityOperator = isCityOperator(actor);

  useEffect(() => {
    if (focusSeq > 0) first.current?.focus();
  }, [focusSeq]);

  const gazetteer = useMemo<GazetteerEntry[]>(() => {
    if (!region) return [];
    return [
      ...region.counties.map((c) => ({
        key: `county-${c.id}`,
        kind: 'county' as const,
        name: c.name,
        nameEn: c.nameEn,
        countyId: c.id,
        location: c.center,
      })),
      ...region.places.map((p) => ({
        key: `place-${p.id}`,
        kind: 'place' as const,
        name: p.name,
        nameEn: p.nameEn,
        countyId: p.countyId,
        location: p.location,
      })),
      ...region.orgs.map((o) => ({
        key: `org-${o.id}`,
        kind: 'org' as const,
        name: o.name,
        nameEn: o.nameEn,
        countyId: o.countyId,
        location: o.location,
      })),
      ...Object.values(checkpoints).map((cp) => ({
        key: `cp-${cp.id}`,
        kind: 'checkpoint' as const,
        name: cp.name,
        nameEn: cp.nameEn,
        countyId: cp.countyId,
        location: cp.location,
      })),
    ];
  }, [region, checkpoints]);

  const matches = useMemo(() => {
    const text = query.trim().toLowerCase();
    if (!text) return [];
    return gazetteer
      .filter((entry) => entry.name.toLowerCase().includes(text) || entry.nameEn.toLowerCase().includes(text))
      .slice(0, 8);
  }, [gazetteer, query]);

  // Duplicate suggestions follow the category and place; the last answer wins.
  const { category, location } = draft;
  useEffect(() => {
    if (!location) return;
    let current = true;
    const timer = setTimeout(() => {
      getDeskClient()
        .query('incident.duplicates', { category, location })
        .then((items) => {
          if (current) deskStore.getState().setDuplicates(items);
        })
        .catch((error: unknown) => reportError(deskStore, error));
    }, 250);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [category, location]);

  const choosePlace = (entry: GazetteerEntry): void => {
    edit({
      location: entry.location,
      address: draft.address || entry.name,
      countyId: entry.countyId === CITY_ID ? null : entry.countyId,
    });
    // City-level organisations sit in some county on the ground: find which.
    if (entry.countyId === CITY_ID)
      void countyAt(entry.location).then((countyId) => deskStore.getState().editIntake({ countyId }));
    deskStore.getState().focusOn(entry.location, 12);
    setQuery('');
  };

  const onSearchKey = (event: KeyboardEvent<HTMLInputElement>): void => {
    if (matches.length === 0) return;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      setHighlight((h) => (h + (event.key === 'ArrowDown' ? 1 : matches.length - 1)) % matches.length);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      const entry = matches[Math.min(highlight, matches.length - 1)];
      if (entry) choosePlace(entry);
    } else if (event.key === 'Escape') {
      setQuery('');
    }
  };

  const save = async (): Promise<void> => {
    if (saving) return;
    setSaving(true);
    try {
      // Once saved, the keyboard goes back to the console so D / U dispatch the new incident at once.
      if ((await saveIntake()) && document.activeElement instanceof HTMLElement)
        document.activeElement.blur();
    } catch (error) {
      reportError(deskStore, error);
    } finally {
      setSaving(false);
    }
  };

  const onFormKey = (event: KeyboardEvent<HTMLFormElement>): void => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void save();
    }
  };

  const county = draft.countyId ? jurisdictionOf(region, draft.countyId) : undefined;

  return (
    <form
      className="intake"
      data-testid="intake"
      onKeyDown={onFormKey}
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <div className="grid2">
        <label>
          {t('intake.field.callerName')}
          <input
            ref={first}
            name="callerName"
            value={draft.callerName}
            onChange={(e) => edit({ callerName: e.target.value })}
          />
        </label>
        <label>
          {t('intake.field.callerPhone')}
          <input
            name="callerPhone"
            inputMode="tel"
            value={draft.callerPhone}
            onChange={(e) => edit({ callerPhone: e.target.value })}
          />
        </label>
      </div>
      <label className="search-field">
        {t('intake.field.place')}
        <input
          name="placeSearch"
          role="combobox"
          aria-expanded={matches.length > 0}
          placeholder={t('intake.placeSearch')}
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            setHighlight(0);
          }}
          onKeyDown={onSearchKey}
        />
        {matches.length > 0 && (
          <ul className="suggestions" role="listbox">
            {matches.map((entry, index) => (
              <li
                key={entry.key}
                role="option"
                aria-selected={index === highlight}
                className={index === highlight ? 'active' : ''}
                onMouseDown={(e) => {
                  e.preventDefault();
                  choosePlace(entry);
                }}
              >
                <span className="tag">{t(`gazetteer.${entry.kind}`)}</span> {nameIn(language, entry)}
              </li>
            ))}
          </ul>
        )}
      </label>
      <div className="place-line">
        <button
          type="button"
          className={tool === 'pick-intake' ? 'on' : ''}
          onClick={() => deskStore.getState().setTool(tool === 'pick-intake' ? 'none' : 'pick-intake')}
        >
          ◇ {t('intake.pickOnMap')} <kbd>M</kbd>
        </button>
        <span className="num muted" data-testid="intake-location">
          {draft.location
            ? `${draft.location.lng.toFixed(4)}, ${draft.location.lat.toFixed(4)}`
            : t('intake.noPlace')}
          {county
            ? ` · ${nameIn(language, county)}`
            : cityOperator && draft.location
              ? ` · ${t('intake.outsideRegion')}`
              : ''}
        </span>
      </div>
      <label>
        {t('intake.field.address')}
        <input name="address" value={draft.address} onChange={(e) => edit({ address: e.target.value })} />
      </label>
      <div className="grid3">
        <label>
          {t('intake.field.source')}
          <select
            name="source"
            value={draft.source}
            onChange={(e) => edit({ source: e.target.value as IncidentSource })}
          >
            {IncidentSource.options.map((source) => (
              <option key={source} value={source}>
                {t(`source.${source}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('intake.field.category')}
          <select
            name="category"
            value={draft.category}
            onChange={(e) => edit({ category: e.target.value as IncidentCategory })}
          >
            {IncidentCategory.options.map((c) => (
              <option key={c} value={c}>
                {t(`category.${c}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('intake.field.priority')}
          <select
            name="priority"
            value={draft.priority}
            onChange={(e) => edit({ priority: Number(e.target.value) as Priority })}
          >
            {[1, 2, 3, 4].map((p) => (
              <option key={p} value={p}>
                {t(`priority.${p as 1 | 2 | 3 | 4}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {cityOperator && (
        <label>
          {t('intake.field.countyId')}
          <select
            name="county"
            value={draft.countyId ?? ''}
            onChange={(e) => edit({ countyId: e.target.value || null })}
          >
            <option value="">—</option>
            {region?.counties.map((c) => (
              <option key={c.id} value={c.id}>
                {nameIn(language, c)}
              </option>
            ))}
          </select>
        </label>
      )}
      <label>
        {t('intake.field.summary')}
        <textarea
          name="summary"
          rows={3}
          value={draft.summary}
          onChange={(e) => edit({ summary: e.target.value })}
        />
      </label>
      {duplicates.length > 0 && (
        <div className="duplicates" data-testid="duplicates">
          <div className="dup-title">{t('intake.duplicates', { count: duplicates.length })}</div>
          {duplicates.slice(0, 4).map((candidate) => (
            <div key={candidate.incident.id} className="dup">
              <span className={`pri p${candidate.incident.priority}`}>{candidate.incident.priority}</span>
              <span className="num">{formatTime(language, candidate.incident.receivedAt)}</span>
              <span className="grow">{candidate.incident.address}</span>
              <span className="num muted">
                {t('intake.dupDistance', {
                  km: candidate.distanceKm.toFixed(1),
                  min: Math.round(candidate.minutesApart),
                })}
              </span>
              <button type="button" onClick={() => void linkInsteadOfCreating(candidate.incident.id)}>
                {t('intake.linkInstead')}
              </button>
            </div>
          ))}
        </div>
      )}
      <div className="actions">
        <button type="button" onClick={() => deskStore.getState().resetIntake()}>
          {t('intake.clear')}
        </button>
        <button type="submit" className="primary" disabled={saving} data-testid="intake-save">
          {t('intake.save')} <kbd>Ctrl+Enter</kbd>
        </button>
      </div>
    </form>
  );
}
