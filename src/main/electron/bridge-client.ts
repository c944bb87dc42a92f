// The DeskClient the preload hands the renderer, built over two injected functions (invoke and an event
// listener) so it runs under Node in tests and never gives the page anything of ipcRenderer itself.
// Bundled into the sandboxed preload: it may import types from the contract but no runtime code beyond ./channels.
import type {
  CommandInput,
  CommandName,
  CommandResult,
  DeskClient,
  EventName,
  EventPayloads,
  QueryInput,
  QueryName,
  QueryResult,
} from '../../shared/contract';
import type { ErrorInfo } from '../../shared/errors';
import {
  CALL_CHANNEL,
  EVENT_CHANNEL,
  MAX_INPUT_BYTES,
  MAX_NAME_LENGTH,
  type BridgeReply,
  type BridgeRequest,
} from './channels';

export interface BridgeTransport {
  invoke(channel: typeof CALL_CHANNEL, request: BridgeRequest): Promise<unknown>;
  /** Registers the one listener for events pushed by the main process. */
  onEvent(channel: typeof EVENT_CHANNEL, listener: (message: unknown) => void): void;
}

/**
 * What a failed call rejects with. contextBridge copies only the message of an Error into the page, so the
 * rejection is a plain object with the ErrorInfo fields (code, message, details) and an Error-like name.
 */
export type BridgeError = ErrorInfo & { name: 'DeskError' };

function bridgeError(info: ErrorInfo): BridgeError {
  return info.details
    ? { name: 'DeskError', code: info.code, message: info.message, details: info.details }
    : { name: 'DeskError', code: info.code, message: info.message };
}

function isReply(value: unknown): value is BridgeReply {
  return typeof value === 'object' && value !== null && 'ok' in value && typeof value.ok === 'boolean';
}

/** Refuses, before anything is sent, what the main process would refuse anyway. */
function checkOutgoing(name: unknown, input: unknown): void {
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_NAME_LENGTH)
    throw bridgeError({ code: 'invalid_input', message: 'a call needs a name of 1 to 80 characters' });
  if (input === undefined) return;
  let json: string | undefined;
  try {
    json = JSON.stringify(input);
  } catch {
    json = undefined;
  }
  if (json === undefined)
    throw bridgeError({ code: 'invalid_input', message: `the input of ${name} is not plain data` });
  // UTF-16 length is a lower bound for UTF-8 bytes; the main process measures exactly.
  if (json.length > MAX_INPUT_BYTES)
    throw bridgeError({
      code: 'too_large',
      message: `the input of ${name} is larger than ${MAX_INPUT_BYTES} bytes`,
    });
}

export function createBridgeClient(transport: BridgeTransport): DeskClient {
  const listeners = new Map<EventName, Set<(payload: never) => void>>();

  async function call(request: BridgeRequest): Promise<unknown> {
    checkOutgoing(request.name, 'input' in request ? request.input : undefined);
    const reply = await transport.invoke(CALL_CHANNEL, request);
    if (!isReply(reply))
      throw bridgeError({ code: 'internal', message: 'the workstation core sent an unreadable answer' });
    if (!reply.ok) throw bridgeError(reply.error);
    return reply.value;
  }

  transport.onEvent(EVENT_CHANNEL, (message) => {
    if (typeof message !== 'object' || message === null || !('event' in message) || !('payload' in message))
      return;
    const set = listeners.get(message.event as EventName);
    for (const listener of [...(set ?? [])]) {
      try {
        (listener as (payload: unknown) => void)(message.payload);
      } catch (error) {
        console.error(`a listener of ${String(message.event)} failed:`, error);
      }
    }
  });

  function report(what: string) {
    return (error: unknown) => console.error(`could not ${what}:`, error);
  }

  const client = {
    command<N extends CommandName>(name: N, input: CommandInput<N>): Promise<CommandResult<N>> {
      return call({ kind: 'command', name, input }) as Promise<CommandResult<N>>;
    },
    query<N extends QueryName>(name: N, input: QueryInput<N>): Promise<QueryResult<N>> {
      return call({ kind: 'query', name, input }) as Promise<QueryResult<N>>;
    },
    subscribe<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void {
      if (typeof listener !== 'function')
        throw bridgeError({ code: 'invalid_input', message: 'a listener must be a function' });
      let set = listeners.get(event);
      if (!set) {
        set = new Set();
        listeners.set(event, set);
        // The main process is told once per event name; further listeners are served from here.
        call({ kind: 'subscribe', name: event }).catch(report(`subscribe to ${event}`));
      }
      const entry = listener as (payload: never) => void;
      set.add(entry);
      let active = true;
      return () => {
        if (!active) return;
        active = false;
        const current = listeners.get(event);
        if (!current) return;
        current.delete(entry);
        if (current.size === 0) {
          listeners.delete(event);
          call({ kind: 'unsubscribe', name: event }).catch(report(`unsubscribe from ${event}`));
        }
      };
    },
  } satisfies DeskClient;
  return client;
}
