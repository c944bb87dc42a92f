// The desktop IPC binding under Node: sender checks, call validation, dispatch into a real Desk, event fan-out,
// and the preload's client talking to it through a fake ipcRenderer/ipcMain pair.
import { afterEach, describe, expect, it } from 'vitest';
import type { Incident } from '../../src/shared/domain/model';
import type { ErrorInfo } from '../../src/shared/errors';
import { createBridgeClient, type BridgeError } from '../../src/main/electron/bridge-client';
import {
  CALL_CHANNEL,
  CHANNEL_PREFIX,
  MAX_INPUT_BYTES,
  type BridgeEvent,
} from '../../src/main/electron/channels';
import {
  DeskBinding,
  installIpc,
  parseRequest,
  type IpcInvokeEventLike,
  type IpcMainLike,
  type IpcSender,
} from '../../src/main/electron/ipc';
import { burglaryCall, makeDesk, PINGLI, type TestDesk } from '../helpers/desk';

const OUR_WINDOW = 7;
const OTHER_WINDOW = 99;
const CONSOLE: IpcSender = {
  webContentsId: OUR_WINDOW,
  frame: { url: 'app://desk/index.html', isMainFrame: true },
};

interface Harness {
  t: TestDesk;
  binding: DeskBinding;
  windows: Set<number>;
  delivered: { to: number; message: BridgeEvent }[];
}

let open: TestDesk[] = [];
afterEach(() => {
  for (const t of open) t.db.close();
  open = [];
});

function harness(): Harness {
  const t = makeDesk();
  open.push(t);
  const windows = new Set([OUR_WINDOW]);
  const delivered: Harness['delivered'] = [];
  const binding = new DeskBinding({
    core: t.desk,
    actor: () => t.city,
    windows,
    send: (to, message) => delivered.push({ to, message }),
  });
  return { t, binding, windows, delivered };
}

function refusal(reply: { ok: boolean; error?: ErrorInfo }): ErrorInfo {
  if (reply.ok || !reply.error) throw new Error('the binding answered a call it should have refused');
  return reply.error;
}

describe('who may call the workstation core', () => {
  it('answers the main frame of one of our windows showing the console', () => {
    const { binding } = harness();
    const reply = binding.handle(CONSOLE, { kind: 'query', name: 'session.get', input: {} });
    expect(reply, 'the console should be told who is signed in').toMatchObject({
      ok: true,
      value: { operatorId: 'city-dispatcher' },
    });
  });

  it('refuses a window the app did not open', () => {
    const { binding } = harness();
    const error = refusal(
      binding.handle(
        { ...CONSOLE, webContentsId: OTHER_WINDOW },
        { kind: 'query', name: 'session.get', input: {} },
      ),
    );
    expect(error.code).toBe('forbidden');
  });

  it('refuses an embedded frame, even one on the app origin', () => {
    const { binding } = harness();
    const sender = { webContentsId: OUR_WINDOW, frame: { url: 'app://desk/index.html', isMainFrame: false } };
    expect(refusal(binding.handle(sender, { kind: 'query', name: 'session.get', input: {} })).code).toBe(
      'forbidden',
    );
  });

  it('refuses our window once it shows a foreign page', () => {
    const { binding } = harness();
    for (const url of [
      'https://example.org/',
      'file:///etc/passwd',
      'app://evil/index.html',
      'about:blank',
    ]) {
      const sender = { webContentsId: OUR_WINDOW, frame: { url, isMainFrame: true } };
      const error = refusal(binding.handle(sender, { kind: 'query', name: 'session.get', input: {} }));
      expect(error.code, `a call from ${url} must be refused`).toBe('forbidden');
    }
  });

  it('refuses a frame that is already gone', () => {
    const { binding } = harness();
    const sender = { webContentsId: OUR_WINDOW, frame: null };
    expect(refusal(binding.handle(sender, { kind: 'query', name: 'session.get', input: {} })).code).toBe(
      'forbidden',
    );
  });

  it('stops answering a window once it has closed', () => {
    const { binding, windows } = harness();
    windows.delete(OUR_WINDOW);
    expect(refusal(binding.handle(CONSOLE, { kind: 'query', name: 'session.get', input: {} })).code).toBe(
      'forbidden',
    );
  });
});

describe('what a call may look like', () => {
  it('refuses unknown commands, queries and events by name', () => {
    const { binding } = harness();
    for (const request of [
      { kind: 'command', name: 'incident.destroyAll', input: {} },
      { kind: 'query', name: 'operator.passwords', input: {} },
      { kind: 'query', name: 'constructor', input: {} },
      { kind: 'query', name: '__proto__', input: {} },
      { kind: 'subscribe', name: 'everything' },
      { kind: 'eval', name: 'session.get', input: {} },
    ]) {
      const error = refusal(binding.handle(CONSOLE, request));
      expect(error.code, `${request.kind} ${request.name} must be refused`).toBe('invalid_input');
    }
  });

  it('refuses calls that are not objects or carry more than kind, name and input', () => {
    for (const raw of [
      null,
      'session.get',
      42,
      [],
      { kind: 'query' },
      { kind: 'query', name: 'session.get', actor: {} },
    ]) {
      expect(() => parseRequest(raw), `${JSON.stringify(raw)} must be refused`).toThrow();
    }
  });

  it('refuses an oversized input before any schema sees it', () => {
    const { binding } = harness();
    const huge = { text: 'x'.repeat(MAX_INPUT_BYTES + 1) };
    const error = refusal(binding.handle(CONSOLE, { kind: 'query', name: 'incident.search', input: huge }));
    expect(error.code).toBe('too_large');
    expect(error.message).toContain('incident.search');
  });

  it('refuses input that is not plain data', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => parseRequest({ kind: 'query', name: 'incident.search', input: cyclic })).toThrow(
      /not plain data/,
    );
  });

  it('passes the input to Desk, whose schemas name what is wrong', () => {
    const { binding } = harness();
    const error = refusal(
      binding.handle(CONSOLE, {
        kind: 'command',
        name: 'incident.create',
        input: burglaryCall({ priority: 'urgent' }),
      }),
    );
    expect(error.code).toBe('invalid_input');
    expect(error.message).toContain('priority');
  });

  it('lets no raw error escape: a domain refusal comes back as an outcome', () => {
    const { binding } = harness();
    const reply = binding.handle(CONSOLE, {
      kind: 'query',
      name: 'incident.get',
      input: { id: 'no-such-incident' },
    });
    expect(refusal(reply).code).toBe('not_found');
  });
});

describe('calls reach the real core as the signed-in operator', () => {
  it('records an incident and lists it back', () => {
    const { binding, t } = harness();
    const created = binding.handle(CONSOLE, {
      kind: 'command',
      name: 'incident.create',
      input: burglaryCall({ countyId: PINGLI }),
    });
    expect(created.ok, 'the 110 call should be recorded').toBe(true);
    const incident = (created as { value: Incident }).value;
    expect(incident.countyId).toBe(PINGLI);

    const listed = binding.handle(CONSOLE, {
      kind: 'query',
      name: 'incident.list',
      input: { countyId: PINGLI },
    });
    expect(listed).toMatchObject({ ok: true, value: { total: 1, items: [{ id: incident.id }] } });
    expect(t.db.prepare('SELECT count(*) AS n FROM incidents').get()).toEqual({ n: 1 });
  });

  it('answers the region the console draws on the map', () => {
    const { binding } = harness();
    const reply = binding.handle(CONSOLE, { kind: 'query', name: 'region.get' });
    expect(reply.ok).toBe(true);
    const region = (reply as { value: { counties: unknown[] } }).value;
    expect(region.counties.length, 'Ankang has ten counties and districts').toBe(10);
  });
});

describe('events reach the windows that asked for them', () => {
  function create(h: Harness) {
    return h.binding.handle(CONSOLE, {
      kind: 'command',
      name: 'incident.create',
      input: burglaryCall({ countyId: PINGLI }),
    });
  }

  it('delivers a new incident to a subscribed window and stops after unsubscribe', () => {
    const h = harness();
    expect(h.binding.handle(CONSOLE, { kind: 'subscribe', name: 'incident.created' }).ok).toBe(true);
    create(h);
    expect(h.delivered.map((d) => [d.to, d.message.event])).toEqual([[OUR_WINDOW, 'incident.created']]);

    h.binding.handle(CONSOLE, { kind: 'unsubscribe', name: 'incident.created' });
    create(h);
    expect(h.delivered, 'no event after unsubscribe').toHaveLength(1);
    expect(h.t.desk.events.listenerCount(), 'the binding must not keep listening to the core').toBe(0);
  });

  it('forgets every subscription of a window that closed', () => {
    const h = harness();
    const PANEL = 8;
    h.windows.add(PANEL);
    const panel: IpcSender = {
      webContentsId: PANEL,
      frame: { url: 'app://desk/index.html?panel=map', isMainFrame: true },
    };
    for (const name of ['incident.created', 'entity.changed', 'order.overdue'])
      h.binding.handle(panel, { kind: 'subscribe', name });
    h.binding.handle(CONSOLE, { kind: 'subscribe', name: 'incident.created' });
    expect(h.binding.fanOut.size()).toBe(4);

    h.windows.delete(PANEL);
    h.binding.windowGone(PANEL);
    expect(h.binding.fanOut.size(), 'the closed panel holds nothing any more').toBe(1);
    create(h);
    expect(
      h.delivered.every((d) => d.to === OUR_WINDOW),
      'nothing is sent to the closed panel',
    ).toBe(true);

    h.binding.windowGone(OUR_WINDOW);
    expect(h.t.desk.events.listenerCount(), 'no listener left on the core once every window is gone').toBe(0);
  });

  it('keeps serving other windows when one cannot be reached', () => {
    const t = makeDesk();
    open.push(t);
    const received: number[] = [];
    const binding = new DeskBinding({
      core: t.desk,
      actor: () => t.city,
      windows: new Set([1, 2]),
      send: (to) => {
        if (to === 1) throw new Error('window 1 is gone');
        received.push(to);
      },
    });
    const at = (id: number): IpcSender => ({
      webContentsId: id,
      frame: { url: 'app://desk/index.html', isMainFrame: true },
    });
    binding.handle(at(1), { kind: 'subscribe', name: 'incident.created' });
    binding.handle(at(2), { kind: 'subscribe', name: 'incident.created' });
    binding.handle(at(2), {
      kind: 'command',
      name: 'incident.create',
      input: burglaryCall({ countyId: PINGLI }),
    });
    expect(received).toEqual([2]);
    expect(binding.fanOut.size(), 'the unreachable window is dropped').toBe(1);
  });
});

/** A fake ipcMain/ipcRenderer pair: invoke runs the registered handler with a chosen sender, send pushes events. */
function fakeIpc(sender: () => IpcInvokeEventLike) {
  const handlers = new Map<string, (event: IpcInvokeEventLike, ...args: unknown[]) => unknown>();
  const eventListeners: ((message: unknown) => void)[] = [];
  const ipcMain: IpcMainLike = {
    handle: (channel, listener) => {
      if (handlers.has(channel)) throw new Error(`a second handler for ${channel}`);
      handlers.set(channel, listener);
    },
    removeHandler: (channel) => handlers.delete(channel),
  };
  return {
    handlers,
    ipcMain,
    invoke: async (channel: string, ...args: unknown[]) => {
      const handler = handlers.get(channel);
      if (!handler) throw new Error(`No handler registered for '${channel}'`);
      // Structured clone, as Electron does between processes.
      return structuredClone(await handler(sender(), ...args.map((arg) => structuredClone(arg))));
    },
    push: (message: BridgeEvent) => eventListeners.forEach((listener) => listener(structuredClone(message))),
    eventListeners,
  };
}

describe('the preload client over the one call channel', () => {
  function connected(url = 'app://desk/index.html') {
    const t = makeDesk();
    open.push(t);
    const ipc = fakeIpc(() => ({ sender: { id: OUR_WINDOW }, senderFrame: { url, parent: null } }));
    const binding = new DeskBinding({
      core: t.desk,
      actor: () => t.city,
      windows: new Set([OUR_WINDOW]),
      send: (_to, message) => ipc.push(message),
    });
    const uninstall = installIpc(ipc.ipcMain, binding);
    const client = createBridgeClient({
      invoke: (channel, request) => ipc.invoke(channel, request),
      onEvent: (_channel, listener) => ipc.eventListeners.push(listener),
    });
    return { t, ipc, client, uninstall };
  }

  it('registers exactly one channel, with the app prefix, and nothing answers any other', async () => {
    const { ipc, uninstall } = connected();
    expect([...ipc.handlers.keys()]).toEqual([CALL_CHANNEL]);
    expect(CALL_CHANNEL.startsWith(CHANNEL_PREFIX)).toBe(true);
    await expect(ipc.invoke('desk:admin', {})).rejects.toThrow(/No handler/);
    uninstall();
    expect(ipc.handlers.size, 'uninstalling removes the handler').toBe(0);
  });

  it('queries, commands and receives events like any DeskClient', async () => {
    const { client } = connected();
    const actor = await client.query('session.get', {});
    expect(actor.operatorId).toBe('city-dispatcher');

    const seen: string[] = [];
    const unsubscribe = client.subscribe('incident.created', ({ incident }) => seen.push(incident.address));
    // Let the subscription reach the main process before the command runs.
    await new Promise((resolve) => setTimeout(resolve, 0));
    await client.command('incident.create', burglaryCall({ countyId: PINGLI }) as never);
    expect(seen).toEqual(['平利县长安镇中心街18号']);

    unsubscribe();
    await new Promise((resolve) => setTimeout(resolve, 0));
    await client.command(
      'incident.create',
      burglaryCall({ countyId: PINGLI, address: '平利县城关镇' }) as never,
    );
    expect(seen, 'no event after unsubscribe').toHaveLength(1);
  });

  it('rejects with the error code and message, as a plain object contextBridge can copy', async () => {
    const { client } = connected();
    const failure = await client.query('incident.get', { id: 'no-such-incident' }).then(
      () => null,
      (error: unknown) => error as BridgeError,
    );
    expect(failure).toMatchObject({ name: 'DeskError', code: 'not_found' });
    expect(Object.getPrototypeOf(failure)).toBe(Object.prototype);
  });

  it('is refused when the page is not the app', async () => {
    const { client } = connected('https://example.org/');
    await expect(client.query('session.get', {})).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('refuses to send an oversized input at all', async () => {
    const { client, ipc } = connected();
    let sent = 0;
    const handler = ipc.handlers.get(CALL_CHANNEL);
    ipc.handlers.set(CALL_CHANNEL, (...args) => {
      sent++;
      return handler?.(...args);
    });
    await expect(
      client.query('incident.search', { text: 'x'.repeat(MAX_INPUT_BYTES + 1) }),
    ).rejects.toMatchObject({
      code: 'too_large',
    });
    expect(sent).toBe(0);
  });
});
