// Names of units, organisations and checkpoints in both languages. Orders, their targets and timeline entries
// carry the Chinese name only (it is what the record said when it was made); the English name comes from the
// records the console holds.
import type { TargetKind, TimelineEntry } from '../../shared/domain/model';
import type { DeskState } from './types';

export interface BothNames {
  name: string;
  nameEn: string;
}

type Holdings = Pick<DeskState, 'units' | 'checkpoints' | 'region'>;

/** The record with this id: a unit, a checkpoint or an organisation (their ids never overlap). */
function recordNames(state: Holdings, id: string, kind?: TargetKind): BothNames | undefined {
  if (kind === undefined || kind === 'unit') {
    const unit = state.units[id];
    if (unit) return { name: unit.callsign, nameEn: unit.callsignEn };
  }
  if (kind === undefined || kind === 'checkpoint') {
    const checkpoint = state.checkpoints[id];
    if (checkpoint) return checkpoint;
  }
  if (kind === undefined || kind === 'org') return state.region?.orgs.find((org) => org.id === id);
  return undefined;
}

/** A recipient's names; the name the order carries stands in for both when the console does not hold it. */
export function targetNames(state: Holdings, kind: TargetKind, id: string, name: string): BothNames {
  const record = recordNames(state, id, kind);
  return { name, nameEn: record?.nameEn || name };
}

/**
 * A timeline entry's text in both languages: entries about an order target or a unit start with its Chinese
 * name ("长安派出所" or "长安派出所: 已设卡"); that name is swapped for the English one.
 */
export function timelineText(state: Holdings, entry: TimelineEntry): BothNames {
  const id = entry.data.targetId ?? entry.data.unitId;
  const record = typeof id === 'string' ? recordNames(state, id) : undefined;
  if (!record?.nameEn) return { name: entry.text, nameEn: entry.text };
  const { name, nameEn } = record;
  if (entry.text === name) return { name, nameEn };
  if (entry.text.startsWith(`${name}: `))
    return { name: entry.text, nameEn: `${nameEn}${entry.text.slice(name.length)}` };
  return { name: entry.text, nameEn: entry.text };
}
