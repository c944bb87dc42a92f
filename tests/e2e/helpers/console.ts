// Starts a browser-mode host on a fresh data folder (the demo region is seeded on first start) and opens the
// console in Chromium, signed in as a demo operator; plus the few page helpers the e2e tests share.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { LngLat } from '../../../src/shared/domain/model';
import { openWorkstation } from '../../../src/main/host';
import type { SyncClient } from '../../../src/main/sync/client';
import { hostSyncOptions, startSync } from '../../../src/main/sync/start';
import { startWebHost, type WebHost } from '../../../src/main/web/host';
import { launchBrowser, type Browser } from './browser';
import { ensureTestRenderer } from './build';

/** What a test build of the console puts on window (see MapPanel): the maplibre map, typed as far as used. */
interface HookWindow {
  __commandDeskTest?: {
    map: {
      project(at: [number, number]): { x: number; y: number };
      loaded(): boolean;
      isMoving(): boolean;
      redraw(): void;
      getCanvas(): HTMLCanvasElement;
      jumpTo(options: { center: [number, number]; zoom: number }): void;
    };
  };
}

export interface OpenConsole extends Browser {
  host: WebHost;
  dataDir: string;
}

export async function startHost(operatorId: string): Promise<{ host: WebHost; dataDir: string }> {
  const rendererDir = await ensureTestRenderer();
  const dataDir = mkdtempSync(join(tmpdir(), 'command-desk-e2e-'));
  const host = await startWebHost({ dataDir, operatorId, rendererDir, supervisionMs: 0 });
  return { host, dataDir };
}

/** A host for this operator and a browser showing its console, ready to use. */
export async function openConsole(operatorId: string): Promise<OpenConsole> {
  const { host, dataDir } = await startHost(operatorId);
  const browser = await launchBrowser();
  await browser.page.goto(host.url);
  await waitForConsole(browser.page);
  return {
    ...browser,
    host,
    dataDir,
    async close() {
      await browser.close();
      await host.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A workstation that syncs with a central server, as `npm run start:web -- --server <url>` starts it: its own
 * store, the demo workstation of the operator's jurisdiction (ws-city or ws-<county>), and its console.
 */
export async function openSyncedConsole(serverUrl: string, operatorId: string): Promise<OpenConsole> {
  const rendererDir = await ensureTestRenderer();
  const dataDir = mkdtempSync(join(tmpdir(), 'command-desk-e2e-'));
  const workstation = openWorkstation({ dataDir });
  let client: SyncClient | null = null;
  let host: WebHost | null = null;
  try {
    const options = hostSyncOptions(serverUrl, workstation.actor(operatorId), {});
    client = (await startSync(workstation, { ...options, backoff: { baseMs: 100, capMs: 1000 } })).client;
    host = await startWebHost({
      desk: workstation.desk,
      actor: client.actorFor(operatorId),
      rendererDir,
      supervisionMs: 0,
    });
    const browser = await launchBrowser();
    await browser.page.goto(host.url);
    await waitForConsole(browser.page);
    const started = { host, client };
    return {
      ...browser,
      host,
      dataDir,
      async close() {
        await browser.close();
        await started.client.stop();
        await started.host.close();
        workstation.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await client?.stop();
    await host?.close();
    workstation.close();
    throw error;
  }
}

/** The docked panels are up, the link to the workstation is open and the map has loaded its style. */
export async function waitForConsole(page: Page): Promise<void> {
  await page.locator('[data-testid="dock"]').waitFor({ timeout: 30_000 });
  await page.locator('[data-map-ready="true"]').waitFor({ state: 'attached', timeout: 30_000 });
  await page.locator('[data-testid="host-connection"].conn-open').waitFor({ timeout: 10_000 });
}

/** Where a place is on the page, through the map hook a test build of the console exposes. */
export async function pointOnMap(page: Page, at: LngLat): Promise<{ x: number; y: number }> {
  const projected = await page.evaluate(
    ([lng, lat]) => {
      const hook = (window as unknown as HookWindow).__commandDeskTest;
      if (!hook) throw new Error('the console was not built with the test hook (vite --mode test)');
      return hook.map.project([lng, lat]);
    },
    [at.lng, at.lat] as const,
  );
  const box = await page.locator('[data-testid="map"]').boundingBox();
  if (!box) throw new Error('the map panel is not visible');
  return { x: box.x + projected.x, y: box.y + projected.y };
}

/** Resolves once the map has drawn everything it was given (no tiles or sources still loading). */
export async function mapSettled(page: Page): Promise<void> {
  await page.waitForFunction(
    () => {
      const hook = (window as unknown as HookWindow).__commandDeskTest;
      return hook !== undefined && hook.map.loaded() && !hook.map.isMoving();
    },
    undefined,
    { timeout: 15_000 },
  );
  // Two frames so the last setData has been painted, not only parsed.
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
}

/** The map's own pixels (no HTML legend or buttons over them), drawn now and read back as a PNG. */
export async function mapCanvasPng(page: Page): Promise<Buffer> {
  const dataUrl = await page.evaluate(() => {
    const hook = (window as unknown as HookWindow).__commandDeskTest;
    if (!hook) throw new Error('the console was not built with the test hook (vite --mode test)');
    // A synchronous redraw leaves the frame in the drawing buffer for toDataURL in the same task.
    hook.map.redraw();
    return hook.map.getCanvas().toDataURL('image/png');
  });
  return Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64');
}

/** Moves the map without animation (test build only). */
export async function jumpMap(page: Page, at: LngLat, zoom: number): Promise<void> {
  await page.evaluate(
    ([lng, lat, z]) => {
      const hook = (window as unknown as HookWindow).__commandDeskTest;
      hook?.map.jumpTo({ center: [lng, lat], zoom: z });
    },
    [at.lng, at.lat, zoom] as const,
  );
  await mapSettled(page);
}
