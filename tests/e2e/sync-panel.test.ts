// The operator's view of sync in Chromium, with a real server and two consoles: the Pingli substation loses its
// link (a proxy it talks through is cut), works on, and comes back to a rejection (a call the city moved to
// Hanbin meanwhile) and a conflict (both changed the same call's priority). Status bar and sync panel are
// photographed in Chinese and English; the city's analyst sees the conflict without resolve buttons.
import { rmSync, mkdtempSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor, Incident } from '../../src/shared/domain/model';
import { startServer, type RunningServer } from '../../src/server/app';
import { startWebHost, type WebHost } from '../../src/main/web/host';
import { CHANGAN, HANBIN, PINGLI } from '../helpers/desk';
import { launchBrowser, screenshotFolder, type Browser, type Shots } from './helpers/browser';
import { ensureTestRenderer } from './helpers/build';
import { openSyncedConsole, waitForConsole, type OpenConsole } from './helpers/console';

const SYNC_WAIT = { timeout: 20_000, interval: 200 };

/** A TCP relay in front of the server that can be cut and restored: the substation's link. */
interface Link {
  url: string;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

async function linkTo(serverUrl: string): Promise<Link> {
  const target = new URL(serverUrl);
  const open = new Set<Socket>();
  let up = true;
  const relay: Server = createServer((socket) => {
    if (!up) {
      socket.destroy();
      return;
    }
    const upstream = connect(Number(target.port), target.hostname);
    open.add(socket);
    open.add(upstream);
    const end = (): void => {
      socket.destroy();
      upstream.destroy();
      open.delete(socket);
      open.delete(upstream);
    };
    socket.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    socket.pipe(upstream);
    upstream.pipe(socket);
  });
  await new Promise<void>((done) => relay.listen(0, '127.0.0.1', done));
  const address = relay.address();
  if (!address || typeof address === 'string') throw new Error('the relay has no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    cut() {
      up = false;
      for (const socket of open) socket.destroy();
      open.clear();
    },
    restore() {
      up = true;
    },
    close: () =>
      new Promise((done) => {
        for (const socket of open) socket.destroy();
        relay.close(() => done());
      }),
  };
}

let serverDir: string;
let server: RunningServer;
let link: Link;
let city: OpenConsole;
let pingli: OpenConsole;
let analystHost: WebHost;
let analyst: Browser;
let shots: Shots;
let contested: Incident;
let moved: Incident;
let assigned: Incident;

const TRAFFIC = '610926-TB';
const CHANGAN_STATION = '610926-PS-02';

/** The conflict row of this incident. */
function conflictOf(page: Page, incident: Incident) {
  return page.getByTestId('conflict').filter({ hasText: incident.number });
}

const CALL = {
  source: 'call_110' as const,
  category: 'burglary' as const,
  location: CHANGAN,
  countyId: PINGLI,
};

beforeAll(async () => {
  shots = screenshotFolder('sync-panel');
  serverDir = mkdtempSync(join(tmpdir(), 'command-desk-e2e-server-'));
  server = await startServer({ dataDir: serverDir, port: 0, demo: true });
  link = await linkTo(server.url);
  city = await openSyncedConsole(server.url, 'city-dispatcher');
  pingli = await openSyncedConsole(link.url, `op-${PINGLI}`);
}, 120_000);

afterAll(async () => {
  await analyst?.close();
  await analystHost?.close();
  await pingli?.close();
  await city?.close();
  await link?.close();
  await server?.close();
  if (serverDir) rmSync(serverDir, { recursive: true, force: true });
});

function incidentAt(desk: OpenConsole, id: string): Incident | undefined {
  try {
    return desk.host.desk.query(desk.host.actor, 'incident.get', { id });
  } catch {
    return undefined;
  }
}

async function setLanguage(page: Page, language: 'zh-CN' | 'en'): Promise<void> {
  await page.getByTestId('language').selectOption(language);
}

async function openPanel(page: Page): Promise<void> {
  if ((await page.getByTestId('sync-panel').count()) === 0) await page.getByTestId('sync-state').click();
  await page.getByTestId('sync-panel').waitFor({ state: 'visible' });
}

/** The status bar and the panel in both languages. */
async function photograph(page: Page, name: string): Promise<void> {
  for (const language of ['zh-CN', 'en'] as const) {
    await setLanguage(page, language);
    await openPanel(page);
    const tag = language === 'en' ? 'en' : 'zh';
    await shots.take(page, `${name}-${tag}-bar`, '[data-testid="status-bar"]');
    await shots.take(page, `${name}-${tag}-panel`, '[data-testid="sync-panel"]');
  }
  await setLanguage(page, 'zh-CN');
}

describe('the sync panel of a substation that was offline', () => {
  it('shows both consoles online with nothing pending', async () => {
    for (const desk of [city, pingli]) {
      await expect.poll(() => desk.page.getByTestId('sync-state').textContent(), SYNC_WAIT).toMatch(/在线/);
    }
    const host = city.host;
    contested = host.desk.command(host.actor, 'incident.create', {
      ...CALL,
      priority: 2,
      // Long enough to wrap twice in the panel: nothing may spill out of it.
      address: '平利县长安镇建设路与人民路交叉口东北角新华书店旁边的老粮站家属院三号楼二单元四楼东户',
      summary: '入室盗窃，嫌疑人已逃离',
    });
    moved = host.desk.command(host.actor, 'incident.create', {
      ...CALL,
      priority: 3,
      address: '平利县长安镇与汉滨区交界处',
      summary: '纠纷',
    });
    assigned = host.desk.command(host.actor, 'incident.create', {
      ...CALL,
      priority: 3,
      address: '平利县长安镇',
      summary: '交通事故',
    });
    await expect
      .poll(() => [contested, moved, assigned].every((i) => incidentAt(pingli, i.id)), SYNC_WAIT)
      .toBe(true);
    await photograph(pingli.page, 'online');
  });

  it("goes offline, counts what waits, and says the server cannot be reached in the operator's language", async () => {
    link.cut();
    const host = pingli.host;
    host.desk.command(host.actor, 'incident.update', { id: contested.id, patch: { priority: 1 } });
    host.desk.command(host.actor, 'incident.addNote', { id: moved.id, text: '已联系报警人，十分钟后到场' });
    host.desk.command(host.actor, 'incident.update', { id: assigned.id, patch: { assignedOrgId: TRAFFIC } });
    const page = pingli.page;
    await expect.poll(() => page.getByTestId('sync-state').textContent(), SYNC_WAIT).toMatch(/离线/);
    await expect.poll(() => page.getByTestId('sync-pending').textContent(), SYNC_WAIT).toMatch(/3/);
    await openPanel(page);
    const error = page.getByTestId('sync-last-error');
    await expect.poll(() => error.textContent(), SYNC_WAIT).toMatch(/^无法连接服务器/);
    await setLanguage(page, 'en');
    await expect.poll(() => error.textContent()).toMatch(/^Cannot reach the server/);
    await setLanguage(page, 'zh-CN');
    await photograph(page, 'offline');
  });

  it('meanwhile the city raises the priority and moves the other call to Hanbin', async () => {
    const host = city.host;
    host.desk.command(host.actor, 'incident.update', { id: contested.id, patch: { priority: 3 } });
    host.desk.command(host.actor, 'incident.update', { id: moved.id, patch: { countyId: HANBIN } });
    host.desk.command(host.actor, 'incident.update', {
      id: assigned.id,
      patch: { assignedOrgId: CHANGAN_STATION },
    });
    await expect.poll(() => city.host.desk.query(host.actor, 'sync.status', {}).pending, SYNC_WAIT).toBe(0);
  });

  it('back online, the substation lists the rejection with a reason in words and the conflict as its own', async () => {
    link.restore();
    const page = pingli.page;
    await expect.poll(() => page.getByTestId('sync-state').textContent(), SYNC_WAIT).toMatch(/在线/);
    await openPanel(page);
    const rejection = page.getByTestId('rejection');
    await rejection.first().waitFor({ timeout: 20_000 });
    await expect.poll(() => page.getByTestId('conflict').count(), SYNC_WAIT).toBe(2);
    const conflict = conflictOf(page, contested);
    await photograph(page, 'back');

    // The refused note: what it was, which call, and why, in the console's language, with no ids or codes.
    await expect.poll(() => rejection.textContent()).toContain('已联系报警人，十分钟后到场');
    const reason = rejection.getByTestId('rejection-reason');
    expect(await reason.textContent()).toBe('无权操作：该记录已属汉滨区，不在本工作站辖区（平利县）');
    expect(incidentAt(pingli, moved.id), 'the moved call is still in the Pingli store').toBeUndefined();
    expect(await rejection.getByTestId('rejection-subject').textContent()).toContain('本机已无此记录');
    expect(await rejection.textContent()).not.toContain(moved.id);
    await setLanguage(page, 'en');
    await expect.poll(() => reason.textContent()).toMatch(/^Not allowed: the record now belongs to Hanbin/);
    await setLanguage(page, 'zh-CN');

    // The conflict names the call by number and says who set what when; the buttons read as this operator's.
    expect(await conflict.getByTestId('conflict-subject').textContent()).toContain(contested.number);
    expect(await conflict.textContent()).toContain(contested.address);
    expect(await conflict.getByTestId('conflict-change').textContent()).toMatch(
      /^你于 .+ 将等级改为 一级，服务器上已是 三级$/,
    );
    expect(await conflict.getByTestId('conflict-mine').textContent()).toBe('用我的：一级');
    expect(await conflict.getByTestId('conflict-theirs').textContent()).toBe('保留现值：三级');
  });

  it('keeps every line of the panel inside it (long address, long organisation names) in both languages', async () => {
    const page = pingli.page;
    for (const language of ['zh-CN', 'en'] as const) {
      await setLanguage(page, language);
      const spill = await page.getByTestId('sync-panel').evaluate((panel) => {
        const edge = panel.getBoundingClientRect().right;
        return [...panel.querySelectorAll('*')]
          .filter((element) => element.getBoundingClientRect().right > edge + 0.5)
          .map((element) => `${element.tagName}.${element.className}: ${element.textContent ?? ''}`);
      });
      expect(spill, `${language}: elements past the panel's right edge`).toEqual([]);
      // Long button labels wrap rather than squeeze the row's text into a narrow column.
      const squeezed = await page.getByTestId('sync-panel').evaluate((panel) =>
        [...panel.querySelectorAll('.sync-row')]
          .filter((row) => {
            const main = row.querySelector('.sync-row-main');
            return main && main.getBoundingClientRect().width < row.getBoundingClientRect().width / 2;
          })
          .map((row) => row.textContent ?? ''),
      );
      expect(squeezed, `${language}: rows whose text is squeezed by their buttons`).toEqual([]);
    }
    await setLanguage(page, 'zh-CN');
    // Organisations by name, never by id; keeping the current one settles that conflict.
    const conflict = conflictOf(page, assigned);
    expect(await conflict.getByTestId('conflict-theirs').textContent()).toBe('保留现值：长安派出所');
    expect(await conflict.getByTestId('conflict-mine').textContent()).toBe(
      '用我的：平利县公安局交通管理大队',
    );
    await conflict.getByTestId('conflict-theirs').click();
    await expect.poll(() => conflict.count(), SYNC_WAIT).toBe(0);
    await expect.poll(() => incidentAt(city, assigned.id)?.assignedOrgId, SYNC_WAIT).toBe(CHANGAN_STATION);
  });

  it("the city sees the same conflict as Pingli's change, not as its own", async () => {
    const page = city.page;
    await openPanel(page);
    const conflict = conflictOf(page, contested);
    await conflict.waitFor({ timeout: 20_000 });
    await photograph(page, 'city');
    expect(await conflict.getByTestId('conflict-change').textContent()).toMatch(/^op-610926于 /);
    expect(await conflict.getByTestId('conflict-mine').textContent()).toBe('改为 一级（op-610926）');
    expect(await conflict.getByTestId('conflict-theirs').textContent()).toBe('保留现值：三级');
  });

  it("the city's analyst sees the conflict but no resolve buttons", async () => {
    const rendererDir = await ensureTestRenderer();
    const actor: Actor = {
      operatorId: 'city-analyst',
      name: '市局情报分析员',
      role: 'analyst',
      jurisdictionId: '610900',
      orgId: null,
      workstationId: city.host.actor.workstationId,
    };
    analystHost = await startWebHost({ desk: city.host.desk, actor, rendererDir, supervisionMs: 0 });
    analyst = await launchBrowser();
    const page = analyst.page;
    await page.goto(analystHost.url);
    await waitForConsole(page);
    await openPanel(page);
    const conflict = conflictOf(page, contested);
    await conflict.waitFor({ timeout: 20_000 });
    await photograph(page, 'analyst');
    expect(await conflict.getByTestId('conflict-mine').count()).toBe(0);
    expect(await conflict.getByTestId('conflict-theirs').count()).toBe(0);
    expect(await conflict.getByTestId('conflict-view-only').textContent()).toBe(
      '仅可查看：情报分析员无权修改等级，请由调度员处理',
    );
  });

  it('the substation dismisses the rejection; the inbox and the status bar empty', async () => {
    const page = pingli.page;
    await openPanel(page);
    await page.getByTestId('dismiss-rejection').click();
    await expect.poll(() => page.getByTestId('rejection').count(), SYNC_WAIT).toBe(0);
    await expect.poll(() => page.getByTestId('sync-rejected').count(), SYNC_WAIT).toBe(0);
  });

  it("keeping 'mine' offline after the city changed it again comes back as a new conflict, and says so", async () => {
    const page = pingli.page;
    link.cut();
    await expect.poll(() => page.getByTestId('sync-state').textContent(), SYNC_WAIT).toMatch(/离线/);
    city.host.desk.command(city.host.actor, 'incident.update', { id: contested.id, patch: { priority: 4 } });
    await expect
      .poll(() => city.host.desk.query(city.host.actor, 'sync.status', {}).pending, SYNC_WAIT)
      .toBe(0);
    await openPanel(page);
    await page.getByTestId('conflict-mine').click();
    await expect.poll(() => page.getByTestId('conflict').count(), SYNC_WAIT).toBe(0);

    link.restore();
    const notice = page.locator('.notice', { hasText: '又被他人改为 四级' });
    await notice.waitFor({ timeout: 20_000 });
    expect(await notice.textContent()).toBe(
      `${contested.number}：等级又被他人改为 四级，你的选择未覆盖它，请在同步面板重新选择`,
    );
    const conflict = page.getByTestId('conflict');
    await expect.poll(() => conflict.count(), SYNC_WAIT).toBe(1);
    expect(await conflict.getByTestId('conflict-echo').textContent()).toBe(
      '你选择“用我的”后，等级又被他人改为 四级，未覆盖，请重新选择',
    );
    // The rebase put the server's (older) copy back: the panel shows what the record holds, not the rolled-back 1.
    expect(incidentAt(pingli, contested.id)?.priority).toBe(4);
    await expect.poll(() => conflict.getByTestId('conflict-theirs').textContent()).toBe('保留现值：四级');
    await photograph(page, 'echo');

    await conflict.getByTestId('conflict-theirs').click();
    await expect.poll(() => page.getByTestId('conflict').count(), SYNC_WAIT).toBe(0);
    await expect.poll(() => incidentAt(city, contested.id)?.priority, SYNC_WAIT).toBe(4);
    await expect.poll(() => incidentAt(pingli, contested.id)?.priority, SYNC_WAIT).toBe(4);
  });
});
