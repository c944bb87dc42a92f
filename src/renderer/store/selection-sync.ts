// Shares the selection, and where the map should look, between the console and its popped-out panels: the
// windows are of one origin, so a BroadcastChannel carries each change to the others.
import type { LngLat } from '../../shared/domain/model';
import type { DeskStore } from './index';
import type { Selection, SelectionKind } from './map';

export const SELECTION_CHANNEL = 'command-desk.selection.v1';

/** The part of BroadcastChannel used here, so tests can pass an in-memory one. */
export interface ChannelLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  removeEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  close(): void;
}

export type SelectionMessage =
  | { type: 'select'; from: string; selection: Selection | null }
  | { type: 'focus'; from: string; at: LngLat; zoom: number | null }
  /** A window just opened (a popped-out panel) asks the others what is selected. */
  | { type: 'ask'; from: string };

const KINDS: readonly SelectionKind[] = ['incident', 'unit', 'checkpoint', 'order', 'warning'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** What another window sent, or null for anything malformed (it is ignored rather than applied half-way). */
export function parseSelectionMessage(data: unknown): SelectionMessage | null {
  if (!isRecord(data) || typeof data.from !== 'string') return null;
  if (data.type === 'select') {
    if (data.selection === null) return { type: 'select', from: data.from, selection: null };
    const s = data.selection;
    if (!isRecord(s) || typeof s.id !== 'string' || s.id === '') return null;
    const kind = KINDS.find((k) => k === s.kind);
    if (!kind) return null;
    return { type: 'select', from: data.from, selection: { kind, id: s.id } };
  }
  if (data.type === 'ask') return { type: 'ask', from: data.from };
  if (data.type === 'focus') {
    const at = data.at;
    if (!isRecord(at) || typeof at.lng !== 'number' || typeof at.lat !== 'number') return null;
    if (!Number.isFinite(at.lng) || !Number.isFinite(at.lat)) return null;
    const zoom = typeof data.zoom === 'number' && Number.isFinite(data.zoom) ? data.zoom : null;
    return { type: 'focus', from: data.from, at: { lng: at.lng, lat: at.lat }, zoom };
  }
  return null;
}

function sameSelection(a: Selection | null, b: Selection | null): boolean {
  return a === b || (a !== null && b !== null && a.kind === b.kind && a.id === b.id);
}

/**
 * Sends this window's selection and map focus changes to the channel and applies the other windows' ones;
 * a change received is not sent back (no echo between windows). Returns the undo, which closes the channel.
 */
export function linkSelection(
  store: DeskStore,
  channel: ChannelLike,
  windowId: string = Math.random().toString(36).slice(2),
): () => void {
  let applying = false;
  const onMessage = (event: { data: unknown }): void => {
    const message = parseSelectionMessage(event.data);
    if (!message || message.from === windowId) return;
    const state = store.getState();
    if (message.type === 'ask') {
      if (state.selection)
        channel.postMessage({ type: 'select', from: windowId, selection: state.selection });
      return;
    }
    applying = true;
    try {
      if (message.type === 'select') {
        if (!sameSelection(state.selection, message.selection)) state.select(message.selection);
      } else state.focusOn(message.at, message.zoom ?? undefined);
    } finally {
      applying = false;
    }
  };
  channel.addEventListener('message', onMessage);
  const unsubscribe = store.subscribe((state, previous) => {
    if (applying) return;
    if (state.selection !== previous.selection && !sameSelection(state.selection, previous.selection))
      channel.postMessage({ type: 'select', from: windowId, selection: state.selection });
    if (state.focus && state.focus !== previous.focus)
      channel.postMessage({ type: 'focus', from: windowId, at: state.focus.at, zoom: state.focus.zoom });
  });
  channel.postMessage({ type: 'ask', from: windowId });
  return () => {
    unsubscribe();
    channel.removeEventListener('message', onMessage);
    channel.close();
  };
}
