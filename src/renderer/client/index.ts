// Picks the transport: the Electron preload's window.desk when present, else the loopback WebSocket.
import type { DeskClient } from '../../shared/contract';
import { createWsClient, type ConnectionState } from './ws-client';

declare global {
  interface Window {
    /** Exposed by the Electron preload through contextBridge. */
    desk?: DeskClient;
  }
}

export interface ConsoleClient extends DeskClient {
  onConnection(listener: (state: ConnectionState) => void): () => void;
  readonly state: ConnectionState;
}

const TOKEN_KEY = 'command-desk.token';

/**
 * The start token arrives in the URL fragment (never sent to the server, so not in any log) and is kept for
 * this tab only; it is removed from the address bar so it is not shown or bookmarked.
 */
export function takeStartToken(): string {
  const match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  if (match?.[1]) {
    const token = decodeURIComponent(match[1]);
    window.sessionStorage.setItem(TOKEN_KEY, token);
    window.history.replaceState(null, '', window.location.pathname + window.location.search);
    return token;
  }
  return window.sessionStorage.getItem(TOKEN_KEY) ?? '';
}

/** The URL of a popped-out panel window, carrying the token along. */
export function popOutUrl(panel: string): string {
  const token = window.sessionStorage.getItem(TOKEN_KEY);
  const base = `${window.location.pathname}?panel=${encodeURIComponent(panel)}`;
  return token ? `${base}#token=${encodeURIComponent(token)}` : base;
}

let client: ConsoleClient | null = null;

export function getDeskClient(): ConsoleClient {
  if (client) return client;
  const ipc = window.desk;
  if (ipc) {
    // IPC cannot drop like a socket: it is always connected.
    client = {
      command: (name, input) => ipc.command(name, input),
      query: (name, input) => ipc.query(name, input),
      subscribe: (event, listener) => ipc.subscribe(event, listener),
      onConnection: () => () => undefined,
      state: 'open',
    };
    return client;
  }
  const protocol = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  client = createWsClient({ url: `${protocol}//${window.location.host}/ws`, token: takeStartToken() });
  return client;
}
