// Render benchmark (`npm run bench -- render`): in headless Chromium, map pan frames per second with 10,000 and
// 50,000 incidents and 1,000 units moving once a second, in the console's map and in a bare maplibre page with
// the same style and data; and how long the console takes from page load to answering the keyboard over a
// store of 100,000 incidents.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { Desk } from '../src/main/api/desk';
import { openDatabase, type DB } from '../src/main/db/connection';
import { putIncident } from '../src/main/db/incidents';
import { actorOf, getOperator } from '../src/main/db/region';
import { putUnit } from '../src/main/db/units';
import { loadRegionFile, seedRegion } from '../src/main/core/region/seed';
import { startWebHost, type WebHost } from '../src/main/web/host';
import type { Incident, IncidentCategory, IncidentStatus, Unit } from '../src/shared/domain/model';
import { launchBrowser, type Browser } from '../tests/e2e/helpers/browser';
import { ensureTestRenderer, REPO_ROOT } from '../tests/e2e/helpers/build';
import { pick, random } from './common';

const PAN_SECONDS = 5;
/** Pans on each side, taking turns console, bare, console, bare. */
const PAN_TURNS = 2;
const UNITS = 1000;
/** Warm starts measured (the median is the figure), after one that only fills the browser's caches. */
const READY_SAMPLES = 5;
/** The city hall's everyday view: the whole of Ankang. */
const VIEW = { center: [108.95, 32.7] as [number, number], zoom: 8 };
const BARE_DIR = join(REPO_ROOT, 'test-output', 'bench', 'render-bare');

/** Records when each part of the console first shows, so a slow start can be told apart. */
const MILESTONES = `
  window.__milestones = {};
  const marks = { dock: '[data-testid="dock"]', link: '[data-testid="host-connection"].conn-open',
    queue: '.queue-body .qrow', map: '[data-map-ready="true"]' };
  const timer = setInterval(() => {
    for (const [name, selector] of Object.entries(marks))
      if (!(name in window.__milestones) && document.querySelector(selector)) window.__milestones[name] = Math.round(performance.now());
    if (Object.keys(window.__milestones).length === Object.keys(marks).length) clearInterval(timer);
  }, 5);
`;

const region = loadRegionFile();
const CATEGORIES: IncidentCategory[] = [
  'theft',
  'burglary',
  'dispute',
  'traffic_accident',
  'fraud',
  'help',
  'assault',
];

const round = (value: number, digits = 1): number => Math.round(value * 10 ** digits) / 10 ** digits;
const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const mean = (values: number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;
const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

// ---------- the store ----------

interface BenchStore {
  db: DB;
  desk: Desk;
  dir: string;
  /** What the bare page is given: the open incidents as [lng, lat, priority, open]. */
  openRows: [number, number, number, boolean][];
  units: Unit[];
  /** Adds incidents in one transaction (the store's own put, no command per row). */
  addIncidents(count: number, status: IncidentStatus): void;
  moveUnits(): void;
}

function benchStore(): BenchStore {
  const dir = mkdtempSync(join(tmpdir(), 'command-desk-bench-render-'));
  const db = openDatabase(join(dir, 'desk.sqlite'));
  seedRegion(db);
  const desk = new Desk(db);
  const next = random(4);
  const base = Date.now() - 30 * 24 * 3_600_000;
  let made = 0;
  const openRows: BenchStore['openRows'] = [];

  const addIncidents = db.transaction((count: number, status: IncidentStatus) => {
    for (let i = 0; i < count; i += 1, made += 1) {
      const place = pick(region.places, next);
      const at = base + made * 20_000;
      const priority = 1 + Math.floor(next() * 4);
      const location = {
        lng: place.location[0] + (next() - 0.5) * 0.03,
        lat: place.location[1] + (next() - 0.5) * 0.03,
      };
      const incident: Incident = {
        id: `render-${made}`,
        number: `${place.countyId}-R${made}`,
        countyId: place.countyId,
        source: 'call_110',
        category: pick(CATEGORIES, next),
        priority,
        status,
        callerName: '王先生',
        callerPhone: '13800000000',
        address: `${place.name}中心街${1 + (made % 200)}号`,
        summary: '',
        notes: '',
        location,
        receivedAt: at,
        updatedAt: at,
        disposition: status === 'closed' ? '已处置' : '',
        assignedOrgId: null,
        mergedIntoId: null,
        caseId: null,
        createdBy: `op-${place.countyId}`,
      };
      putIncident(db, incident);
      if (status !== 'closed') openRows.push([location.lng, location.lat, priority, true]);
    }
  });

  // The region's own units, then patrol cars up to a thousand, spread over the towns.
  const units: Unit[] = region.units.map((unit) => ({
    ...unit,
    status: 'available',
    location: { lng: unit.location[0], lat: unit.location[1] },
    incidentId: null,
    updatedAt: Date.now(),
  }));
  const stations = region.orgs.filter((org) => org.kind === 'station');
  for (let i = units.length; i < UNITS; i += 1) {
    const station = pick(stations, next);
    units.push({
      id: `render-unit-${i}`,
      countyId: station.countyId,
      orgId: station.id,
      kind: 'patrol_car',
      callsign: `巡${i}`,
      callsignEn: `Patrol ${i}`,
      status: 'available',
      location: {
        lng: station.location[0] + (next() - 0.5) * 0.05,
        lat: station.location[1] + (next() - 0.5) * 0.05,
      },
      incidentId: null,
      updatedAt: Date.now(),
    });
  }
  const writeUnits = db.transaction(() => units.forEach((unit) => putUnit(db, unit)));
  writeUnits();

  return {
    db,
    desk,
    dir,
    openRows,
    units,
    addIncidents: (count, status) => addIncidents(count, status),
    // As a pull from the server would: every unit moves in one transaction, and the console hears one event.
    moveUnits() {
      for (const unit of units) {
        unit.location = {
          lng: unit.location.lng + (next() - 0.5) * 0.004,
          lat: unit.location.lat + (next() - 0.5) * 0.004,
        };
        unit.updatedAt = Date.now();
      }
      writeUnits();
      const last = units[units.length - 1] as Unit;
      desk.publish({
        name: 'unit.move',
        result: last,
        input: { id: last.id, location: last.location },
        changes: units.map((unit) => ({ kind: 'unit', id: unit.id, countyIds: [unit.countyId] })),
      });
    },
  };
}

// ---------- the pages ----------

async function buildBarePage(): Promise<string> {
  const { build } = await import('vite');
  await build({
    configFile: false,
    root: join(REPO_ROOT, 'bench', 'render-bare'),
    base: './',
    publicDir: false,
    logLevel: 'warn',
    build: { outDir: BARE_DIR, emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 4000 },
  });
  return BARE_DIR;
}

interface HookWindow {
  __commandDeskTest?: {
    map: {
      panBy(offset: [number, number], options: { duration: number }): void;
      jumpTo(options: { center: [number, number]; zoom: number }): void;
      loaded(): boolean;
      getCanvas(): HTMLCanvasElement;
    };
    store?: { getState(): { incidents: Record<string, unknown> } };
    loaded?: () => Promise<void>;
    loadedAt?: () => number | null;
    setIncidents?: (rows: [number, number, number, boolean][]) => void;
    setCheckpoints?: (rows: [number, number][]) => void;
    startUnits?: (rows: [number, number][]) => void;
  };
}

/** tsx keeps function names with a helper (__name) that the page does not have; the evaluated code needs it. */
async function openBrowser(): Promise<Browser> {
  const browser = await launchBrowser({ width: 1600, height: 900 });
  await browser.context.addInitScript('globalThis.__name = globalThis.__name || ((fn) => fn);');
  await browser.context.addInitScript(MILESTONES);
  return browser;
}

/** Pans in a slow circle on every animation frame for the given time; frames per second. */
function panFps(page: Page): Promise<number> {
  return page.evaluate(
    ({ seconds, view }) =>
      new Promise<number>((resolve) => {
        const map = (window as unknown as HookWindow).__commandDeskTest?.map;
        if (!map) throw new Error('no map hook on this page');
        map.jumpTo(view);
        let first = 0;
        let frames = 0;
        let angle = 0;
        const step = (now: number): void => {
          if (first === 0) first = now;
          else frames += 1;
          angle += 0.04;
          map.panBy([Math.cos(angle) * 6, Math.sin(angle) * 6], { duration: 0 });
          if (now - first < seconds * 1000) requestAnimationFrame(step);
          else resolve((frames * 1000) / (now - first));
        };
        requestAnimationFrame(step);
      }),
    { seconds: PAN_SECONDS, view: VIEW },
  );
}

async function mapIdle(page: Page): Promise<void> {
  await page.waitForFunction(
    () => (window as unknown as HookWindow).__commandDeskTest?.map.loaded() === true,
    undefined,
    {
      timeout: 60_000,
    },
  );
  await sleep(500);
}

async function consoleFps(
  page: Page,
  host: WebHost,
  store: BenchStore,
  expected: number,
): Promise<{ fps: number; size: { w: number; h: number }; loadMs: number }> {
  await page.goto('about:blank');
  const loadStart = performance.now();
  await page.goto(host.url);
  await page.waitForFunction(
    (count) => {
      const hook = (window as unknown as HookWindow).__commandDeskTest;
      return hook?.store !== undefined && Object.keys(hook.store.getState().incidents).length >= count;
    },
    expected,
    { timeout: 600_000, polling: 250 },
  );
  const loadMs = performance.now() - loadStart;
  await page.evaluate((view) => (window as unknown as HookWindow).__commandDeskTest?.map.jumpTo(view), VIEW);
  await mapIdle(page);
  const size = await page.evaluate(() => {
    const canvas = (window as unknown as HookWindow).__commandDeskTest?.map.getCanvas();
    const panel = canvas?.closest('.map-panel');
    return {
      w: canvas?.clientWidth ?? 0,
      h: canvas?.clientHeight ?? 0,
      panel: { w: panel?.clientWidth ?? 0, h: panel?.clientHeight ?? 0 },
    };
  });
  // A map laid out wrong (its canvas not filling its panel) would draw fewer pixels and pan faster than it should.
  if (size.w < 200 || size.h < 200 || size.w !== size.panel.w || size.h !== size.panel.h)
    throw new Error(
      `the console's map canvas is ${size.w}×${size.h} in a map panel of ${size.panel.w}×${size.panel.h}: ` +
        'the map is not laid out, its frame rate would mean nothing',
    );
  const mover = setInterval(() => store.moveUnits(), 1000);
  try {
    await sleep(1200);
    return { fps: await panFps(page), size, loadMs };
  } finally {
    clearInterval(mover);
  }
}

async function bareFps(
  page: Page,
  bare: WebHost,
  store: BenchStore,
  size: { w: number; h: number },
): Promise<number> {
  await page.goto(`${bare.origin}/?w=${size.w}&h=${size.h}`);
  await page.waitForFunction(() => (window as unknown as HookWindow).__commandDeskTest?.loaded !== undefined);
  await page.evaluate(() => (window as unknown as HookWindow).__commandDeskTest?.loaded?.());
  await page.evaluate(
    ({ incidents, checkpoints, units }) => {
      const hook = (window as unknown as HookWindow).__commandDeskTest;
      hook?.setIncidents?.(incidents);
      hook?.setCheckpoints?.(checkpoints);
      hook?.startUnits?.(units);
    },
    {
      incidents: store.openRows,
      checkpoints: region.checkpoints.map((cp) => cp.location),
      units: store.units.map((unit): [number, number] => [unit.location.lng, unit.location.lat]),
    },
  );
  await page.evaluate((view) => (window as unknown as HookWindow).__commandDeskTest?.map.jumpTo(view), VIEW);
  await mapIdle(page);
  await sleep(1200);
  return panFps(page);
}

/** Page load to a console that answers F2 by putting the caret in the caller field, in ms since navigation. */
async function consoleReady(page: Page, host: WebHost): Promise<number> {
  // A fresh document each time: the console's own URL differs from host.url only by the fragment.
  await page.goto('about:blank');
  await page.goto(host.url, { waitUntil: 'commit' });
  // Ready: the map has drawn its basemap in a canvas that fills its panel, the queue shows incidents, the link
  // to the workstation is open; then F2 must put the caret in the intake's caller field.
  await page.waitForFunction(
    () =>
      (document.querySelector<HTMLCanvasElement>('[data-map-ready="true"] canvas')?.clientHeight ?? 0) >
        100 &&
      document.querySelector('.queue-body .qrow') !== null &&
      document.querySelector('[data-testid="host-connection"].conn-open') !== null,
    undefined,
    { timeout: 60_000, polling: 'raf' },
  );
  const metAt = await page.evaluate(() => {
    const w = window as unknown as { __focusAt?: number; __keyAt?: number };
    document.addEventListener('keydown', (event) => {
      if (event.key === 'F2') w.__keyAt = performance.now();
    });
    document.addEventListener(
      'focusin',
      (event) => {
        if ((event.target as HTMLInputElement).name === 'callerName') w.__focusAt = performance.now();
      },
      { once: false },
    );
    return performance.now();
  });
  await page.keyboard.press('F2');
  const at = await page.waitForFunction(
    () => (window as unknown as { __focusAt?: number }).__focusAt,
    undefined,
    {
      timeout: 30_000,
      polling: 'raf',
    },
  );
  const milestones = await page.evaluate(() => {
    const w = window as unknown as { __milestones?: object; __keyAt?: number };
    return { ...w.__milestones, keydown: Math.round(w.__keyAt ?? NaN) };
  });
  console.log(
    `  console start (ms since navigation): ${JSON.stringify({ ...milestones, seenReady: Math.round(metAt) })}`,
  );
  return (await at.jsonValue()) ?? NaN;
}

/** One warm console start recorded as a Chromium trace in `path`. */
async function traceConsoleStart(page: Page, host: WebHost, path: string): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  const events: unknown[] = [];
  cdp.on('Tracing.dataCollected', ({ value }) => events.push(...value));
  const done = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()));
  await cdp.send('Tracing.start', {
    transferMode: 'ReportEvents',
    traceConfig: {
      includedCategories: ['devtools.timeline', 'v8.execute', 'blink', 'gpu', 'toplevel', 'loading', 'v8'],
    },
  });
  const ms = await consoleReady(page, host);
  await cdp.send('Tracing.end');
  await done;
  writeFileSync(path, JSON.stringify({ traceEvents: events }));
  console.log(`trace of a warm start (${round(ms, 0)} ms, not counted): ${path}`);
}

/** Page load to the bare map's load event (style and basemap drawn), in ms since navigation. */
async function bareLoad(page: Page, bare: WebHost): Promise<number> {
  await page.goto('about:blank');
  await page.goto(`${bare.origin}/?w=741&h=520`, { waitUntil: 'commit' });
  await page.waitForFunction(() => (window as unknown as HookWindow).__commandDeskTest?.loaded !== undefined);
  return page.evaluate(async () => {
    const hook = (window as unknown as HookWindow).__commandDeskTest;
    await hook?.loaded?.();
    return hook?.loadedAt?.() ?? NaN;
  });
}

export async function runRenderBench(): Promise<Record<string, number>> {
  const rendererDir = await ensureTestRenderer();
  const bareDir = await buildBarePage();
  const store = benchStore();
  const record = getOperator(store.db, 'city-dispatcher');
  if (!record) throw new Error('the demo region has no city dispatcher');
  const actor = actorOf(record, 'ws-bench');
  const host = await startWebHost({ desk: store.desk, actor, rendererDir, supervisionMs: 0 });
  const bare = await startWebHost({ desk: store.desk, actor, rendererDir: bareDir, supervisionMs: 0 });
  let browser: Browser | null = await openBrowser();
  const figures: Record<string, number> = {};
  try {
    const page = browser.page;
    // RENDER_BENCH_SKIP_PAN=1 seeds the store without panning, to look at the start alone.
    const skipPan = process.env.RENDER_BENCH_SKIP_PAN === '1';
    for (const [label, count] of [
      ['10k', 10_000],
      ['50k', 50_000],
    ] as const) {
      if (skipPan) {
        store.addIncidents(count - store.openRows.length, 'received');
        continue;
      }
      const seedStart = performance.now();
      store.addIncidents(count - store.openRows.length, 'received');
      console.log(
        `store: ${count} open incidents, ${UNITS} units (seeded in ${round(performance.now() - seedStart, 0)} ms)`,
      );
      // Console and bare page take turns, twice: on a shared machine a single five-second pan on each side,
      // half a minute apart, measures the load of the moment as much as the page.
      const consoleRuns: number[] = [];
      const bareRuns: number[] = [];
      for (let turn = 0; turn < PAN_TURNS; turn += 1) {
        const consoleRun = await consoleFps(page, host, store, count);
        const bareRun = await bareFps(page, bare, store, consoleRun.size);
        consoleRuns.push(consoleRun.fps);
        bareRuns.push(bareRun);
        console.log(
          `pan ${label} (turn ${turn + 1} of ${PAN_TURNS}): console ${round(consoleRun.fps)} fps, ` +
            `bare maplibre ${round(bareRun)} fps (map ${consoleRun.size.w}×${consoleRun.size.h}, ${PAN_SECONDS} s, ` +
            `units moving once a second); the console took ${round(consoleRun.loadMs / 1000)} s to hold all ` +
            `${count} incidents`,
        );
      }
      figures[`fps_${label}`] = round(mean(consoleRuns));
      figures[`bare_fps_${label}`] = round(mean(bareRuns));
      console.log(
        `pan ${label}: console ${figures[`fps_${label}`]} fps, bare maplibre ${figures[`bare_fps_${label}`]} fps ` +
          `(mean of ${PAN_TURNS} turns each)`,
      );
    }
    figures.render_vs_bare = round(
      Math.min(
        (figures.fps_10k ?? 0) / (figures.bare_fps_10k ?? 1),
        (figures.fps_50k ?? 0) / (figures.bare_fps_50k ?? 1),
      ),
      2,
    );

    // History: closed incidents up to 100,000 in the store; the console opens on the open ones.
    store.addIncidents(100_000 - 50_000, 'closed');
    console.log('store: 100000 incidents (50000 open, 50000 closed)');
    const warm: number[] = [];
    const bareLoads: number[] = [];
    // Warm is the console an operator opened before on this workstation: the browser holds its files and their
    // compiled code (Chromium keeps compiled code from the second load on). Without the pans before it (the
    // RENDER_BENCH_SKIP_PAN run) the first start here would be the page's first; it is not counted.
    await consoleReady(page, host);
    await bareLoad(page, bare);
    for (let i = 0; i < READY_SAMPLES; i += 1) {
      warm.push(await consoleReady(page, host));
      bareLoads.push(await bareLoad(page, bare));
    }
    // RENDER_BENCH_TRACE=<file.json> records a Chromium trace of one more warm start (not counted), for
    // chrome://tracing or a script: where the start's time goes, thread by thread.
    const tracePath = process.env.RENDER_BENCH_TRACE;
    if (tracePath) await traceConsoleStart(page, host, tracePath);
    figures.bare_map_load_ms = round(median(bareLoads), 0);
    console.log(
      `bare maplibre page, load to map loaded (same style and basemap, no data): ` +
        `${bareLoads.map((ms) => round(ms, 0)).join(', ')} ms, median ${figures.bare_map_load_ms} ms`,
    );
    await browser.close();
    browser = await openBrowser();
    const cold = await consoleReady(browser.page, host);
    figures.console_ready_ms = round(median(warm), 0);
    figures.console_ready_cold_ms = round(cold, 0);
    console.log(
      `console ready (page load to F2 answered): ${warm.map((ms) => round(ms, 0)).join(', ')} ms warm, ` +
        `median ${figures.console_ready_ms} ms; ${figures.console_ready_cold_ms} ms in a fresh browser profile`,
    );
    console.log(
      `render_vs_bare (worse of 10k and 50k): ${figures.render_vs_bare} (aim ≥ 0.8); console_ready aim < 2000 ms`,
    );
  } finally {
    await browser?.close();
    await host.close();
    await bare.close();
    store.db.close();
    rmSync(store.dir, { recursive: true, force: true });
  }
  return {
    fps_10k: figures.fps_10k ?? NaN,
    fps_50k: figures.fps_50k ?? NaN,
    bare_fps_10k: figures.bare_fps_10k ?? NaN,
    bare_fps_50k: figures.bare_fps_50k ?? NaN,
    render_vs_bare: figures.render_vs_bare ?? NaN,
    console_ready_ms: figures.console_ready_ms ?? NaN,
    console_ready_cold_ms: figures.console_ready_cold_ms ?? NaN,
    bare_map_load_ms: figures.bare_map_load_ms ?? NaN,
  };
}
