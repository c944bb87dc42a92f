// The desktop security policy: window preferences, CSP, navigation, window.open, requests and file serving.
import { join, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDesktopOptions } from '../../src/main/electron/options';
import { readHostSyncArgs } from '../../src/main/sync/start';
import {
  appUrl,
  CONTENT_SECURITY_POLICY,
  decideWindowOpen,
  isNavigationAllowed,
  isRequestAllowed,
  resolveAppFile,
  secureWebPreferences,
  SECURITY_HEADERS,
} from '../../src/main/electron/security';

const FOREIGN = [
  'https://example.org/',
  'http://127.0.0.1:8080/index.html',
  'file:///etc/passwd',
  'javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'about:blank',
  'app://evil/index.html',
  'app://desk@evil/index.html',
  'app://desk/other.html',
  'app://desk/index.html?panel=map&token=1',
  'app://desk/index.html?panel=../../x',
  'app://desk/index.html?panel=Map%20View',
  'chrome://settings',
  'devtools://devtools/bundled/inspector.html',
  'not a url',
];

describe('every window gets the same locked-down preferences', () => {
  const prefs = secureWebPreferences('/app/dist/electron/preload.cjs');

  it('isolates the page from Node and from the preload', () => {
    expect(prefs.contextIsolation, 'contextIsolation must be on').toBe(true);
    expect(prefs.sandbox, 'the renderer must be sandboxed').toBe(true);
    expect(prefs.nodeIntegration, 'no Node in the page').toBe(false);
    expect(prefs.nodeIntegrationInWorker, 'no Node in workers').toBe(false);
    expect(prefs.nodeIntegrationInSubFrames, 'no Node in frames').toBe(false);
  });

  it('keeps web security on and everything risky off', () => {
    expect(prefs.webSecurity).toBe(true);
    expect(prefs.allowRunningInsecureContent).toBe(false);
    expect(prefs.webviewTag).toBe(false);
    expect(prefs.experimentalFeatures).toBe(false);
    expect(prefs.navigateOnDragDrop, 'a file dropped on the window must not replace the console').toBe(false);
    expect(prefs.preload).toBe('/app/dist/electron/preload.cjs');
  });

  it('gives a popped-out panel exactly the preferences of the console', () => {
    expect(secureWebPreferences('/p.cjs')).toEqual(secureWebPreferences('/p.cjs'));
  });
});

describe('the content security policy', () => {
  const directives = new Map(
    CONTENT_SECURITY_POLICY.split(';').map((part) => {
      const [name = '', ...sources] = part.trim().split(/\s+/);
      return [name, sources] as const;
    }),
  );

  it('allows no eval and no remote host anywhere', () => {
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-eval');
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/https?:|wss?:|\*/);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/[a-z0-9-]+\.[a-z]{2,}/i);
  });

  it('limits scripts to the app itself and workers to the app and blob:', () => {
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('worker-src')).toEqual(["'self'", 'blob:']);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(directives.get('img-src')).toEqual(["'self'", 'data:', 'blob:']);
    expect(directives.get('style-src')).toEqual(["'self'", "'unsafe-inline'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
  });

  it('is sent with every response the app serves', () => {
    expect(SECURITY_HEADERS['Content-Security-Policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(SECURITY_HEADERS['X-Content-Type-Options']).toBe('nosniff');
  });
});

describe('navigation and new windows', () => {
  it('lets a window load only the console and its pop-out pages', () => {
    expect(isNavigationAllowed('app://desk/index.html')).toBe(true);
    expect(isNavigationAllowed('app://desk/index.html?panel=map')).toBe(true);
    for (const url of FOREIGN)
      expect(isNavigationAllowed(url), `navigation to ${url} must be denied`).toBe(false);
  });

  it('opens a new window only for a panel pop-out', () => {
    expect(decideWindowOpen('app://desk/index.html?panel=map')).toEqual({ action: 'popout', panel: 'map' });
    expect(decideWindowOpen('app://desk/index.html?panel=incident-queue')).toEqual({
      action: 'popout',
      panel: 'incident-queue',
    });
    expect(decideWindowOpen('app://desk/index.html'), 'a second console is not a pop-out').toEqual({
      action: 'deny',
    });
    for (const url of FOREIGN)
      expect(decideWindowOpen(url), `window.open(${url}) must be denied`).toEqual({ action: 'deny' });
  });

  it('builds the pop-out URL the window-open handler accepts, and no other', () => {
    expect(decideWindowOpen(appUrl('units'))).toEqual({ action: 'popout', panel: 'units' });
    expect(() => appUrl('../secrets')).toThrow(/panel name/);
  });
});

describe('requests and files', () => {
  it('lets requests reach the app origin and in-memory URLs only', () => {
    for (const url of [
      'app://desk/assets/index.js',
      'app://desk/map/counties.geojson',
      'data:image/png;base64,AA',
      'blob:app://desk/4c1d',
    ])
      expect(isRequestAllowed(url), `${url} is the app's own`).toBe(true);
    for (const url of [
      'https://tiles.example.org/1/2/3.png',
      'ws://127.0.0.1:9000/',
      'file:///etc/passwd',
      'blob:https://x.org/1',
    ])
      expect(isRequestAllowed(url), `${url} must be cancelled`).toBe(false);
  });

  it('serves files from the built renderer and never from outside it', () => {
    const root = join('/opt', 'desk', 'dist', 'renderer');
    expect(resolveAppFile('app://desk/', root)).toBe(join(root, 'index.html'));
    expect(resolveAppFile('app://desk/assets/index-abc.js', root)).toBe(join(root, 'assets', 'index-abc.js'));
    expect(resolveAppFile('app://desk/map/counties.geojson?x=1', root)).toBe(
      join(root, 'map', 'counties.geojson'),
    );
    // The URL parser already folds plain ../ segments; what is left must still stay inside the folder.
    for (const url of ['app://desk/../../etc/passwd', 'app://desk/%2e%2e/%2e%2e/etc/passwd']) {
      const file = resolveAppFile(url, root);
      expect(
        file === null || file.startsWith(root + sep),
        `${url} resolved to ${file}, outside the renderer`,
      ).toBe(true);
    }
    for (const url of [
      'app://desk/assets/..%2f..%2f..%2fetc%2fpasswd',
      'app://desk/..%5c..%5cwindows',
      'app://desk/%00',
      'app://desk/%E0%A4%A',
      'app://other/index.html',
      'https://desk/index.html',
    ])
      expect(resolveAppFile(url, root), `${url} must not be served`).toBeNull();
  });
});

describe('the signed-in operator', () => {
  it('comes from --operator, then DESK_OPERATOR, then the city dispatcher', () => {
    expect(readDesktopOptions(['electron', '.'], {}).operatorId).toBe('city-dispatcher');
    expect(readDesktopOptions(['electron', '.'], { DESK_OPERATOR: 'op-610926' }).operatorId).toBe(
      'op-610926',
    );
    expect(
      readDesktopOptions(['electron', '.', '--operator', 'city-supervisor'], { DESK_OPERATOR: 'op-610926' })
        .operatorId,
    ).toBe('city-supervisor');
    expect(readDesktopOptions(['electron', '.', '--operator=admin'], {}).operatorId).toBe('admin');
  });

  it('refuses something that cannot be an operator id', () => {
    expect(() => readDesktopOptions(['electron', '.', '--operator', "x'; drop table"], {})).toThrow(
      /not an operator id/,
    );
  });

  it('reads a data folder so two workstations can run side by side', () => {
    expect(readDesktopOptions(['electron', '.', '--data-dir', '/tmp/pingli'], {}).dataDir).toBe(
      '/tmp/pingli',
    );
    expect(readDesktopOptions(['electron', '.'], {}).dataDir).toBeNull();
  });
});

describe('the sync options', () => {
  const read = (...args: string[]) => readDesktopOptions(['electron', '.', ...args], {}).sync;

  it('run standalone without --server, and take the same flags as the browser mode with it', () => {
    expect(read()).toBeNull();
    expect(read('--server', 'http://127.0.0.1:7400')).toEqual({
      url: 'http://127.0.0.1:7400',
      flags: { password: undefined, workstationId: undefined, secret: undefined },
    });
    expect(
      read(
        '--server=https://city.example:7400',
        '--workstation',
        'ws-610926',
        '--secret',
        's3cret',
        '--password=pw',
      ),
    ).toEqual({
      url: 'https://city.example:7400',
      flags: { password: 'pw', workstationId: 'ws-610926', secret: 's3cret' },
    });
  });

  it('refuse bad values, each error naming its option', () => {
    expect(() => read('--server', 'city hall')).toThrow(/^--server city hall is not a URL$/);
    expect(() => read('--server', 'ftp://127.0.0.1')).toThrow(/--server .* is not an http/);
    expect(() => read('--server')).toThrow(/^--server needs a value$/);
    expect(() => read('--server', '--workstation', 'ws-city')).toThrow(/^--server needs a value$/);
    expect(() => read('--server', 'http://127.0.0.1:7400', '--secret')).toThrow(/^--secret needs a value$/);
    expect(() => read('--server', 'http://127.0.0.1:7400', '--password=')).toThrow(
      /^--password needs a value$/,
    );
    expect(() => read('--server', 'http://127.0.0.1:7400', '--workstation', 'ws city')).toThrow(
      /^--workstation "ws city" is not a workstation id/,
    );
    expect(() => read('--secret', 's3cret')).toThrow(/^--secret is only used with --server/);
    expect(() => read('--workstation', 'ws-city')).toThrow(/^--workstation is only used with --server/);
  });

  const SERVER = 'http://127.0.0.1:7400';
  const SECRETS = { DESK_SYNC_PASSWORD: 'pw-from-env', DESK_SYNC_SECRET: 'secret-from-env' };
  const withEnv = (env: Record<string, string>, ...args: string[]) =>
    readDesktopOptions(['electron', '.', ...args], env).sync;

  it('take the password and secret from DESK_SYNC_PASSWORD and DESK_SYNC_SECRET, kept off the command line', () => {
    expect(withEnv(SECRETS, '--server', SERVER)?.flags).toEqual({
      password: 'pw-from-env',
      workstationId: undefined,
      secret: 'secret-from-env',
    });
    expect(withEnv({ DESK_SYNC_SECRET: 'secret-from-env' }, '--server', SERVER)?.flags).toEqual({
      password: undefined,
      workstationId: undefined,
      secret: 'secret-from-env',
    });
    // The browser mode reads them through the same function, from its own process.env.
    expect(readHostSyncArgs({ server: SERVER, workstation: 'ws-610926' }, SECRETS)?.flags).toEqual({
      password: 'pw-from-env',
      workstationId: 'ws-610926',
      secret: 'secret-from-env',
    });
  });

  it('let a flag win over its variable when both are given', () => {
    expect(withEnv(SECRETS, '--server', SERVER, '--secret', 'flag-secret')?.flags).toEqual({
      password: 'pw-from-env',
      workstationId: undefined,
      secret: 'flag-secret',
    });
    expect(
      readHostSyncArgs({ server: SERVER, password: 'flag-pw', secret: 'flag-secret' }, SECRETS)?.flags,
    ).toMatchObject({ password: 'flag-pw', secret: 'flag-secret' });
  });

  it('refuse a variable set but empty, naming it, and leave the variables unread without --server', () => {
    expect(() => withEnv({ DESK_SYNC_SECRET: '' }, '--server', SERVER)).toThrow(
      /^DESK_SYNC_SECRET is set but empty: give it the value of --secret, or unset it$/,
    );
    expect(() => readHostSyncArgs({ server: SERVER }, { DESK_SYNC_PASSWORD: '' })).toThrow(
      /^DESK_SYNC_PASSWORD is set but empty/,
    );
    // Set for the machine's synced starts, they do not stop a standalone one (a stray flag still does).
    expect(withEnv({ ...SECRETS, DESK_SYNC_SECRET: '' })).toBeNull();
    expect(() => withEnv(SECRETS, '--secret', 's3cret')).toThrow(/^--secret is only used with --server/);
  });
});
