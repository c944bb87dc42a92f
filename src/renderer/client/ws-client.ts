// The contract over the browser-mode host's WebSocket: calls matched by id, events by name, reconnects on loss.
import {
  isCommandName,
  isQueryName,
  type CommandInput,
  type CommandName,
  type CommandResult,
  type DeskClient,
  type EventName,
  type EventPayloads,
  type QueryInput,
  type QueryName,
  type QueryResult,
} from '../../shared/contract';
import { DeskError, isErrorInfo } from '../../shared/errors';

/** The part of the WebSocket API this client uses: the browser's WebSocket and the `ws` package both fit. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
}

export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface WsClientOptions {
  /** ws://127.0.0.1:<port>/ws — the token is added here. */
  url: string;
  token: string;
  createSocket?: (url: string) => SocketLike;
  /** How long a call waits for the connection before failing. */
  connectTimeoutMs?: number;
  /** Reconnect delays grow from this to maxRetryMs. */
  retryMs?: number;
  maxRetryMs?: number;
}

export interface WsDeskClient extends DeskClient {
  readonly state: ConnectionState;
  /** Told on every connection change; reconnection means events may have been missed, so refetch. */
  onConnection(listener: (state: ConnectionState) => void): () => void;
  close(): void;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  what: string;
}

const OPEN = 1;

export function createWsClient(options: WsClientOptions): WsDeskClient {
  const createSocket = options.createSocket ?? ((url: string) => new WebSocket(url) as unknown as SocketLike);
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  const maxRetryMs = options.maxRetryMs ?? 5_000;
  const pending = new Map<number, Pending>();
  const listeners = new Map<EventName, Set<(payload: never) => void>>();
  const connectionListeners = new Set<(state: ConnectionState) => void>();
  const waiting = new Set<() => void>();
  let nextId = 1;
  let socket: SocketLike | null = null;
  let state: ConnectionState = 'connecting';
  let retryMs = options.retryMs ?? 250;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let closedForGood = false;

  function setState(next: ConnectionState): void {
    if (state === next) return;
    state = next;
    for (const listener of connectionListeners) listener(next);
  }

  function rawSend(message: object): void {
    socket?.send(JSON.stringify(message));
  }

  function failPending(reason: string): void {
    for (const [id, call] of pending) {
      pending.delete(id);
      call.reject(new DeskError('internal', `${call.what}: ${reason}`));
    }
  }

  function connect(): void {
    if (closedForGood) return;
    setState('connecting');
    const url = `${options.url}${options.url.includes('?') ? '&' : '?'}token=${encodeURIComponent(options.token)}`;
    const current = createSocket(url);
    socket = current;
    current.onopen = () => {
      retryMs = options.retryMs ?? 250;
      // Subscriptions live on the connection: say again what this page listens to.
      for (const [event, set] of listeners) {
        if (set.size > 0) rawSend({ id: nextId++, kind: 'subscribe', name: event });
      }
      setState('open');
      for (const wake of waiting) wake();
      waiting.clear();
    };
    current.onmessage = (event) => receive(event.data);
    current.onerror = () => undefined;
    current.onclose = (event) => {
      if (socket !== current) return;
      socket = null;
      failPending(
        event.code === 1006 && state === 'connecting'
          ? 'the workstation host refused the connection (wrong or missing start token?)'
          : 'the connection to the workstation host was lost before the answer came',
      );
      setState('closed');
      if (closedForGood) return;
      retryTimer = setTimeout(connect, retryMs);
      retryMs = Math.min(maxRetryMs, retryMs * 2);
    };
  }

  function receive(data: unknown): void {
    let message: unknown;
    try {
      message = JSON.parse(String(data));
    } catch {
      return;
    }
    if (typeof message !== 'object' || message === null) return;
    const record = message as Record<string, unknown>;
    if (typeof record.event === 'string') {
      const set = listeners.get(record.event as EventName);
      for (const listener of set ?? []) {
        try {
          listener(record.payload as never);
        } catch (error) {
          console.error(`listener of ${record.event} failed`, error);
        }
      }
      return;
    }
    if (typeof record.id !== 'number') {
      if (record.ok === false && isErrorInfo(record.error))
        console.error('workstation host refused a message:', record.error.message);
      return;
    }
    const call = pending.get(record.id);
    if (!call) return;
    pending.delete(record.id);
    if (record.ok === true) call.resolve(record.value);
    else if (isErrorInfo(record.error))
      call.reject(new DeskError(record.error.code, record.error.message, record.error.details));
    else call.reject(new DeskError('internal', `${call.what}: the host answered without a result`));
  }

  function whenOpen(what: string): Promise<void> {
    if (socket && socket.readyState === OPEN && state === 'open') return Promise.resolve();
    if (closedForGood) return Promise.reject(new DeskError('internal', `${what}: the client is closed`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.delete(wake);
        reject(new DeskError('internal', `${what}: no connection to the workstation host`));
      }, connectTimeoutMs);
      const wake = (): void => {
        clearTimeout(timer);
        resolve();
      };
      waiting.add(wake);
    });
  }

  async function call(kind: 'command' | 'query', name: string, input: unknown): Promise<unknown> {
    const what = `${kind} ${name}`;
    await whenOpen(what);
    return new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject, what });
      rawSend({ id, kind, name, input });
    });
  }

  connect();

  return {
    get state() {
      return state;
    },
    command<N extends CommandName>(name: N, input: CommandInput<N>): Promise<CommandResult<N>> {
      if (!isCommandName(name))
        return Promise.reject(new DeskError('invalid_input', `unknown command ${name}`));
      return call('command', name, input) as Promise<CommandResult<N>>;
    },
    query<N extends QueryName>(name: N, input: QueryInput<N>): Promise<QueryResult<N>> {
      if (!isQueryName(name)) return Promise.reject(new DeskError('invalid_input', `unknown query ${name}`));
      return call('query', name, input) as Promise<QueryResult<N>>;
    },
    subscribe<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void {
      let set = listeners.get(event);
      if (!set) {
        set = new Set();
        listeners.set(event, set);
      }
      const entry = listener as (payload: never) => void;
      const first = set.size === 0;
      set.add(entry);
      if (first && state === 'open') rawSend({ id: nextId++, kind: 'subscribe', name: event });
      return () => {
        if (!set.delete(entry)) return;
        if (set.size === 0 && state === 'open') rawSend({ id: nextId++, kind: 'unsubscribe', name: event });
      };
    },
    onConnection(listener) {
      connectionListeners.add(listener);
      return () => {
        connectionListeners.delete(listener);
      };
    },
    close() {
      closedForGood = true;
      if (retryTimer) clearTimeout(retryTimer);
      failPending('the client was closed');
      socket?.close(1000, 'client closed');
      socket = null;
      setState('closed');
    },
  };
}
