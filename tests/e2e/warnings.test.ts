// The warning (预警) of DESIGN.md's story through two synced consoles in Chromium: the city hall puts the van's
// plate on the watch list from the warnings panel; the Pingli substation enters the checkpoint's check of the plate
// (录入盘查); the warning is raised on the Pingli console and, through the server, on the city's — in the alarm
// banner, on the map at the checkpoint, and in the warnings list — and is signed for and handled from the list.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Warning } from '../../src/shared/domain/model';
import { loadRegionFile } from '../../src/main/core/region/seed';
import { startServer, type RunningServer } from '../../src/server/app';
import { COLORS } from '../../src/renderer/map/style';
import { screenshotFolder, type Shots } from './helpers/browser';
import { jumpMap, mapCanvasPng, mapSettled, openSyncedConsole, type OpenConsole } from './helpers/console';
import { countColour, decodePng } from './helpers/png';

const PINGLI = '610926';
const PLATE = '陕G7M352';
const CHECKPOINT_ID = '610926-CP-02';
const region = loadRegionFile();
const checkpoint = region.checkpoints.find((cp) => cp.id === CHECKPOINT_ID);
if (!checkpoint) throw new Error(`the demo region has no checkpoint ${CHECKPOINT_ID}`);
const AT = { lng: checkpoint.location[0], lat: checkpoint.location[1] };
const SYNC_WAIT = { timeout: 20_000, interval: 200 };

let serverDir: string;
let server: RunningServer;
let city: OpenConsole;
let pingli: OpenConsole;
let shots: Shots;
let warning: Warning | undefined;

beforeAll(async () => {
  shots = screenshotFolder('warnings');
  serverDir = mkdtempSync(join(tmpdir(), 'command-desk-e2e-server-'));
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

function warningsAt(desk: OpenConsole): Warning[] {
  return desk.host.desk.query(desk.host.actor, 'warning.list', {}).items;
}

/** Pixels of a warning level's colour on the map canvas, with the map at the checkpoint. */
async function warningPixels(desk: OpenConsole, level: 1 | 2 | 3): Promise<number> {
  await jumpMap(desk.page, AT, 10.5);
  return countColour(decodePng(await mapCanvasPng(desk.page)), COLORS.warning[level], 6);
}

describe('a watch-list warning through two synced consoles', () => {
  it('the city puts the plate on the city-wide watch list from the warnings panel', async () => {
    const { page, host } = city;
    await expect
      .poll(() => page.getByTestId('sync-state').textContent(), {
        ...SYNC_WAIT,
        message: 'the city is online',
      })
      .toMatch(/在线/);
    await page.keyboard.press('w');
    const panel = page.getByTestId('warnings-panel');
    await panel.waitFor({ state: 'visible' });
    await panel.getByTestId('watch-tab').click();
    const form = panel.getByTestId('watch-form');
    await form.locator('select[name="kind"]').selectOption('plate');
    await form.locator('input[name="value"]').fill('陕g 7m352');
    await form.locator('select[name="level"]').selectOption('1');
    await form.locator('input[name="label"]').fill('白色五菱面包车');
    await form.locator('input[name="reason"]').fill('长安镇入室盗窃案嫌疑车辆');
    await form.locator('select[name="countyId"]').selectOption('610900');
    await form.getByRole('button', { name: '添加布控' }).click();
    await expect
      .poll(() => host.desk.query(host.actor, 'watch.list', {}).items.map((e) => [e.value, e.countyId]), {
        message: 'the entry is on the city’s watch list, normalised',
      })
      .toEqual([[PLATE, '610900']]);
    await panel.locator('[data-watch-id]').first().waitFor({ state: 'visible' });
    expect(await panel.locator('[data-watch-id]').first().textContent()).toContain(PLATE);
    await shots.take(page, 'city-watch-list');
  });

  it('Pingli enters the checkpoint’s check of the plate and sees the warning at once', async () => {
    const { page, host } = pingli;
    await expect
      .poll(() => host.desk.query(host.actor, 'watch.list', {}).total, {
        ...SYNC_WAIT,
        message: 'the city-wide entry reached Pingli',
      })
      .toBe(1);
    await page.locator('[data-panel-tab="warnings"]').click();
    const panel = page.getByTestId('warnings-panel');
    await panel.getByTestId('check-tab').click();
    const form = panel.getByTestId('check-form');
    await form.locator('select[name="checkpointId"]').selectOption(CHECKPOINT_ID);
    await form.locator('input[name="plate"]').fill('陕G·7M 352');
    await form.locator('input[name="note"]').fill('白色面包车，车内三名男子');
    await shots.take(page, 'pingli-check-entered');
    await form.getByRole('button', { name: '录入盘查' }).click();

    await expect.poll(() => warningsAt(pingli).length, { message: 'the check raised a warning' }).toBe(1);
    warning = warningsAt(pingli)[0];
    expect(warning).toMatchObject({ checkpointId: CHECKPOINT_ID, value: PLATE, level: 1, status: 'new' });
    const banner = page.getByTestId('alarm-banner');
    await banner.waitFor({ state: 'visible' });
    expect(await banner.textContent()).toContain(
      `红色预警：G6911安来高速长安收费站卡点 盘查命中车辆 ${PLATE}`,
    );
    await panel.getByTestId('warnings-tab').click();
    await page.locator(`[data-warning-id="${warning?.id}"]`).waitFor({ state: 'visible' });
    await mapSettled(page);
    await shots.take(page, 'pingli-warning-raised');
  });

  it('the warning reaches the city: alarm, a red symbol at the checkpoint on the map, and the list', async () => {
    const { page } = city;
    expect(warning, 'Pingli raised the warning').toBeDefined();
    await expect
      .poll(() => warningsAt(city).map((w) => w.id), {
        ...SYNC_WAIT,
        message: 'the warning reached the city',
      })
      .toEqual([warning?.id]);
    const banner = page.getByTestId('alarm-banner');
    await banner.waitFor({ state: 'visible' });
    expect(await banner.textContent(), 'the city console raises the alarm').toContain('红色预警');
    await banner.locator('.alarm-text-btn').click();
    const row = page.locator(`[data-warning-id="${warning?.id}"]`);
    await row.waitFor({ state: 'visible' });
    expect(await row.getAttribute('class'), 'the alarm leads to the warning, selected').toContain('selected');
    expect(await row.textContent()).toContain(PLATE);
    expect(
      await page.getByTestId('warning-ring').count(),
      'a pulsing ring while nobody has signed for it',
    ).toBe(1);
    expect(await warningPixels(city, 1), 'the red warning symbol is drawn at the checkpoint').toBeGreaterThan(
      40,
    );
    await shots.take(page, 'city-warning-map', '[data-testid="map"]');
    await shots.take(page, 'city-warning-raised');
  });

  it('the city signs for it and Pingli handles it; both see it handled, and the ring stops', async () => {
    expect(warning, 'Pingli raised the warning').toBeDefined();
    if (!warning) return;
    const id = warning.id;
    const cityRow = city.page.locator(`[data-warning-id="${id}"]`);
    await cityRow.getByRole('button', { name: '签收' }).click();
    await expect
      .poll(() => cityRow.locator('.wstate-acknowledged').count(), {
        message: 'the city shows it signed for',
      })
      .toBe(1);
    await expect
      .poll(() => warningsAt(pingli)[0]?.status, { ...SYNC_WAIT, message: 'Pingli sees it signed for' })
      .toBe('acknowledged');

    const pingliRow = pingli.page.locator(`[data-warning-id="${id}"]`);
    await pingliRow.locator('.feedback input').fill('嫌疑车辆已拦停，三人控制');
    await pingliRow.getByRole('button', { name: '处置' }).click();
    await expect
      .poll(() => warningsAt(city)[0]?.status, { ...SYNC_WAIT, message: 'the city sees it handled' })
      .toBe('handled');
    await expect
      .poll(() => city.page.getByTestId('warning-ring').count(), { message: 'the ring stops once handled' })
      .toBe(0);
    await city.page.getByTestId('warnings-panel').getByRole('button', { name: /^全部/ }).click();
    await expect
      .poll(() => cityRow.textContent(), { message: 'the city list shows who handled it and how' })
      .toContain('嫌疑车辆已拦停，三人控制');
    await shots.take(city.page, 'city-warning-handled');
    expect(city.errors, 'the city page logged no errors').toEqual([]);
    expect(pingli.errors, 'the Pingli page logged no errors').toEqual([]);
  });
});
