// The built main-process bundle (dist/electron/main.cjs) started under Node against a fake `electron` module:
// checks the wiring the unit tests cannot see — lock, protocol, session lock-down, windows, IPC into a real store.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EventPayloads, InboxItem } from '../../src/shared/contract';
import type { Order } from '../../src/shared/domain/model';
import { CONTENT_SECURITY_POLICY, secureWebPreferences } from '../../src/main/electron/security';
import { FakeElectron, forgetFakeElectron, prepareApp, ROOT, startMainBundle } from './fake-electron';

const APP = join(ROOT, 'test-output', `electron-bundle-${process.pid}`);
const USER_DATA = join(APP, 'user-data');
const fake = new FakeElectron({ appDir: APP, userData: USER_DATA });
const mainWindow = () => fake.mainWindow();
const invoke = (...args: Parameters<FakeElectron['invoke']>) => fake.invoke(...args);

beforeAll(async () => {
  await prepareApp(APP);
  startMainBundle(APP, fake);
  // What must happen before `ready` is checked before letting the app get there.
  expect(fake.privileged, 'app:// must be registered as privileged before ready').toHaveLength(1);
  await fake.ready();
}, 60_000);

afterAll(() => {
  fake.willQuit();
  forgetFakeElectron();
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
    expect(fake.windows).toHaveLength(1);
    expect(open({ url: 'app://desk/index.html?panel=map' })).toEqual({ action: 'deny' });
    expect(fake.windows, 'the pop-out is created by the main process').toHaveLength(2);
    const panel = fake.window(1);
    expect(panel.loaded).toBe('app://desk/index.html?panel=map');
    expect(panel.options.webPreferences).toEqual(mainWindow().options.webPreferences);
    open({ url: 'app://desk/index.html?panel=map' });
    expect(fake.windows, 'a second pop-out of the same panel focuses the first').toHaveLength(2);
  });

  it('forwards events to a subscribed window and forgets it when it closes', () => {
    const panel = fake.window(1);
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

describe('the desktop main process supervising orders', () => {
  const MINUTE = 60_000;
  // A second workstation from the same bundle, started with its intervals and clock scripted by the test: the
  // supervision timer is then driven minute by minute instead of waiting 15 s per tick.
  const supervised = new FakeElectron({ appDir: APP, userData: join(APP, 'user-data-supervision') });
  let quit = false;

  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    startMainBundle(APP, supervised);
    await supervised.ready();
  });

  afterAll(() => {
    if (!quit) supervised.willQuit();
    vi.useRealTimers();
  });

  it('escalates an order whose sign deadline passed and tells the console window', () => {
    expect(supervised.errorBox, `start-up failed: ${supervised.errorBox}`).toBeNull();
    const win = supervised.mainWindow();
    expect(supervised.invoke(win, { kind: 'subscribe', name: 'order.overdue' }).ok).toBe(true);
    const order = supervised.call<Order>('command', 'order.issue', {
      template: 'custom',
      title: '设卡盘查',
      targets: [{ targetKind: 'org', targetId: '610926-TB' }],
      signDeadlineMin: 5,
      finishDeadlineMin: 60,
    });
    vi.advanceTimersByTime(4 * MINUTE);
    expect(supervised.call<InboxItem[]>('query', 'order.overdue'), 'not overdue before its deadline').toEqual(
      [],
    );

    vi.advanceTimersByTime(2 * MINUTE);
    const overdue = win.webContents.sent
      .map((sent) => sent.message as { event: string; payload: EventPayloads['order.overdue'] })
      .filter((message) => message.event === 'order.overdue');
    expect(overdue, 'one order.overdue event reached the window').toHaveLength(1);
    expect(overdue[0]?.payload).toMatchObject({
      order: { id: order.id },
      target: { targetId: '610926-TB', overdue: 'sign', escalationLevel: 1 },
      overdue: 'sign',
      level: 1,
    });
    expect(
      supervised.call<InboxItem[]>('query', 'order.overdue').map((item) => item.target.targetId),
      'the escalation is stored, so the console lists the target as overdue',
    ).toEqual(['610926-TB']);
  });

  it('stops the timer when the app quits, before the store closes', () => {
    expect(vi.getTimerCount(), 'the supervision timer runs').toBe(1);
    expect(supervised.willQuit(), 'a standalone workstation quits at once').toBe(false);
    quit = true;
    expect(vi.getTimerCount(), 'no supervision tick after the store closed').toBe(0);
  });
});
