// The units board: units by county and status; the status can be changed where the state machine allows.
import { useMemo } from 'react';
import { unitMachine } from '../../shared/domain/machines';
import { UnitStatus } from '../../shared/domain/model';
import { setUnitStatus } from '../app/actions';
import { nameIn, useT } from '../i18n';
import { deskStore, useDesk } from '../store';
import { isSelected } from '../store/map';
import { jurisdictionOf } from '../store/session';
import { unitsByCounty } from '../store/units';

export function UnitsBoard() {
  const t = useT();
  const units = useDesk((s) => s.units);
  const region = useDesk((s) => s.region);
  const language = useDesk((s) => s.language);
  const selection = useDesk((s) => s.selection);
  const groups = useMemo(() => unitsByCounty(units), [units]);
  return (
    <div className="units" data-testid="units-board">
      {[...groups.entries()].map(([countyId, list]) => {
        const county = jurisdictionOf(region, countyId);
        const counts = UnitStatus.options.map(
          (status) => [status, list.filter((u) => u.status === status).length] as const,
        );
        return (
          <section key={countyId} className="unit-group">
            <h3>
              <span>{county ? nameIn(language, county) : countyId}</span>
              <span className="counts">
                {counts
                  .filter(([, n]) => n > 0)
                  .map(([status, n]) => (
                    <span key={status} className={`ustat u-${status}`}>
                      {t(`unitStatus.${status}`)} <b className="num">{n}</b>
                    </span>
                  ))}
              </span>
            </h3>
            {list.map((unit) => (
              <div
                key={unit.id}
                className={`unit-row ${isSelected(selection, 'unit', unit.id) ? 'selected' : ''}`}
                onClick={() => {
                  deskStore.getState().select({ kind: 'unit', id: unit.id });
                  deskStore.getState().focusOn(unit.location);
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
                      disabled={
                        status !== unit.status && !unitMachine.transitions[status].from.includes(unit.status)
                      }
                    >
                      {t(`unitStatus.${status}`)}
                    </option>
                  ))}
                </select>
              </div>
            ))}
          </section>
        );
      })}
      {groups.size === 0 && <div className="empty">{t('common.none')}</div>}
    </div>
  );
}
