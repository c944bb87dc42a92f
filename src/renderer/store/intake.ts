// The intake form's draft: kept in the store so a click on the map can fill in the place.
import type { DuplicateCandidate } from '../../shared/contract';
import type { IncidentCategory, IncidentSource, LngLat, Priority } from '../../shared/domain/model';
import type { DataOf, Slice } from './types';

export interface IntakeDraft {
  source: IncidentSource;
  callerName: string;
  callerPhone: string;
  address: string;
  summary: string;
  category: IncidentCategory;
  priority: Priority;
  location: LngLat | null;
  countyId: string | null;
}

export interface IntakeSlice {
  intake: IntakeDraft;
  duplicates: DuplicateCandidate[];
  /** Bumped to ask the intake panel to take the keyboard focus. */
  intakeFocusSeq: number;
  editIntake(patch: Partial<IntakeDraft>): void;
  setDuplicates(items: DuplicateCandidate[]): void;
  resetIntake(): void;
  requestIntakeFocus(): void;
}

export const blankIntake: IntakeDraft = {
  source: 'call_110',
  callerName: '',
  callerPhone: '',
  address: '',
  summary: '',
  category: 'theft',
  priority: 2,
  location: null,
  countyId: null,
};

export const emptyIntake: DataOf<IntakeSlice> = { intake: blankIntake, duplicates: [], intakeFocusSeq: 0 };

export const createIntakeSlice: Slice<IntakeSlice> = (set) => ({
  ...emptyIntake,
  editIntake: (patch) => set((state) => ({ intake: { ...state.intake, ...patch } })),
  setDuplicates: (duplicates) => set({ duplicates }),
  resetIntake: () => set({ intake: blankIntake, duplicates: [] }),
  requestIntakeFocus: () => set((state) => ({ intakeFocusSeq: state.intakeFocusSeq + 1 })),
});

/** What is still missing before the draft can be saved (field names), empty when it can be. */
export function missingIntakeFields(draft: IntakeDraft, needsCounty: boolean): (keyof IntakeDraft)[] {
  const missing: (keyof IntakeDraft)[] = [];
  if (!draft.location) missing.push('location');
  if (!draft.address.trim()) missing.push('address');
  if (!draft.summary.trim()) missing.push('summary');
  if (needsCounty && !draft.countyId) missing.push('countyId');
  return missing;
}
