// The browser-mode wire format: how the contract travels over the loopback WebSocket, validated at both ends.
import { z } from 'zod';
import type { EventName, EventPayloads, Outcome } from './contract';

/** Largest message either end accepts; a bigger one is answered with an error, never parsed. */
export const MAX_WIRE_MESSAGE_BYTES = 1024 * 1024;

/** What the page sends: a contract call, or a (un)subscription to an event name. */
export const ClientMessage = z.discriminatedUnion('kind', [
  z.strictObject({
    id: z.number().int().nonnegative(),
    kind: z.enum(['command', 'query']),
    name: z.string().min(1).max(80),
    input: z.unknown().optional(),
  }),
  z.strictObject({
    id: z.number().int().nonnegative(),
    kind: z.enum(['subscribe', 'unsubscribe']),
    name: z.string().min(1).max(80),
  }),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;

/** The answer to one client message, matched by id (id is null when the message was unreadable). */
export type ReplyMessage = { id: number | null } & Outcome<unknown>;

export interface EventMessage<E extends EventName = EventName> {
  event: E;
  payload: EventPayloads[E];
}

export type ServerMessage = ReplyMessage | EventMessage;
