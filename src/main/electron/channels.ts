// The IPC channels and message shapes shared by the preload and the main-process binding; nothing else
// crosses between them, so both ends agree on these few names by importing them from here.
import type { Call, EventName, EventPayloads, Outcome } from '../../shared/contract';

/** Every channel the desktop app uses starts with this; the binding refuses anything else. */
export const CHANNEL_PREFIX = 'desk:';
/** renderer → main (invoke): a contract call or an event (un)subscription. */
export const CALL_CHANNEL = `${CHANNEL_PREFIX}call`;
/** main → renderer (send): an event the window subscribed to. */
export const EVENT_CHANNEL = `${CHANNEL_PREFIX}event`;

/** Largest serialised input one call may carry; the biggest real input (an order to 200 targets) is far below. */
export const MAX_INPUT_BYTES = 128 * 1024;
/** Longest command, query or event name accepted before it is even looked up. */
export const MAX_NAME_LENGTH = 80;

export type Subscription = { kind: 'subscribe' | 'unsubscribe'; name: EventName };

/** What the preload sends on CALL_CHANNEL. */
export type BridgeRequest = Call | Subscription;

/** What the main process answers: never a thrown error, always an outcome. */
export type BridgeReply = Outcome<unknown>;

/** What the main process sends on EVENT_CHANNEL. */
export interface BridgeEvent<E extends EventName = EventName> {
  event: E;
  payload: EventPayloads[E];
}
