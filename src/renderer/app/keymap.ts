// The key map: one table drives both the global key handler and the help overlay (F1 / ?).
import type { MessageKey } from '../i18n';
import { deskStore } from '../store';
import { unacknowledged } from '../store/alerts';
import { openIntake, previewDispatch } from './actions';

export interface KeyBinding {
  keys: string[];
  does: MessageKey;
  /** Works even while typing in a field. */
  inFields?: boolean;
  run?: () => void;
}

function focusQueue(): void {
  deskStore.getState().showPanel('queue');
  requestAnimationFrame(() => document.querySelector<HTMLElement>('.queue-body')?.focus());
}

export const KEYMAP: KeyBinding[] = [
  { keys: ['F2', 'N'], does: 'keys.intake', inFields: true, run: openIntake },
  { keys: ['M'], does: 'keys.pickOnMap', run: () => deskStore.getState().setTool('pick-intake') },
  { keys: ['Ctrl+Enter'], does: 'keys.saveIntake' },
  { keys: ['D'], does: 'keys.checkpointSearch', run: () => void previewDispatch('checkpoint_search') },
  { keys: ['U'], does: 'keys.dispatch', run: () => void previewDispatch('dispatch') },
  { keys: ['Enter'], does: 'keys.issue' },
  { keys: ['Esc'], does: 'keys.escape' },
  {
    keys: ['C'],
    does: 'keys.cordon',
    run: () => {
      const state = deskStore.getState();
      state.setTool(state.tool === 'cordon' ? 'none' : 'cordon');
    },
  },
  { keys: ['Q'], does: 'keys.queue', run: focusQueue },
  { keys: ['↑', '↓'], does: 'keys.queueMove' },
  {
    keys: ['/'],
    does: 'keys.search',
    run: () => {
      deskStore.getState().showPanel('queue');
      requestAnimationFrame(() =>
        document.querySelector<HTMLInputElement>('.queue input[type=search]')?.focus(),
      );
    },
  },
  { keys: ['O'], does: 'keys.orders', run: () => deskStore.getState().showPanel('orders') },
  { keys: ['W'], does: 'keys.warnings', run: () => deskStore.getState().showPanel('warnings') },
  {
    keys: ['A'],
    does: 'keys.acknowledge',
    run: () => {
      const first = unacknowledged(deskStore.getState().alerts)[0];
      if (first) deskStore.getState().acknowledge(first.id);
    },
  },
  {
    keys: ['F1', '?'],
    does: 'keys.help',
    inFields: true,
    run: () => deskStore.getState().setHelpOpen(!deskStore.getState().helpOpen),
  },
];

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/** The window's key handler; returns true when the key was taken. */
export function handleGlobalKey(event: KeyboardEvent): boolean {
  if (event.altKey || event.ctrlKey || event.metaKey) return false;
  const typing = isTyping(event.target);
  if (event.key === 'Escape') {
    const state = deskStore.getState();
    if (state.helpOpen) state.setHelpOpen(false);
    else if (state.tool !== 'none') state.setTool('none');
    else if (typing && event.target instanceof HTMLElement) event.target.blur();
    else if (state.draft) state.clearDraft();
    else return false;
    return true;
  }
  const key = event.key.length === 1 ? event.key.toUpperCase() : event.key;
  // '?' is typed with Shift; F1 needs none; single letters only without it.
  const binding = KEYMAP.find(
    (b) => b.run && b.keys.includes(key) && (!typing || (b.inFields && key.length > 1)),
  );
  if (!binding?.run) return false;
  if (event.shiftKey && key !== '?') return false;
  binding.run();
  return true;
}
