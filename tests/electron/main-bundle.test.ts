// The built main-process bundle (dist/electron/main.cjs) started under Node against a fake `electron` module:
// checks the wiring the unit tests cannot see — lock, protocol, session lock-down, windows, IPC into a real store.
import { EventEmitter } from 'node:events';
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, secureWebPreferences } from '../../src/main/electron/security';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// Inside the repo so the bundle's require('better-sqlite3') finds the repo's package, and require('electron')
// finds the fake placed next to it first.
const APP = join(ROOT, 'test-output', `electron-bundle-${process.pid}`);
const USER_DATA = join(APP, 'user-data');

class FakeContents extends EventEmitter {
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  sent: { channel: string; message: unknown }[] = [];
  constructor(readonly id: number) {
    super();
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
    this.windowOpenHandler = handler;
  }
  send(channel: string, message: unknown) {
    this.sent.push({ channel, message });
  }
}

class FakeWindow extends EventEmitter {
  static all: FakeWindow[] = [];
  static nextId = 1;
  readonly webContents = new FakeContents(FakeWindow.nextId++);
  loaded = '';
  destroyed = false;
  constructor(readonly options: { webPreferences: Record<string, unknown>; width: number; height: number }) {
    super();
    FakeWindow.all.push(this);
    fake.app.emit('web-contents-created', {}, this.webContents);
  }
  loadURL(url: string) {
    this.loaded = url;
    return Promise.resolve();
  }
  isDestroyed = () => this.destroyed;
  isMinimized = () => false;
  isMaximized = () => false;
  isFullScreen = () => false;
  getNormalBounds = () => ({ x: 10, y: 20, width: this.options.width, height: this.options.height });
  show() {}
  focus() {}
  restore() {}
  maximize() {}
  setFullScreen() {}
  close() {
    this.emit('close');
    this.destroyed = true;
    this.emit('closed');
  }
}

const display = { workArea: { x: 0, y: 0, width: 1920, height: 1080 } };
let ready: () => void = () => undefined;
const readyPromise = new Promise<void>((resolve) => (ready = resolve));

const fake = {
  calls: [] as string[],
  privileged: [] as unknown[],
  exitCode: null as number | null,
  errorBox: null as string | null,
  protocolHandler: null as ((request: { url: string }) => Promise<Response>) | null,
  beforeRequest: null as
    ((details: { url: string }, callback: (r: { cancel: boolean }) => void) => void) | null,
  permissionRequest: null as
    ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null,
  permissionCheck: null as (() => boolean) | null,
  handlers: new Map<string, (event: unknown, ...args: unknown[]) => unknown>(),
  app: Object.assign(new EventEmitter(), {
    isPackaged: false,
    getAppPath: () => APP,
    getPath: (name: string) => (name === 'userData' ? USER_DATA : APP),
    setPath: () => undefined,
    setName: () => undefined,
    requestSingleInstanceLock: () => {
      fake.calls.push('lock');
      return true;
    },
    enableSandbox: () => fake.calls.push('sandbox'),
    whenReady: () => readyPromise,
    quit: () => fake.calls.push('quit'),
    exit: (code: number) => {
      fake.exitCode = code;
    },
  }),
};

const electron = {
  app: fake.app,
  BrowserWindow: FakeWindow,
  dialog: { showErrorBox: (_title: string, message: string) => (fake.errorBox = message) },
  ipcMain: {
    handle: (channel: string, listener: (event: unknown, ...args: unknown[]) => unknown) =>
      fake.handlers.set(channel, listener),
    removeHandler: (channel: string) => fake.handlers.delete(channel),
  },
  Menu: { setApplicationMenu: () => undefined },
  protocol: { registerSchemesAsPrivileged: (schemes: unknown[]) => fake.privileged.push(...schemes) },
  screen: { getPrimaryDisplay: () => display, getAllDisplays: () => [display] },
  session: {
    defaultSession: Object.assign(new EventEmitter(), {
      protocol: {
        handle: (_scheme: string, handler: typeof fake.protocolHandler) => (fake.protocolHandler = handler),
      },
      webRequest: {
        onBeforeRequest: (listener: typeof fake.beforeRequest) => (fake.beforeRequest = listener),
        onHeadersReceived: () => undefined,
      },
      setPermissionRequestHandler: (handler: typeof fake.permissionRequest) =>
        (fake.permissionRequest = handler),
      setPermissionCheckHandler: (handler: typeof fake.permissionCheck) => (fake.permissionCheck = handler),
      setDevicePermissionHandler: () => undefined,
    }),
  },
};

function mainWindow(): FakeWindow {
  const win = FakeWindow.all[0];
  if (!win) throw new Error('the app opened no window');
  return win;
}

function invoke(win: FakeWindow, request: unknown, url = 'app://desk/index.html') {
  const handler = fake.handlers.get('desk:call');
  if (!handler) throw new Error('the app registered no desk:call handler');
  return handler({ sender: { id: win.webContents.id }, senderFrame: { url, parent: null } }, request) as {
    ok: boolean;
    value?: unknown;
    error?: { code: string };
  };
}

beforeAll(async () => {
  rmSync(APP, { recursive: true, force: true });
  mkdirSync(join(APP, 'node_modules', 'electron'), { recursive: true });
  writeFileSync(
    join(APP, 'node_modules', 'electron', 'index.js'),
    'module.exports = globalThis.__fakeElectron;',
  );
  cpSync(join(ROOT, 'resources', 'region'), join(APP, 'resources', 'region'), { recursive: true });
  mkdirSync(join(APP, 'dist', 'renderer'), { recursive: true });
  writeFileSync(join(APP, 'dist', 'renderer', 'index.html'), '<!doctype html><title>console</title>');
  await build({
    configFile: join(ROOT, 'vite.electron.config.ts'),
    logLevel: 'silent',
    build: { outDir: join(APP, 'dist', 'electron') },
  });
  (globalThis as Record<string, unknown>).__fakeElectron = electron;
  createRequire(import.meta.url)(join(APP, 'dist', 'electron', 'main.cjs'));
  // What must happen before `ready` is checked before letting the app get there.
  expect(fake.privileged, 'app:// must be registered as privileged before ready').toHaveLength(1);
  ready();
  await readyPromise;
  await new Promise((resolve) => setTimeout(resolve, 0));
}, 60_000);

afterAll(() => {
  fake.app.emit('will-quit');
  delete (globalThis as Record<string, unknown>).__fakeElectron;
  rmSync(APP, { recursive: true, force: true });
});

describe('the desktop main process, started against a fake Electron', () => {
  it('takes the single-instance lock, turns the sandbox on and starts without error', () => {
    expect(fake.calls.slice(0, 2)).toEqual(['lock', 'sandbox']);
    expect(fake.errorBox, `start-up failed: ${fake.errorBox}`).toBeNull();
    expect(fake.exitCode).toBeNull();
  });

  it('opens the console window with the locked-down preferences on app://desk/', () => {
    const win = mainWindow();
    expect(win.options.webPreferences).toEqual(
      secureWebPreferences(join(APP, 'dist', 'electron', 'preload.cjs')),
    );
    expect(win.loaded).toBe('app://desk/index.html');
  });

  it('opens the workstation store in userData and answers the console as the default operator', () => {
    expect(existsSync(join(USER_DATA, 'workstation', 'desk.sqlite')), 'the store lives under userData').toBe(
      true,
    );
    const reply = invoke(mainWindow(), { kind: 'query', name: 'session.get', input: {} });
    expect(reply).toMatchObject({ ok: true, value: { operatorId: 'city-dispatcher' } });
    expect(
      invoke(mainWindow(), { kind: 'query', name: 'session.get' }, 'https://example.org/').error?.code,
    ).toBe('forbidden');
  });

  it('serves the console with the CSP and nothing outside the renderer folder', async () => {
    const handler = fake.protocolHandler;
    if (!handler) throw new Error('app:// has no handler');
    const page = await handler({ url: 'app://desk/index.html' });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(await page.text()).toContain('console');
    expect((await handler({ url: 'app://desk/..%2f..%2fresources%2fregion%2fankang.json' })).status).toBe(
      404,
    );
  });

  it('cancels remote requests and denies every permission', () => {
    const decide = (url: string) => {
      let cancel: boolean | null = null;
      fake.beforeRequest?.({ url }, (r) => (cancel = r.cancel));
      return cancel;
    };
    expect(decide('https://tiles.example.org/0/0/0.png')).toBe(true);
    expect(decide('app://desk/assets/index.js')).toBe(false);
    let granted: boolean | null = null;
    fake.permissionRequest?.({}, 'media', (answer) => (granted = answer));
    expect(granted).toBe(false);
    expect(fake.permissionCheck?.()).toBe(false);
  });

  it('denies navigation away and pops a panel out into a window of its own', () => {
    const win = mainWindow();
    let prevented = false;
    win.webContents.emit('will-navigate', {
      url: 'https://example.org/',
      preventDefault: () => (prevented = true),
    });
    expect(prevented, 'navigation to a remote page must be prevented').toBe(true);

    const open = win.webContents.windowOpenHandler;
    if (!open) throw new Error('no window-open handler');
    expect(open({ url: 'https://example.org/' })).toEqual({ action: 'deny' });
    expect(FakeWindow.all).toHaveLength(1);
    expect(open({ url: 'app://desk/index.html?panel=map' })).toEqual({ action: 'deny' });
    expect(FakeWindow.all, 'the pop-out is created by the main process').toHaveLength(2);
    const panel = FakeWindow.all[1] as FakeWindow;
    expect(panel.loaded).toBe('app://desk/index.html?panel=map');
    expect(panel.options.webPreferences).toEqual(mainWindow().options.webPreferences);
    open({ url: 'app://desk/index.html?panel=map' });
    expect(FakeWindow.all, 'a second pop-out of the same panel focuses the first').toHaveLength(2);
  });

  it('forwards events to a subscribed window and forgets it when it closes', () => {
    const panel = FakeWindow.all[1] as FakeWindow;
    expect(
      invoke(panel, { kind: 'subscribe', name: 'incident.created' }, 'app://desk/index.html?panel=map').ok,
    ).toBe(true);
    const created = invoke(mainWindow(), {
      kind: 'command',
      name: 'incident.create',
      input: {
        source: 'call_110',
        category: 'burglary',
        priority: 1,
        address: '平利县长安镇中心街18号',
        summary: '入室盗窃',
        location: { lng: 109.2852, lat: 32.4702 },
        countyId: '610926',
      },
    });
    expect(created.ok, JSON.stringify(created.error)).toBe(true);
    expect(panel.webContents.sent.map((s) => s.channel)).toEqual(['desk:event']);

    panel.close();
    expect(
      invoke(panel, { kind: 'query', name: 'session.get' }).error?.code,
      'a closed window is no longer ours',
    ).toBe('forbidden');
  });
});
