// The warnings panel (预警): warnings raised where a checkpoint check matched the watch list, with sign-for and
// handle actions; entering a check (录入盘查) at a checkpoint; and the watch list (布控) of the jurisdiction.
// Selection is shared with the map: choosing a warning or a checkpoint here shows it there, and the other way.
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { mayRun } from '../../shared/access';
import type { CommandName } from '../../shared/contract';
import type { CheckpointCheck, Warning, WatchEntry, WatchKind, WatchLevel } from '../../shared/domain/model';
import { CITY_ID } from '../../shared/domain/model';
import {
  acknowledgeWarning,
  addWatchEntry,
  handleWarning,
  linkWarningIncident,
  logCheck,
  setWatchActive,
  showWarning,
} from '../app/warnings';
import { reportError } from '../app/live';
import { getDeskClient } from '../client';
import { formatDateTime, formatTime, nameIn, useT } from '../i18n';
import { deskStore, useDesk } from '../store';
import { isSelected } from '../store/map';
import { isCityOperator, jurisdictionOf } from '../store/session';
import { newWarningCount, warningList } from '../store/warnings';

type Tab = 'warnings' | 'check' | 'watch';

const KINDS: readonly WatchKind[] = ['plate', 'person', 'phone'];
const LEVELS: readonly WatchLevel[] = [1, 2, 3];
const HOUR = 3_600_000;

/** Whether the signed-in operator's role may run a command: only actions the core would accept are offered. */
function useMayRun(): (command: CommandName) => boolean {
  const role = useDesk((s) => s.actor?.role);
  return (command) => role !== undefined && mayRun(role, command);
}

function LevelTag({ level }: { level: WatchLevel }) {
  const t = useT();
  return <span className={`tag wlevel wlevel-${level}`}>{t(`watchLevel.${level}`)}</span>;
}

function WarningRow({ warning, selected }: { warning: Warning; selected: boolean }) {
  const t = useT();
  const language = useDesk((s) => s.language);
  const checkpoint = useDesk((s) => s.checkpoints[warning.checkpointId]);
  const incident = useDesk((s) => (warning.incidentId ? s.incidents[warning.incidentId] : undefined));
  const selectedIncident = useDesk((s) => (s.selection?.kind === 'incident' ? s.selection.id : null));
  const may = useMayRun();
  const [note, setNote] = useState('');
  const open = warning.status !== 'handled';
  const mayAct = may('warning.acknowledge') || may('warning.handle') || may('warning.linkIncident');
  const handle = (event: FormEvent): void => {
    event.preventDefault();
    if (note.trim()) void handleWarning(warning.id, note.trim()).then((ok) => ok && setNote(''));
  };
  return (
    <div
      className={`warning-row wlevel-${warning.level} wstatus-${warning.status} ${selected ? 'selected' : ''}`}
      data-warning-id={warning.id}
      data-testid="warning-row"
      onClick={() => showWarning(warning.id)}
    >
      <div className="warning-head">
        <LevelTag level={warning.level} />
        <span className={`tag wstate-${warning.status}`}>{t(`warningStatus.${warning.status}`)}</span>
        <span className="tag">{t(`watchKind.${warning.kind}`)}</span>
        <span className="strong warning-value">{warning.value}</span>
        <span className="grow ellipsis muted">{warning.label}</span>
        <span className="num muted">{formatTime(language, warning.raisedAt)}</span>
      </div>
      <div className="warning-line">
        <span className="ellipsis">
          {checkpoint ? nameIn(language, checkpoint) : warning.checkpointId} · {warning.reason}
        </span>
      </div>
      {(warning.acknowledgedBy || warning.handledBy || incident) && (
        <div className="warning-line muted small">
          {warning.acknowledgedBy && warning.acknowledgedAt !== null && (
            <span>
              {t('warnings.signedBy', {
                by: warning.acknowledgedBy,
                at: formatTime(language, warning.acknowledgedAt),
              })}
            </span>
          )}
          {warning.handledBy && warning.handledAt !== null && (
            <span>
              {t('warnings.handledBy', {
                by: warning.handledBy,
                at: formatTime(language, warning.handledAt),
                note: warning.handleNote,
              })}
            </span>
          )}
          {incident && <span>{t('warnings.incident', { number: incident.number })}</span>}
        </div>
      )}
      {mayAct && open && (
        <div className="warning-actions" onClick={(e) => e.stopPropagation()}>
          {warning.status === 'new' && may('warning.acknowledge') && (
            <button className="primary" onClick={() => void acknowledgeWarning(warning.id)}>
              {t('warnings.acknowledge')}
            </button>
          )}
          {may('warning.handle') && (
            <form className="feedback" onSubmit={handle}>
              <input
                placeholder={t('warnings.handlePlaceholder')}
                value={note}
                onChange={(e) => setNote(e.target.value)}
              />
              <button type="submit" disabled={!note.trim()}>
                {t('warnings.handle')}
              </button>
            </form>
          )}
          {selectedIncident && selectedIncident !== warning.incidentId && may('warning.linkIncident') && (
            <button onClick={() => void linkWarningIncident(warning.id, selectedIncident)}>
              {t('warnings.linkIncident')}
            </button>
          )}
        </div>
      )}
    </div>
  );
}

function WarningsList() {
  const t = useT();
  const warnings = useDesk((s) => s.warnings);
  const scope = useDesk((s) => s.warningScope);
  const setScope = useDesk((s) => s.setWarningScope);
  const selection = useDesk((s) => s.selection);
  const list = useMemo(() => warningList(warnings, scope), [warnings, scope]);
  const openCount = useMemo(() => warningList(warnings, 'open').length, [warnings]);
  const selectedId = selection?.kind === 'warning' ? selection.id : null;
  useEffect(() => {
    if (selectedId)
      document
        .querySelector(`[data-warning-id="${CSS.escape(selectedId)}"]`)
        ?.scrollIntoView({ block: 'nearest' });
  }, [selectedId]);
  return (
    <>
      <div className="warnings-bar">
        <button className={scope === 'open' ? 'on' : ''} onClick={() => setScope('open')}>
          {t('warnings.scope.open')} <span className="num">{openCount}</span>
        </button>
        <button className={scope === 'all' ? 'on' : ''} onClick={() => setScope('all')}>
          {t('warnings.scope.all')} <span className="num">{Object.keys(warnings).length}</span>
        </button>
      </div>
      <div className="warnings-list" data-testid="warnings-list">
        {list.map((warning) => (
          <WarningRow
            key={warning.id}
            warning={warning}
            selected={isSelected(selection, 'warning', warning.id)}
          />
        ))}
        {list.length === 0 && <div className="empty">{t('warnings.none')}</div>}
      </div>
    </>
  );
}

function CheckForm() {
  const t = useT();
  const language = useDesk((s) => s.language);
  const checkpoints = useDesk((s) => s.checkpoints);
  const region = useDesk((s) => s.region);
  const checkVersion = useDesk((s) => s.checkVersion);
  const may = useMayRun();
  // The checkpoint follows what is selected: a checkpoint, or the checkpoint of a selected warning.
  const selected = useDesk((s) =>
    s.selection?.kind === 'checkpoint'
      ? s.selection.id
      : s.selection?.kind === 'warning'
        ? s.warnings[s.selection.id]?.checkpointId
        : undefined,
  );
  // The operator's own choice holds until something else is selected; then the form follows the selection.
  const [choice, setChoice] = useState<{ id: string; whileSelected: string | undefined }>({
    id: '',
    whileSelected: undefined,
  });
  const checkpointId = selected !== undefined && selected !== choice.whileSelected ? selected : choice.id;
  const [plate, setPlate] = useState('');
  const [personId, setPersonId] = useState('');
  const [phone, setPhone] = useState('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [recent, setRecent] = useState<CheckpointCheck[]>([]);
  useEffect(() => {
    if (!checkpointId) return;
    let current = true;
    getDeskClient()
      .query('checkpoint.checks', { checkpointId, limit: 20 })
      .then((page) => current && setRecent(page.items))
      .catch((error: unknown) => reportError(deskStore, error));
    return () => {
      current = false;
    };
  }, [checkpointId, checkVersion]);
  const options = useMemo(
    () =>
      Object.values(checkpoints).sort(
        (a, b) => a.countyId.localeCompare(b.countyId) || a.id.localeCompare(b.id),
      ),
    [checkpoints],
  );
  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (busy || !checkpointId) return;
    const given = { plate: plate.trim(), personId: personId.trim(), phone: phone.trim() };
    if (!given.plate && !given.personId && !given.phone) {
      deskStore.getState().pushAlert({
        id: `error-check-${Date.now()}`,
        kind: 'error',
        message: { key: 'check.needValue' },
        at: Date.now(),
        ref: null,
      });
      return;
    }
    setBusy(true);
    const ok = await logCheck({
      checkpointId,
      ...(given.plate ? { plate: given.plate } : {}),
      ...(given.personId ? { personId: given.personId } : {}),
      ...(given.phone ? { phone: given.phone } : {}),
      ...(note.trim() ? { note: note.trim() } : {}),
    });
    setBusy(false);
    if (ok) {
      setPlate('');
      setPersonId('');
      setPhone('');
      setNote('');
    }
  };
  return (
    <div className="check-tab">
      <form className="check-form" data-testid="check-form" onSubmit={(e) => void submit(e)}>
        <label>
          {t('check.checkpoint')}
          <select
            name="checkpointId"
            value={checkpointId}
            onChange={(e) => {
              const id = e.target.value;
              setChoice({ id, whileSelected: id || selected });
              if (id) deskStore.getState().select({ kind: 'checkpoint', id });
            }}
          >
            <option value="">{t('check.pickCheckpoint')}</option>
            {options.map((cp) => {
              const county = jurisdictionOf(region, cp.countyId);
              return (
                <option key={cp.id} value={cp.id}>
                  {county ? `${nameIn(language, county)} · ` : ''}
                  {nameIn(language, cp)}
                </option>
              );
            })}
          </select>
        </label>
        <div className="grid3">
          <label>
            {t('check.plate')}
            <input name="plate" value={plate} onChange={(e) => setPlate(e.target.value)} autoComplete="off" />
          </label>
          <label>
            {t('check.personId')}
            <input
              name="personId"
              value={personId}
              onChange={(e) => setPersonId(e.target.value)}
              autoComplete="off"
            />
          </label>
          <label>
            {t('check.phone')}
            <input name="phone" value={phone} onChange={(e) => setPhone(e.target.value)} autoComplete="off" />
          </label>
        </div>
        <label>
          {t('check.note')}
          <input name="note" value={note} onChange={(e) => setNote(e.target.value)} />
        </label>
        <div className="actions">
          <button
            type="submit"
            className="primary"
            disabled={!may('checkpoint.logCheck') || busy || !checkpointId}
          >
            {t('check.submit')}
          </button>
        </div>
      </form>
      {checkpointId && (
        <div className="check-recent">
          <h4>{t('check.recent')}</h4>
          {recent.map((check) => (
            <div key={check.id} className="check-line">
              <span className="num muted">{formatTime(language, check.at)}</span>
              <span className="strong">
                {[check.plate, check.personId, check.phone].filter(Boolean).join(' · ')}
              </span>
              <span className="grow ellipsis muted">{check.note}</span>
            </div>
          ))}
          {recent.length === 0 && <div className="muted small">{t('check.none')}</div>}
        </div>
      )}
    </div>
  );
}

function watchState(entry: WatchEntry, now: number): 'active' | 'inactive' | 'expired' {
  if (!entry.active) return 'inactive';
  return entry.validUntil !== null && entry.validUntil <= now ? 'expired' : 'active';
}

function WatchList() {
  const t = useT();
  const language = useDesk((s) => s.language);
  const entries = useDesk((s) => s.watchEntries);
  const region = useDesk((s) => s.region);
  const actor = useDesk((s) => s.actor);
  const now = useDesk((s) => s.now);
  const may = useMayRun();
  const cityOperator = isCityOperator(actor);
  const [kind, setKind] = useState<WatchKind>('plate');
  const [value, setValue] = useState('');
  const [label, setLabel] = useState('');
  const [reason, setReason] = useState('');
  const [level, setLevel] = useState<WatchLevel>(2);
  const [scope, setScope] = useState(CITY_ID);
  const [hours, setHours] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (busy) return;
    if (!value.trim() || !reason.trim()) {
      deskStore.getState().pushAlert({
        id: `error-watch-${Date.now()}`,
        kind: 'error',
        message: { key: 'watch.needFields' },
        at: Date.now(),
        ref: null,
      });
      return;
    }
    const validHours = Number(hours);
    setBusy(true);
    const ok = await addWatchEntry({
      kind,
      value: value.trim(),
      label: label.trim(),
      reason: reason.trim(),
      level,
      ...(cityOperator ? { countyId: scope } : {}),
      ...(hours.trim() && validHours > 0 ? { validUntil: Date.now() + Math.round(validHours * HOUR) } : {}),
    });
    setBusy(false);
    if (ok) {
      setValue('');
      setLabel('');
      setReason('');
      setHours('');
    }
  };
  return (
    <div className="watch-tab">
      {may('watch.add') && (
        <form className="watch-form" data-testid="watch-form" onSubmit={(e) => void submit(e)}>
          <div className="grid3">
            <label>
              {t('watch.kind')}
              <select name="kind" value={kind} onChange={(e) => setKind(e.target.value as WatchKind)}>
                {KINDS.map((k) => (
                  <option key={k} value={k}>
                    {t(`watchKind.${k}`)}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {t('watch.value')}
              <input
                name="value"
                value={value}
                onChange={(e) => setValue(e.target.value)}
                autoComplete="off"
              />
            </label>
            <label>
              {t('watch.level')}
              <select
                name="level"
                value={level}
                onChange={(e) => setLevel(Number(e.target.value) as WatchLevel)}
              >
                {LEVELS.map((l) => (
                  <option key={l} value={l}>
                    {t(`watchLevel.${l}`)}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <div className="grid2">
            <label>
              {t('watch.label')}
              <input name="label" value={label} onChange={(e) => setLabel(e.target.value)} />
            </label>
            <label>
              {t('watch.reason')}
              <input name="reason" value={reason} onChange={(e) => setReason(e.target.value)} />
            </label>
          </div>
          <div className="grid2">
            {cityOperator && (
              <label>
                {t('watch.scope')}
                <select name="countyId" value={scope} onChange={(e) => setScope(e.target.value)}>
                  <option value={CITY_ID}>{t('watch.cityWide')}</option>
                  {(region?.counties ?? []).map((county) => (
                    <option key={county.id} value={county.id}>
                      {nameIn(language, county)}
                    </option>
                  ))}
                </select>
              </label>
            )}
            <label>
              {t('watch.validHours')}
              <input
                name="validHours"
                type="number"
                min={1}
                value={hours}
                onChange={(e) => setHours(e.target.value)}
              />
            </label>
          </div>
          <div className="actions">
            <button type="submit" className="primary" disabled={busy}>
              {t('watch.add')}
            </button>
          </div>
        </form>
      )}
      <div className="watch-list">
        {entries.map((entry) => {
          const state = watchState(entry, now);
          const owner = entry.countyId === CITY_ID ? null : jurisdictionOf(region, entry.countyId);
          return (
            <div key={entry.id} className={`watch-row watch-${state}`} data-watch-id={entry.id}>
              <div className="warning-head">
                <LevelTag level={entry.level} />
                <span className="tag">{t(`watchKind.${entry.kind}`)}</span>
                <span className="strong warning-value">{entry.value}</span>
                <span className="grow ellipsis muted">{entry.label}</span>
                <span className={`tag watch-state-${state}`}>
                  {t(
                    state === 'active'
                      ? 'watch.active'
                      : state === 'inactive'
                        ? 'watch.inactive'
                        : 'watch.expired',
                  )}
                </span>
              </div>
              <div className="warning-line muted small">
                <span>{owner ? nameIn(language, owner) : t('watch.cityWide')}</span>
                <span className="grow ellipsis">{entry.reason}</span>
                {entry.validUntil !== null && (
                  <span className="num">
                    {t('watch.until', { at: formatDateTime(language, entry.validUntil) })}
                  </span>
                )}
                {may('watch.setActive') && (
                  <button onClick={() => void setWatchActive(entry.id, !entry.active)}>
                    {t(entry.active ? 'watch.deactivate' : 'watch.activate')}
                  </button>
                )}
              </div>
            </div>
          );
        })}
        {entries.length === 0 && <div className="empty">{t('watch.none')}</div>}
      </div>
    </div>
  );
}

export function WarningsPanel() {
  const t = useT();
  const [chosen, setChosen] = useState<{ tab: Tab; whileSelected: string | null }>({
    tab: 'warnings',
    whileSelected: null,
  });
  const fresh = useDesk((s) => newWarningCount(s.warnings));
  const watched = useDesk((s) => s.watchEntries.filter((entry) => entry.active).length);
  // Choosing a warning elsewhere (the map, the alarm banner) brings the list to the front.
  const selectedWarning = useDesk((s) => (s.selection?.kind === 'warning' ? s.selection.id : null));
  const tab = selectedWarning !== null && selectedWarning !== chosen.whileSelected ? 'warnings' : chosen.tab;
  const setTab = (next: Tab): void => setChosen({ tab: next, whileSelected: selectedWarning });
  return (
    <div className="warnings" data-testid="warnings-panel">
      <div className="tabs">
        <button
          className={`${tab === 'warnings' ? 'on' : ''} ${fresh ? 'alarm' : ''}`}
          onClick={() => setTab('warnings')}
          data-testid="warnings-tab"
        >
          {t('warnings.tab.warnings')} <span className="num">{fresh}</span>
        </button>
        <button
          className={tab === 'check' ? 'on' : ''}
          onClick={() => setTab('check')}
          data-testid="check-tab"
        >
          {t('warnings.tab.check')}
        </button>
        <button
          className={tab === 'watch' ? 'on' : ''}
          onClick={() => setTab('watch')}
          data-testid="watch-tab"
        >
          {t('warnings.tab.watch')} <span className="num">{watched}</span>
        </button>
      </div>
      {tab === 'warnings' && <WarningsList />}
      {tab === 'check' && <CheckForm />}
      {tab === 'watch' && <WatchList />}
    </div>
  );
}
