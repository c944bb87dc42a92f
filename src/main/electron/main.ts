// Electron main process: hosts the workstation core, serves the built console on app://desk/, opens the app's
// windows under one security policy, runs the supervision timer and, given --server, syncs the store with the central
// server. Wiring only: the policy lives in security.ts, the IPC in ipc.ts, sync in ../sync/start.ts and supervision
// in ../host.ts (both shared with the browser mode).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  protocol,
  screen,
  session,
  type Session,
  type WebContents,
} from 'electron';
import type { Actor } from '../../shared/domain/model';
import { loadRegionFile } from '../core/region/seed';
import { openWorkstation, startSupervision, supervisionScope, type Workstation } from '../host';
import { describeHostSync, startHostSync, type HostSync } from '../sync/start';
import { EVENT_CHANNEL } from './channels';
import { DeskBinding, installIpc } from './ipc';
import { readDesktopOptions } from './options';
import { PLACES_FILE, placeWindow, readPlaces, writePlaces, type Places } from './places';
import {
  APP_SCHEME,
  appUrl,
  contentTypeOf,
  decideWindowOpen,
  isNavigationAllowed,
  isRequestAllowed,
  resolveAppFile,
  secureWebPreferences,
  SECURITY_HEADERS,
} from './security';

const PRODUCT_NAME = 'Command Desk 情指勤舆督一体化工作台';
/** A compromised page must not be able to flood the screen; a command hall has at most a few monitors. */
const MAX_PANEL_WINDOWS = 8;

// Must happen before `ready`: app:// behaves like https (standard, secure origin) for the renderer.
protocol.registerSchemesAsPrivileged([
  {
    scheme: APP_SCHEME,
    privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
  },
]);

/** Where the packaged or checked-out app keeps what it serves and loads; getAppPath() is the app.asar when packaged. */
function appPaths(root: string) {
  return {
    renderer: join(root, 'dist', 'renderer'),
    preload: join(root, 'dist', 'electron', 'preload.cjs'),
    region: join(root, 'resources', 'region', 'ankang.json'),
    // Built by `npm start` (scripts/electron-start.ts) so the repo's own better-sqlite3 stays built for Node.
    devNativeBinding: join(
      root,
      'dist',
      'electron-native',
      'node_modules',
      'better-sqlite3',
      'build',
      'Release',
      'better_sqlite3.node',
    ),
  };
}

function fail(title: string, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`${title}: ${message}`);
  dialog.showErrorBox(PRODUCT_NAME, `${title}\n\n${message}`);
  app.exit(1);
}

/** Every request of every window goes through here: only app:// and in-memory URLs load, with the CSP attached. */
function lockDownSession(target: Session, rendererRoot: string): void {
  target.protocol.handle(APP_SCHEME, async (request) => {
    const file = resolveAppFile(request.url, rendererRoot);
    if (!file) return new Response('not found', { status: 404, headers: SECURITY_HEADERS });
    try {
      const body = await readFile(file);
      return new Response(body, { headers: { ...SECURITY_HEADERS, 'Content-Type': contentTypeOf(file) } });
    } catch {
      return new Response('not found', { status: 404, headers: SECURITY_HEADERS });
    }
  });
  target.webRequest.onBeforeRequest((details, callback) => {
    const allowed = isRequestAllowed(details.url);
    if (!allowed) console.warn(`blocked a request to ${details.url.slice(0, 120)}`);
    callback({ cancel: !allowed });
  });
  target.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [SECURITY_HEADERS['Content-Security-Policy'] ?? ''],
      },
    });
  });
  // Camera, microphone, geolocation, notifications, clipboard reads...: the console needs none of them.
  target.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  target.setPermissionCheckHandler(() => false);
  target.setDevicePermissionHandler(() => false);
  target.on('will-download', (event) => event.preventDefault());
}

function start(): void {
  const options = readDesktopOptions(process.argv, process.env);
  if (options.dataDir) app.setPath('userData', options.dataDir);
  app.setName(PRODUCT_NAME);

  // One workstation per data folder: a second start focuses the running one instead of opening the store twice.
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.enableSandbox();

  const paths = appPaths(app.getAppPath());
  const placesFile = join(app.getPath('userData'), PLACES_FILE);
  const places: Places = readPlaces(placesFile);
  const windows = new Map<number, BrowserWindow>();
  const panelWindows = new Map<string, BrowserWindow>();
  let mainWindow: BrowserWindow | null = null;
  let workstation: Workstation | null = null;
  let uninstallIpc: (() => void) | null = null;
  let binding: DeskBinding | null = null;
  let signingIn: Promise<HostSync> | null = null;
  let sync: HostSync | null = null;
  let stopSupervision: (() => void) | null = null;
  /** Set when quitting began while sync ran: the store closes once the client has stopped. */
  let closing: Promise<void> | null = null;
  let storeClosed = false;

  function closeStore(): void {
    storeClosed = true;
    workstation?.close();
    workstation = null;
  }

  /** Stops the sync client (started, or still signing in) and waits for a cycle in flight to finish its writes. */
  async function stopSync(): Promise<void> {
    const running = sync ?? (await signingIn?.catch(() => null)) ?? null;
    sync = null;
    try {
      await running?.client.stop();
    } catch (error) {
      console.error('sync did not stop cleanly:', error);
    }
  }

  function remember(key: string, win: BrowserWindow): void {
    places[key] = {
      bounds: win.getNormalBounds(),
      maximized: win.isMaximized(),
      fullScreen: win.isFullScreen(),
    };
    try {
      writePlaces(placesFile, places);
    } catch (error) {
      console.error('could not save window places:', error);
    }
  }

  function openWindow(panel?: string): BrowserWindow {
    const key = panel === undefined ? 'main' : `panel:${panel}`;
    const saved = places[key];
    const primary = screen.getPrimaryDisplay().workArea;
    const bounds = placeWindow(
      saved,
      screen.getAllDisplays().map((display) => display.workArea),
      primary,
      panel === undefined ? { width: 1600, height: 960 } : { width: 960, height: 720 },
    );
    const win = new BrowserWindow({
      ...bounds,
      minWidth: 640,
      minHeight: 400,
      show: false,
      title: PRODUCT_NAME,
      backgroundColor: '#0f1720',
      webPreferences: secureWebPreferences(paths.preload),
    });
    const id = win.webContents.id;
    windows.set(id, win);
    win.once('ready-to-show', () => {
      if (saved?.maximized) win.maximize();
      if (saved?.fullScreen) win.setFullScreen(true);
      win.show();
    });
    win.on('close', () => remember(key, win));
    win.on('closed', () => {
      windows.delete(id);
      binding?.windowGone(id);
      if (panel !== undefined) panelWindows.delete(panel);
    });
    // A reload or crash starts a fresh page whose preload subscribes anew; drop what the old page held.
    win.webContents.on('did-start-navigation', (details) => {
      if (details.isMainFrame && !details.isSameDocument) binding?.windowGone(id);
    });
    win.webContents.on('render-process-gone', () => binding?.windowGone(id));
    void win.loadURL(appUrl(panel));
    return win;
  }

  function popOut(panel: string): void {
    const existing = panelWindows.get(panel);
    if (existing && !existing.isDestroyed()) {
      if (existing.isMinimized()) existing.restore();
      existing.focus();
      return;
    }
    if (panelWindows.size >= MAX_PANEL_WINDOWS) return;
    panelWindows.set(panel, openWindow(panel));
  }

  // Applies to every webContents ever created, ours or not: no navigation away, no new windows, no <webview>.
  app.on('web-contents-created', (_event, contents: WebContents) => {
    const refuseNavigation = (event: { preventDefault(): void }, url: string) => {
      if (!isNavigationAllowed(url)) {
        event.preventDefault();
        console.warn(`refused navigation to ${url.slice(0, 120)}`);
      }
    };
    contents.on('will-navigate', (event) => refuseNavigation(event, event.url));
    contents.on('will-redirect', (event) => refuseNavigation(event, event.url));
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      const decision = decideWindowOpen(url);
      // The pop-out is created here with the app's own preferences; the opener never holds a handle on it.
      if (decision.action === 'popout' && windows.has(contents.id)) popOut(decision.panel);
      return { action: 'deny' };
    });
  });

  app.on('second-instance', () => {
    if (!mainWindow || mainWindow.isDestroyed()) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.show();
    mainWindow.focus();
  });

  app.whenReady().then(
    async () => {
      if (app.isPackaged) Menu.setApplicationMenu(null);
      let opened: Workstation;
      let actor: Actor;
      try {
        lockDownSession(session.defaultSession, paths.renderer);
        const nativeBinding =
          !app.isPackaged && existsSync(paths.devNativeBinding) ? paths.devNativeBinding : undefined;
        opened = openWorkstation({
          dataDir: join(app.getPath('userData'), 'workstation'),
          region: loadRegionFile(paths.region),
          nativeBinding,
        });
        workstation = opened;
        actor = opened.actor(options.operatorId);
      } catch (error) {
        closeStore();
        fail('Command Desk could not open its workstation store', error);
        return;
      }
      if (options.sync) {
        // As the browser mode does: signed in (online, or offline against the stored verifier) before the
        // console opens, and every command made as the client's actor, which names the enrolled workstation.
        try {
          signingIn = startHostSync(opened, options.operatorId, options.sync);
          sync = await signingIn;
        } catch (error) {
          if (closing) return;
          closeStore();
          fail(`Command Desk could not sign in to ${options.sync.url}`, error);
          return;
        } finally {
          signingIn = null;
        }
        if (closing) return;
        console.log(describeHostSync(sync));
        actor = sync.actor;
      }
      binding = new DeskBinding({
        core: opened.desk,
        actor: () => actor,
        windows,
        send: (id, message) => {
          const win = windows.get(id);
          if (win && !win.isDestroyed()) win.webContents.send(EVENT_CHANNEL, message);
        },
      });
      uninstallIpc = installIpc(ipcMain, binding);
      // Overdue orders escalate on this console as they do in the browser mode: once now, then every 15 s, within
      // the console's jurisdiction and as its (enrolled) workstation.
      stopSupervision = startSupervision(opened.desk, undefined, supervisionScope(actor));
      mainWindow = openWindow();
      // Pop-outs belong to the console: closing it closes them, and the app with them.
      mainWindow.on('closed', () => {
        mainWindow = null;
        for (const win of panelWindows.values()) if (!win.isDestroyed()) win.close();
      });
    },
    (error: unknown) => fail('Command Desk could not start', error),
  );

  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', (event) => {
    // Nothing new is made from here on (no call from a window, no escalation), so sync drains what exists.
    uninstallIpc?.();
    uninstallIpc = null;
    stopSupervision?.();
    stopSupervision = null;
    if (storeClosed) return;
    if (!sync && !signingIn) {
      closeStore();
      return;
    }
    // A sync cycle in flight still writes to the store: quit again once the client has stopped and the store
    // is closed. What was not sent stays in the outbox for the next start.
    event.preventDefault();
    closing ??= stopSync().finally(() => {
      closeStore();
      app.quit();
    });
  });
}

try {
  start();
} catch (error) {
  console.error(`Command Desk could not start: ${error instanceof Error ? error.message : String(error)}`);
  app.exit(1);
}
