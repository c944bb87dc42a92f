// Debian's Chromium driven by playwright-core: checks the system packages are there, launches a headless
// browser on a fresh profile, and gives each test a screenshot folder it prints.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT } from './build';

export const CHROMIUM = '/usr/bin/chromium';
const INSTALL_HINT = 'apt-get install -y chromium fonts-noto-cjk';

/** Throws (never skips) when the browser or the CJK fonts the console draws with are missing. */
export function assertBrowserPrerequisites(): void {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}; the end-to-end tests need it: ${INSTALL_HINT}`,
    );
  let fonts = '';
  try {
    fonts = execFileSync('fc-list', [':lang=zh-cn', 'family'], { encoding: 'utf8' });
  } catch {
    fonts = '';
  }
  if (!/Noto (Sans|Serif) CJK/i.test(fonts))
    throw new Error(
      `The Noto CJK fonts are not installed, so Chinese labels cannot be drawn: ${INSTALL_HINT}`,
    );
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught page errors seen so far. */
  errors: string[];
  close(): Promise<void>;
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchBrowser(viewport = { width: 1600, height: 900 }): Promise<Browser> {
  assertBrowserPrerequisites();
  const profile = mkdtempSync(join(tmpdir(), 'command-desk-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    locale: 'zh-CN',
    args: CHROMIUM_ARGS,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console error: ${message.text()}`);
  });
  return {
    context,
    page,
    errors,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export interface Shots {
  dir: string;
  /** Saves a numbered screenshot of the page (or of one element) and returns its path. */
  take(page: Page, name: string, selector?: string): Promise<string>;
}

/** test-output/e2e/<test>/, emptied and announced so a failure can be looked at. */
export function screenshotFolder(test: string): Shots {
  const dir = join(REPO_ROOT, 'test-output', 'e2e', test);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  console.log(`screenshots of "${test}": ${dir}`);
  return {
    dir,
    async take(page, name, selector) {
      const file = join(dir, `${String(readdirSync(dir).length + 1).padStart(2, '0')}-${name}.png`);
      if (selector) await page.locator(selector).screenshot({ path: file });
      else await page.screenshot({ path: file });
      return file;
    },
  };
}
