// A fake `electron` module and the helpers that build the desktop app's bundles into a test folder and start
// the main bundle (dist/electron/main.cjs) under Node against it: the wiring the unit tests cannot see, checked
// without Electron's binary.
import { EventEmitter } from 'node:events';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const requireHere = createRequire(import.meta.url);

export class FakeContents extends EventEmitter {
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

export interface WindowOptions {
  webPreferences: Record<string, unknown>;
  width: number;
  height: number;
}

export class FakeWindow extends EventEmitter {
  readonly webContents: FakeContents;
  loaded = '';
  destroyed = false;
  constructor(
    readonly options: WindowOptions,
    desk: FakeElectron,
  ) {
    super();
    this.webContents = new FakeContents(desk.windows.length + 1);
    desk.windows.push(this);
    desk.app.emit('web-contents-created', {}, this.webContents);
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

/** `BrowserWindow` as the bundle constructs it (`new BrowserWindow(options)`), its windows kept by `desk`. */
function windowClassOf(desk: FakeElectron) {
  return class BrowserWindow extends FakeWindow {
    constructor(options: WindowOptions) {
      super(options, desk);
    }
  };
}

type Handler = (event: unknown, ...args: unknown[]) => unknown;

export interface CallReply {
  ok: boolean;
  value?: unknown;
  error?: { code: string; message: string };
}

/** One start of the app: what it asked of Electron, and the handles to drive it. */
export class FakeElectron {
  readonly calls: string[] = [];
  readonly privileged: unknown[] = [];
  readonly windows: FakeWindow[] = [];
  readonly handlers = new Map<string, Handler>();
  exitCode: number | null = null;
  errorBox: string | null = null;
  protocolHandler: ((request: { url: string }) => Promise<Response>) | null = null;
  beforeRequest: ((details: { url: string }, callback: (r: { cancel: boolean }) => void) => void) | null =
    null;
  permissionRequest:
    ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null = null;
  permissionCheck: (() => boolean) | null = null;
  readonly app;
  /** What `require('electron')` gives the bundle. */
  readonly module;
  private markReady: () => void = () => undefined;
  private readonly readyPromise = new Promise<void>((resolve) => (this.markReady = resolve));

  constructor(paths: { appDir: string; userData: string }) {
    const record = (call: string) => this.calls.push(call);
    this.app = Object.assign(new EventEmitter(), {
      isPackaged: false,
      getAppPath: () => paths.appDir,
      getPath: (name: string) => (name === 'userData' ? paths.userData : paths.appDir),
      setPath: () => undefined,
      setName: () => undefined,
      requestSingleInstanceLock: () => {
        record('lock');
        return true;
      },
      enableSandbox: () => record('sandbox'),
      whenReady: () => this.readyPromise,
      quit: () => record('quit'),
      exit: (code: number) => {
        this.exitCode = code;
      },
    });
    const display = { workArea: { x: 0, y: 0, width: 1920, height: 1080 } };
    this.module = {
      app: this.app,
      BrowserWindow: windowClassOf(this),
      dialog: { showErrorBox: (_title: string, message: string) => (this.errorBox = message) },
      ipcMain: {
        handle: (channel: string, listener: Handler) => this.handlers.set(channel, listener),
        removeHandler: (channel: string) => this.handlers.delete(channel),
      },
      Menu: { setApplicationMenu: () => undefined },
      protocol: { registerSchemesAsPrivileged: (schemes: unknown[]) => this.privileged.push(...schemes) },
      screen: { getPrimaryDisplay: () => display, getAllDisplays: () => [display] },
      session: {
        defaultSession: Object.assign(new EventEmitter(), {
          protocol: {
            handle: (_scheme: string, handler: FakeElectron['protocolHandler']) =>
              (this.protocolHandler = handler),
          },
          webRequest: {
            onBeforeRequest: (listener: FakeElectron['beforeRequest']) => (this.beforeRequest = listener),
            onHeadersReceived: () => undefined,
          },
          setPermissionRequestHandler: (handler: FakeElectron['permissionRequest']) =>
            (this.permissionRequest = handler),
          setPermissionCheckHandler: (handler: FakeElectron['permissionCheck']) =>
            (this.permissionCheck = handler),
          setDevicePermissionHandler: () => undefined,
        }),
      },
    };
  }

  /** Lets the app reach `ready`, and gives it a turn to act on it. */
  async ready(): Promise<void> {
    this.markReady();
    await this.readyPromise;
    await new Promise((resolve) => setTimeout(resolve, 0));
  }

  /** The index-th window the app opened (0 = the console). */
  window(index: number): FakeWindow {
    const win = this.windows[index];
    if (!win) throw new Error(`the app opened no window #${index + 1}`);
    return win;
  }

  mainWindow(): FakeWindow {
    return this.window(0);
  }

  /** A call from a window's page over the contract's invoke channel, as the preload makes it. */
  invoke(win: FakeWindow, request: unknown, url = 'app://desk/index.html'): CallReply {
    const handler = this.handlers.get('desk:call');
    if (!handler) throw new Error('the app registered no desk:call handler');
    return handler(
      { sender: { id: win.webContents.id }, senderFrame: { url, parent: null } },
      request,
    ) as CallReply;
  }

  /** The value of a call that must succeed (the error names the call and what went wrong). */
  call<T>(kind: 'command' | 'query', name: string, input: unknown = {}): T {
    const reply = this.invoke(this.mainWindow(), { kind, name, input });
    if (!reply.ok) throw new Error(`${kind} ${name} failed: ${reply.error?.code}: ${reply.error?.message}`);
    return reply.value as T;
  }

  /** Emits will-quit as Electron does on its way out; true when the app held the quit back. */
  willQuit(): boolean {
    let held = false;
    this.app.emit('will-quit', { preventDefault: () => (held = true) });
    return held;
  }
}

/**
 * A folder laid out like the checked-out app: the region, a stand-in console page, the bundles built from the
 * repo's sources (main.cjs, plus pull-worker.cjs when asked), and an `electron` package that hands out the fake.
 * Inside the repo, so the bundle's require('better-sqlite3') finds the repo's package.
 */
export async function prepareApp(appDir: string, options: { pullWorker?: boolean } = {}): Promise<void> {
  rmSync(appDir, { recursive: true, force: true });
  mkdirSync(join(appDir, 'node_modules', 'electron'), { recursive: true });
  writeFileSync(
    join(appDir, 'node_modules', 'electron', 'index.js'),
    'module.exports = globalThis.__fakeElectron;',
  );
  cpSync(join(ROOT, 'resources', 'region'), join(appDir, 'resources', 'region'), { recursive: true });
  mkdirSync(join(appDir, 'dist', 'renderer'), { recursive: true });
  writeFileSync(join(appDir, 'dist', 'renderer', 'index.html'), '<!doctype html><title>console</title>');
  const configFile = join(ROOT, 'vite.electron.config.ts');
  const outDir = join(appDir, 'dist', 'electron');
  await build({ configFile, logLevel: 'silent', build: { outDir } });
  if (options.pullWorker)
    await build({ configFile, mode: 'pull-worker', logLevel: 'silent', build: { outDir } });
}

/**
 * Starts the main bundle against `desk` with these command-line arguments. Each start loads the bundle afresh
 * (and the `electron` stub with it), so one test file can stop the app and start it again on the same store.
 */
export function startMainBundle(appDir: string, desk: FakeElectron, args: readonly string[] = []): void {
  const main = join(appDir, 'dist', 'electron', 'main.cjs');
  const stub = join(appDir, 'node_modules', 'electron', 'index.js');
  delete requireHere.cache[main];
  delete requireHere.cache[stub];
  (globalThis as Record<string, unknown>).__fakeElectron = desk.module;
  const argv = process.argv;
  process.argv = [argv[0] ?? 'electron', '.', ...args];
  try {
    requireHere(main);
  } finally {
    process.argv = argv;
  }
}

export function forgetFakeElectron(): void {
  delete (globalThis as Record<string, unknown>).__fakeElectron;
}
