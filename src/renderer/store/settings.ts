// Operator preferences that outlive a reload: language and sound.
import type { DataOf, Slice } from './types';

export type Language = 'zh-CN' | 'en';

export interface SettingsSlice {
  language: Language;
  muted: boolean;
  setLanguage(language: Language): void;
  toggleMute(): void;
}

export const emptySettings: DataOf<SettingsSlice> = { language: 'zh-CN', muted: false };

export const createSettingsSlice: Slice<SettingsSlice> = (set) => ({
  ...emptySettings,
  setLanguage: (language) => set({ language }),
  toggleMute: () => set((state) => ({ muted: !state.muted })),
});
