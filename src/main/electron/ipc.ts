// The IPC binding between the app's windows and the workstation core: who may call, what a call may look
// like, and which window hears which event. Pure logic over small interfaces; main.ts plugs Electron in.
import {
  EVENT_NAMES,
  isCommandName,
  isQueryName,
  type Call,
  type EventName,
  type EventPayloads,
} from '../../shared/contract';
import type { Actor } from '../../shared/domain/model';
import { DeskError, toErrorInfo } from '../../shared/errors';
import type { Desk } from '../api/desk';
import type { EventBus } from '../api/events';
import {
  CALL_CHANNEL,
  MAX_INPUT_BYTES,
  MAX_NAME_LENGTH,
  type BridgeEvent,
  type BridgeReply,
  type BridgeRequest,
} from './channels';
import { isAppUrl } from './security';

/** The frame a message came from, as far as the binding needs to know it. */
export interface SenderFrame {
  url: string;
  isMainFrame: boolean;
}

export interface IpcSender {
  webContentsId: number;
  /** null when the frame is already gone (navigated away or closed) by the time the message is handled. */
  frame: SenderFrame | null;
}

/** The app's own windows, by webContents id. */
export interface WindowRegistry {
  has(webContentsId: number): boolean;
}

/** What the binding needs of the core: the contract and its events, nothing more. */
export interface DeskCore {
  command: Desk['command'];
  query: Desk['query'];
  events: Pick<EventBus, 'on'>;
}

/**
 * A call is answered only for the main frame of one of the app's windows showing the app's own page:
 * never for an iframe, a window the app did not create, or a page that somehow got elsewhere.
 */
export function checkSender(sender: IpcSender, windows: WindowRegistry): void {
  if (!windows.has(sender.webContentsId))
    throw new DeskError('forbidden', 'refused a call from a window this app did not open');
  if (!sender.frame) throw new DeskError('forbidden', 'refused a call from a frame that no longer exists');
  if (!sender.frame.isMainFrame)
    throw new DeskError('forbidden', 'refused a call from an embedded frame; only the console page may call');
  if (!isAppUrl(sender.frame.url))
    throw new DeskError(
      'forbidden',
      `refused a call from a page outside the app (${describeUrl(sender.frame.url)})`,
    );
}

function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.host ? `${parsed.protocol}//${parsed.host}` : parsed.protocol;
  } catch {
    return 'an unreadable URL';
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isEventName(name: string): name is EventName {
  return (EVENT_NAMES as readonly string[]).includes(name);
}

/**
 * Only plain JSON reaches the core: the structured clone IPC allows (Maps, Dates, typed arrays, cycles) is
 * refused or flattened here, and the size is bounded before any schema sees it.
 */
function plainInput(input: unknown, what: string): unknown {
  if (input === undefined) return {};
  let json: string | undefined;
  try {
    json = JSON.stringify(input);
  } catch {
    throw new DeskError('invalid_input', `the input of ${what} is not plain data`);
  }
  if (json === undefined) throw new DeskError('invalid_input', `the input of ${what} is not plain data`);
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > MAX_INPUT_BYTES)
    throw new DeskError(
      'too_large',
      `the input of ${what} is ${bytes} bytes; at most ${MAX_INPUT_BYTES} are accepted`,
      {
        bytes,
        limit: MAX_INPUT_BYTES,
      },
    );
  return JSON.parse(json) as unknown;
}

/** Checks the shape of what arrived on the call channel; the input's content is validated by Desk itself. */
export function parseRequest(raw: unknown): BridgeRequest {
  if (!isRecord(raw)) throw new DeskError('invalid_input', 'a call must be an object with kind and name');
  const { kind, name } = raw;
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_NAME_LENGTH)
    throw new DeskError('invalid_input', 'a call needs a name of 1 to 80 characters');
  const extra = Object.keys(raw).filter((key) => key !== 'kind' && key !== 'name' && key !== 'input');
  if (extra.length > 0)
    throw new DeskError('invalid_input', `a call carries kind, name and input only, not ${extra.join(', ')}`);
  switch (kind) {
    case 'command':
      if (!isCommandName(name))
        throw new DeskError('invalid_input', `unknown command ${JSON.stringify(name)}`);
      return { kind, name, input: plainInput(raw.input, `command ${name}`) };
    case 'query':
      if (!isQueryName(name)) throw new DeskError('invalid_input', `unknown query ${JSON.stringify(name)}`);
      return { kind, name, input: plainInput(raw.input, `query ${name}`) };
    case 'subscribe':
    case 'unsubscribe':
      if (!isEventName(name)) throw new DeskError('invalid_input', `unknown event ${JSON.stringify(name)}`);
      if (raw.input !== undefined) throw new DeskError('invalid_input', `${kind} takes no input`);
      return { kind, name };
    default:
      throw new DeskError('invalid_input', 'a call is a command, a query, a subscribe or an unsubscribe');
  }
}

/** Runs one contract call as the signed-in operator. */
export function dispatch(core: DeskCore, actor: Actor, call: Call): unknown {
  return call.kind === 'command'
    ? core.command(actor, call.name, call.input)
    : core.query(actor, call.name, call.input);
}

/**
 * Forwards core events to the windows that asked for them. The core is listened to once per event name while
 * at least one window wants it, so closed windows leave no listener behind.
 */
export class EventFanOut {
  private readonly subscribers = new Map<EventName, Set<number>>();
  private readonly undo = new Map<EventName, () => void>();

  constructor(
    private readonly events: Pick<EventBus, 'on'>,
    private readonly send: (webContentsId: number, message: BridgeEvent) => void,
  ) {}

  subscribe(webContentsId: number, name: EventName): void {
    let set = this.subscribers.get(name);
    if (!set) {
      set = new Set();
      this.subscribers.set(name, set);
      this.undo.set(
        name,
        this.events.on(name, (payload) => this.forward(name, payload)),
      );
    }
    set.add(webContentsId);
  }

  unsubscribe(webContentsId: number, name: EventName): void {
    const set = this.subscribers.get(name);
    if (!set) return;
    set.delete(webContentsId);
    if (set.size === 0) {
      this.subscribers.delete(name);
      this.undo.get(name)?.();
      this.undo.delete(name);
    }
  }

  /** Forgets a window entirely: it closed, crashed or is loading a fresh page. */
  drop(webContentsId: number): void {
    for (const name of [...this.subscribers.keys()]) this.unsubscribe(webContentsId, name);
  }

  /** Subscriptions still held, counted per (window, event); zero once every window is gone. */
  size(): number {
    let count = 0;
    for (const set of this.subscribers.values()) count += set.size;
    return count;
  }

  dispose(): void {
    for (const undo of this.undo.values()) undo();
    this.undo.clear();
    this.subscribers.clear();
  }

  private forward<E extends EventName>(name: E, payload: EventPayloads[E]): void {
    for (const id of [...(this.subscribers.get(name) ?? [])]) {
      try {
        this.send(id, { event: name, payload } as BridgeEvent);
      } catch (error) {
        // A window that cannot be reached any more is dropped rather than failing the others.
        console.error(`could not deliver ${name} to window ${id}:`, error);
        this.drop(id);
      }
    }
  }
}

export interface BindingOptions {
  core: DeskCore;
  /** The operator signed in on this workstation; read per call so a later sign-in takes effect at once. */
  actor: () => Actor;
  windows: WindowRegistry;
  send: (webContentsId: number, message: BridgeEvent) => void;
}

/** One call in, one outcome out: every failure, expected or not, comes back as ErrorInfo, never as a throw. */
export class DeskBinding {
  readonly fanOut: EventFanOut;

  constructor(private readonly options: BindingOptions) {
    this.fanOut = new EventFanOut(options.core.events, options.send);
  }

  handle(sender: IpcSender, raw: unknown): BridgeReply {
    try {
      checkSender(sender, this.options.windows);
      const request = parseRequest(raw);
      switch (request.kind) {
        case 'subscribe':
          this.fanOut.subscribe(sender.webContentsId, request.name);
          return { ok: true, value: null };
        case 'unsubscribe':
          this.fanOut.unsubscribe(sender.webContentsId, request.name);
          return { ok: true, value: null };
        default:
          return { ok: true, value: dispatch(this.options.core, this.options.actor(), request) };
      }
    } catch (error) {
      const info = toErrorInfo(error);
      if (info.code === 'forbidden' || info.code === 'internal')
        console.warn(`desk call refused (${info.code}): ${info.message}`);
      return { ok: false, error: info };
    }
  }

  windowGone(webContentsId: number): void {
    this.fanOut.drop(webContentsId);
  }

  dispose(): void {
    this.fanOut.dispose();
  }
}

/** The slice of Electron's ipcMain the binding uses, so tests can hand it a fake. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcInvokeEventLike, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

export interface IpcInvokeEventLike {
  sender: { id: number };
  senderFrame: { url: string; parent: unknown } | null;
}

/** Reads the sender off an invoke event; a frame that was destroyed meanwhile reads as no frame. */
export function senderOf(event: IpcInvokeEventLike): IpcSender {
  let frame: SenderFrame | null = null;
  try {
    const senderFrame = event.senderFrame;
    if (senderFrame) frame = { url: senderFrame.url, isMainFrame: senderFrame.parent === null };
  } catch {
    frame = null;
  }
  return { webContentsId: event.sender.id, frame };
}

/** Registers the one invoke channel; returns its undo. */
export function installIpc(ipcMain: IpcMainLike, binding: DeskBinding): () => void {
  ipcMain.handle(CALL_CHANNEL, (event, ...args) => {
    if (args.length !== 1)
      return { ok: false, error: { code: 'invalid_input', message: 'a call carries exactly one request' } };
    return binding.handle(senderOf(event), args[0]);
  });
  return () => {
    ipcMain.removeHandler(CALL_CHANNEL);
    binding.dispose();
  };
}
