// The story of DESIGN.md through the console in Chromium, across two workstations syncing with a central
// server: the city hall records a 110 burglary call in 长安镇 (Pingli) by clicking the map and sends one
// 设卡盘查 order with one key; in a second browser the Pingli substation signs and reports back from its inbox;
// the city closes the incident with a disposition. Every step is photographed.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Incident, Order } from '../../src/shared/domain/model';
import { loadRegionFile } from '../../src/main/core/region/seed';
import { startServer, type RunningServer } from '../../src/server/app';
import { COLORS } from '../../src/renderer/map/style';
import { screenshotFolder, type Shots } from './helpers/browser';
import {
  jumpMap,
  mapCanvasPng,
  mapSettled,
  openSyncedConsole,
  pointOnMap,
  type OpenConsole,
} from './helpers/console';
import { countColour, decodePng, distinctColours } from './helpers/png';

const PINGLI = '610926';
const region = loadRegionFile();
const changan = region.places.find((place) => place.name === '长安镇' && place.countyId === PINGLI);
if (!changan) throw new Error('the demo region has no 长安镇 in Pingli');
const CHANGAN = { lng: changan.location[0], lat: changan.location[1] };
/** Sync is pushed at once and pulled on the server's poke; this is only the ceiling of waiting for it. */
const SYNC_WAIT = { timeout: 20_000, interval: 200 };

let serverDir: string;
let server: RunningServer;
let city: OpenConsole;
let pingli: OpenConsole;
let shots: Shots;
// Filled in step by step; each later step needs the earlier ones.
let incident: Incident | undefined;
let order: Order | undefined;

beforeAll(async () => {
  shots = screenshotFolder('story');
  serverDir = mkdtempSync(join(tmpdir(), 'command-desk-e2e-server-'));
  // The demo server knows the demo operators and the pre-enrolled workstations ws-city and ws-610926.
  server = await startServer({ dataDir: serverDir, port: 0, demo: true });
  city = await openSyncedConsole(server.url, 'city-dispatcher');
  pingli = await openSyncedConsole(server.url, `op-${PINGLI}`);
}, 120_000);

afterAll(async () => {
  await pingli?.close();
  await city?.close();
  await server?.close();
  if (serverDir) rmSync(serverDir, { recursive: true, force: true });
});

function orderAt(desk: OpenConsole, id: string): Order | undefined {
  try {
    return desk.host.desk.query(desk.host.actor, 'order.get', { id });
  } catch {
    return undefined;
  }
}

function incidentAt(desk: OpenConsole, id: string): Incident | undefined {
  try {
    return desk.host.desk.query(desk.host.actor, 'incident.get', { id });
  } catch {
    return undefined;
  }
}

describe('the story of DESIGN.md through two synced consoles', () => {
  it('opens the city hall and the Pingli substation, both online with the server', async () => {
    for (const [desk, name] of [
      [city, 'city'],
      [pingli, 'pingli'],
    ] as const) {
      await expect
        .poll(() => desk.page.getByTestId('sync-state').textContent(), {
          ...SYNC_WAIT,
          message: `the ${name} console shows it is online with the server`,
        })
        .toMatch(/在线/);
      await mapSettled(desk.page);
      await shots.take(desk.page, `${name}-console`);
    }
    expect(await pingli.page.getByTestId('status-bar').textContent()).toContain('平利县');
  });

  it('the city records the 110 call by clicking 长安镇 on the map', async () => {
    const { page, host } = city;
    const intake = page.getByTestId('intake');
    await page.locator('[data-panel-tab="intake"]').click();
    await intake.locator('input[name="callerName"]').fill('王先生');
    await intake.locator('input[name="callerPhone"]').fill('13809150001');
    await jumpMap(page, CHANGAN, 9);
    await intake.getByRole('button', { name: /地图点选/ }).click();
    const at = await pointOnMap(page, CHANGAN);
    await page.mouse.click(at.x, at.y);
    const location = page.getByTestId('intake-location');
    await expect
      .poll(() => location.textContent(), {
        message: 'the clicked place and its county show in the intake form',
      })
      .toMatch(/平利县/);
    const [lng, lat] = ((await location.textContent()) ?? '').split(/[,\s·]+/).map(Number);
    expect(Math.abs((lng ?? 0) - CHANGAN.lng), 'picked longitude is 长安镇').toBeLessThan(0.01);
    expect(Math.abs((lat ?? 0) - CHANGAN.lat), 'picked latitude is 长安镇').toBeLessThan(0.01);
    await intake.locator('input[name="address"]').fill('平利县长安镇中心街18号');
    await intake.locator('select[name="source"]').selectOption('call_110');
    await intake.locator('select[name="category"]').selectOption('burglary');
    await intake.locator('select[name="priority"]').selectOption('1');
    await intake.locator('textarea[name="summary"]').fill('数名嫌疑人入室盗窃后驾车逃离');
    await shots.take(page, 'city-intake-filled');
    await page.getByTestId('intake-save').click();

    const list = (): Incident[] => host.desk.query(host.actor, 'incident.list', { limit: 50 }).items;
    await expect.poll(() => list().length, { message: 'the incident is in the city store' }).toBe(1);
    incident = list()[0];
    expect(incident).toMatchObject({
      countyId: PINGLI,
      category: 'burglary',
      priority: 1,
      status: 'received',
    });
    await expect
      .poll(() => page.getByTestId('incident-detail').textContent(), {
        message: 'the detail shows the incident',
      })
      .toContain(incident?.number ?? '?');
    await shots.take(page, 'city-incident-saved');
  });

  it('shows the basemap and the new incident on the map, not a blank canvas', async () => {
    const { page } = city;
    expect(incident, 'the incident was recorded').toBeDefined();
    // Far enough out to show the county border, its name and the units around the marker.
    await jumpMap(page, CHANGAN, 9.5);
    await shots.take(page, 'city-map-incident', '[data-testid="map"]');
    const file = join(shots.dir, 'city-map-incident-canvas.png');
    writeFileSync(file, await mapCanvasPng(page));
    const image = decodePng(readFileSync(file));
    const area = image.width * image.height;
    const colours = distinctColours(image);
    const county = countColour(image, COLORS.countyOwn) + countColour(image, COLORS.county);
    expect(colours, `the map canvas shows ${colours} colours: basemap, borders, markers`).toBeGreaterThan(12);
    expect(county, 'county fill covers a good part of the map').toBeGreaterThan(area * 0.1);
    expect(countColour(image, COLORS.countyLine, 12), 'county borders are drawn').toBeGreaterThan(50);
    expect(
      countColour(image, COLORS.priority[1], 8),
      'the 一级 incident marker is drawn in its red',
    ).toBeGreaterThan(30);
    expect(countColour(image, COLORS.unit.available, 8), 'the Pingli units are drawn').toBeGreaterThan(10);
  });

  it('the city drafts one 设卡盘查 order with one key, previews its targets on the map, and issues it', async () => {
    const { page, host } = city;
    expect(incident, 'the incident was recorded').toBeDefined();
    await page.keyboard.press('Escape');
    await page.getByTestId('template-checkpoint').click();
    const draft = page.getByTestId('order-draft');
    await draft.waitFor({ state: 'visible' });
    const targets = await draft.locator('.draft-targets li').allTextContents();
    expect(targets.join(' | '), 'the traffic brigade is proposed').toMatch(/交通管理大队/);
    expect(
      targets.filter((t) => /派出所/.test(t)).length,
      'police stations are proposed',
    ).toBeGreaterThanOrEqual(1);
    expect(targets.filter((t) => /卡点/.test(t)).length, 'checkpoints are proposed').toBeGreaterThanOrEqual(
      2,
    );
    await mapSettled(page);
    await shots.take(page, 'city-dispatch-preview-map', '[data-testid="map"]');
    const preview = decodePng(await mapCanvasPng(page));
    expect(
      countColour(preview, COLORS.accent, 10),
      'the proposed targets are ringed on the map',
    ).toBeGreaterThan(40);
    await shots.take(page, 'city-dispatch-preview');

    await page.getByTestId('issue-order').click();
    await draft.waitFor({ state: 'hidden' });
    const orders = host.desk.query(host.actor, 'order.list', { incidentId: incident?.id }).items;
    const rejected = host.desk
      .query(host.actor, 'sync.rejections', {})
      .map((r) => `${r.name}: ${r.error.code} ${r.error.message}`);
    expect(
      orders,
      `one order was issued for the incident (server rejections: ${rejected.join('; ') || 'none'})`,
    ).toHaveLength(1);
    order = orders[0];
    expect(order).toMatchObject({ template: 'checkpoint_search', status: 'issued' });
    expect(order?.targets.length).toBe(targets.length);
    await page.locator(`[data-order-id="${order?.id}"]`).waitFor({ state: 'visible' });
    await shots.take(page, 'city-order-issued');
  });

  it('the Pingli substation signs the order and reports back from its inbox, and the city sees it', async () => {
    expect(order, 'the order was issued').toBeDefined();
    if (!order) return;
    const issued = order;
    await expect
      .poll(() => orderAt(pingli, issued.id)?.targets.length, {
        ...SYNC_WAIT,
        message: 'the order reached the Pingli workstation through the server',
      })
      .toBe(issued.targets.length);
    const { page } = pingli;
    await page.getByTestId('inbox-tab').click();
    for (const target of issued.targets) {
      const item = page.locator(`[data-inbox="${issued.id}/${target.targetId}"]`);
      await item.getByRole('button', { name: '签收' }).click();
      await item.locator('.feedback input').fill(`${target.name}已到位，开始盘查过往车辆`);
      await item.locator('.feedback').getByRole('button', { name: '反馈' }).click();
      await expect
        .poll(() => item.locator('.chip-state').textContent(), {
          message: `${target.name} shows its feedback`,
        })
        .toBe('已反馈');
    }
    await shots.take(page, 'pingli-inbox-signed-reported');

    await expect
      .poll(() => orderAt(city, issued.id)?.targets.filter((t) => t.state === 'reported').length, {
        ...SYNC_WAIT,
        message: 'the signatures and feedback reached the city through the server',
      })
      .toBe(issued.targets.length);
    for (const target of orderAt(city, issued.id)?.targets ?? [])
      expect(target.signedAt, `${target.name} signed`).not.toBeNull();
    await city.page.locator('.orders .tabs button').first().click();
    await expect
      .poll(() => city.page.locator(`[data-order-id="${issued.id}"] .chip-state`).allTextContents(), {
        ...SYNC_WAIT,
        message: 'the city console shows every receiver reported back',
      })
      .toEqual(issued.targets.map(() => '已反馈'));
    await shots.take(city.page, 'city-sees-feedback');
  });

  it('the city closes the incident with a disposition, and Pingli sees it closed', async () => {
    const { page, host } = city;
    expect(incident, 'the incident was recorded').toBeDefined();
    if (!incident) return;
    const id = incident.id;
    const detail = page.getByTestId('incident-detail');
    await page.locator('[data-panel-tab="detail"]').click();
    await detail.locator('.status-dispatched').waitFor({ state: 'visible' });
    await detail.getByRole('button', { name: '到场' }).click();
    await detail.getByRole('button', { name: '处置完毕' }).click();
    const closeButton = detail.getByRole('button', { name: '结警' });
    expect(await closeButton.isDisabled(), 'closing needs a disposition first').toBe(true);
    await detail.getByPlaceholder('结警前填写处置结果').fill('嫌疑车辆在长安收费站卡点被截获，嫌疑人到案');
    await closeButton.click();
    await detail.locator('.status-closed').waitFor({ state: 'visible' });
    await expect
      .poll(() => detail.getByTestId('timeline').textContent(), {
        message: 'the timeline records the closing',
      })
      .toContain('结警');
    await shots.take(page, 'city-incident-closed');
    const closed = host.desk.query(host.actor, 'incident.get', { id });
    expect(closed.status).toBe('closed');
    expect(closed.disposition).toContain('到案');
    await expect
      .poll(() => incidentAt(pingli, id)?.status, {
        ...SYNC_WAIT,
        message: 'Pingli sees the incident closed',
      })
      .toBe('closed');
    expect(city.errors, 'the city page logged no errors').toEqual([]);
    expect(pingli.errors, 'the Pingli page logged no errors').toEqual([]);
  });
});
