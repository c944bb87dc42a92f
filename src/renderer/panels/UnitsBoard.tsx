// The units board: units by county and status; the status can be changed where the state machine allows.
import { memo, useMemo } from 'react';
import { unitMachine } from '../../shared/domain/machines';
import { UnitStatus, type Unit } from '../../shared/domain/model';
import { setUnitStatus } from '../app/actions';
import { VirtualList } from '../components/VirtualList';
import { nameIn, useT } from '../i18n';
import { deskStore, useDesk } from '../store';
import type { Language } from '../store/settings';
import { isSelected } from '../store/map';
import { jurisdictionOf } from '../store/session';
import { unitsByCounty } from '../store/units';

const ROW_HEIGHT = 26;

/** One line of the board: a county heading with its counts, or a unit. */
type BoardRow =
  | { kind: 'county'; countyId: string; counts: (readonly [UnitStatus, number])[] }
  | { kind: 'unit'; unit: Unit };

function boardRows(units: Record<string, Unit>): BoardRow[] {
  const rows: BoardRow[] = [];
  for (const [countyId, list] of unitsByCounty(units)) {
    const counts = UnitStatus.options.map(
      (status) => [status, list.filter((u) => u.status === status).length] as const,
    );
    rows.push({ kind: 'county', countyId, counts });
    for (const unit of list) rows.push({ kind: 'unit', unit });
  }
  return rows;
}

/** The last shape worked out, for the units record it came from: the store calls the selector on every change. */
let lastShape: { units: Record<string, Unit> | null; shape: string } = { units: null, shape: '' };

/** What the grouping depends on: each unit's id, county, status and callsigns (not where it is). */
function boardShape(units: Record<string, Unit>): string {
  if (lastShape.units === units) return lastShape.shape;
  let shape = '';
  for (const id in units) {
    const unit = units[id] as Unit;
    shape += `${id}\u0001${unit.countyId}\u0001${unit.status}\u0001${unit.callsign}\u0001${unit.callsignEn}\u0002`;
  }
  lastShape = { units, shape };
  return shape;
}

interface UnitRowProps {
  unit: Unit;
  selected: boolean;
  language: Language;
}

/**
 * A unit's line. Units move every second; a move alone changes nothing shown here, so the row is redrawn only
 * when what it shows changes (the click reads the unit's current place from the store).
 */
const UnitRow = memo(
  function UnitRow({ unit, selected, language }: UnitRowProps) {
    const t = useT();
    return (
      <div
        className={`unit-row ${selected ? 'selected' : ''}`}
        data-unit-id={unit.id}
        onClick={() => {
          const state = deskStore.getState();
          state.select({ kind: 'unit', id: unit.id });
          state.focusOn(state.units[unit.id]?.location ?? unit.location);
        }}
      >
        <span className={`udot u-${unit.status}`} />
        <span className="grow">{language === 'en' ? unit.callsignEn : unit.callsign}</span>
        <span className="muted small">{t(`unitKind.${unit.kind}`)}</span>
        <select
          aria-label={t('units.changeStatus')}
          value={unit.status}
          onClick={(e) => e.stopPropagation()}
          onChange={(e) => void setUnitStatus(unit.id, e.target.value as UnitStatus)}
        >
          {UnitStatus.options.map((status) => (
            <option
              key={status}
              value={status}
              disabled={status !== unit.status && !unitMachine.transitions[status].from.includes(unit.status)}
            >
              {t(`unitStatus.${status}`)}
            </option>
          ))}
        </select>
      </div>
    );
  },
  (a, b) =>
    a.selected === b.selected &&
    a.language === b.language &&
    a.unit.id === b.unit.id &&
    a.unit.status === b.unit.status &&
    a.unit.kind === b.unit.kind &&
    a.unit.callsign === b.unit.callsign &&
    a.unit.callsignEn === b.unit.callsignEn,
);

export function UnitsBoard() {
  const t = useT();
  const units = useDesk((s) => s.units);
  const region = useDesk((s) => s.region);
  const language = useDesk((s) => s.language);
  const selection = useDesk((s) => s.selection);
  // Units move every second; the board's order and counts change only with a status (or the set of units), so
  // the grouping and sorting are redone only then, and the rows read each unit's latest record when drawn.
  const shape = useDesk((s) => boardShape(s.units));
  const rows = useMemo(
    () => boardRows(deskStore.getState().units),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the shape stands for what the grouping reads
    [shape],
  );
  const selectedIndex =
    selection?.kind === 'unit'
      ? rows.findIndex((row) => row.kind === 'unit' && row.unit.id === selection.id)
      : -1;
  return (
    <div className="units" data-testid="units-board">
      {rows.length === 0 ? (
        <div className="empty">{t('common.none')}</div>
      ) : (
        <VirtualList
          count={rows.length}
          rowHeight={ROW_HEIGHT}
          scrollToIndex={selectedIndex}
          className="units-list"
          renderRow={(index) => {
            const row = rows[index];
            if (!row) return null;
            if (row.kind === 'unit')
              return (
                <UnitRow
                  unit={units[row.unit.id] ?? row.unit}
                  selected={isSelected(selection, 'unit', row.unit.id)}
                  language={language}
                />
              );
            const county = jurisdictionOf(region, row.countyId);
            return (
              <h3 className="unit-group-head">
                <span>{county ? nameIn(language, county) : row.countyId}</span>
                <span className="counts">
                  {row.counts
                    .filter(([, n]) => n > 0)
                    .map(([status, n]) => (
                      <span key={status} className={`ustat u-${status}`}>
                        {t(`unitStatus.${status}`)} <b className="num">{n}</b>
                      </span>
                    ))}
                </span>
              </h3>
            );
          }}
        />
      )}
    </div>
  );
}
