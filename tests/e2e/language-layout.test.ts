// Language switch (zh-CN by default, English, and back) changes what the operator reads; the docked layout
// and the language an operator chose are still there after a reload.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshotFolder, type Shots } from './helpers/browser';
import { openConsole, waitForConsole, type OpenConsole } from './helpers/console';

let desk: OpenConsole;
let shots: Shots;

beforeAll(async () => {
  shots = screenshotFolder('language-and-layout');
  desk = await openConsole('op-610926');
}, 90_000);

afterAll(async () => {
  await desk?.close();
});

const CJK = /[\u3400-\u9fff]/;

function tabTitles(page: Page): Promise<string[]> {
  return page.locator('[data-panel-tab]').allTextContents();
}

/**
 * The console's own words (panel tabs, buttons, field labels, placeholders, hints), leaving out data such as
 * incident addresses and organisation names, which stay as recorded.
 */
function interfaceWords(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const words: string[] = [];
    const own = (element: Element): string =>
      [...element.childNodes]
        .filter((node) => node.nodeType === Node.TEXT_NODE)
        .map((node) => node.textContent ?? '')
        .join('')
        .trim();
    for (const element of document.querySelectorAll(
      '.slot-head button, .orders-bar button, .tabs button, label, .muted, .map-legend, .map-toolbar button, .statusbar button',
    ))
      if (own(element)) words.push(own(element));
    for (const element of document.querySelectorAll<HTMLInputElement>(
      'input[placeholder], textarea[placeholder]',
    ))
      if (element.placeholder) words.push(element.placeholder);
    return words;
  });
}

function layoutOf(page: Page): Promise<{ columns: string; collapsed: string[]; rows: string[] }> {
  return page.evaluate(() => ({
    columns: document.querySelector<HTMLElement>('[data-testid="dock"]')?.style.gridTemplateColumns ?? '',
    collapsed: [...document.querySelectorAll('.slot.collapsed')].map(
      (slot) => slot.getAttribute('data-slot') ?? '',
    ),
    rows: [...document.querySelectorAll<HTMLElement>('.dock .column')].map(
      (column) => column.style.gridTemplateRows,
    ),
  }));
}

describe('language and layout', () => {
  it('starts in Chinese, switches to English everywhere, and back', async () => {
    const { page } = desk;
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    expect(await tabTitles(page)).toEqual(expect.arrayContaining(['警情队列', '态势地图', '指令中心']));
    await shots.take(page, 'chinese');

    await page.getByTestId('language').selectOption('en');
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('en');
    expect(await tabTitles(page)).toEqual(
      expect.arrayContaining(['Incident queue', 'Map', 'Orders', 'Units']),
    );
    expect(await page.title()).toBe('Command Desk');
    const words = await interfaceWords(page);
    expect(words.length, 'the check reads the console labels, not an empty page').toBeGreaterThan(30);
    const untranslated = words.filter((text) => CJK.test(text));
    expect(untranslated, 'every label, button and hint is in English').toEqual([]);
    const statusBar = (await page.getByTestId('status-bar').textContent()) ?? '';
    expect(statusBar, 'the status bar names the bureau in English').toMatch(/Pingli/);
    await shots.take(page, 'english');

    await page.getByTestId('language').selectOption('zh-CN');
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    expect(await tabTitles(page)).toEqual(expect.arrayContaining(['警情队列', '态势地图', '指令中心']));
  });

  it('keeps a resized column, a collapsed slot and the chosen language after reload', async () => {
    const { page } = desk;
    const before = await layoutOf(page);
    // Drag the border between the left and centre columns 200 px to the right.
    const splitter = page.locator('.dock > .splitter.col').first();
    const box = await splitter.boundingBox();
    if (!box) throw new Error('the column splitter is not on screen');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + 100, box.y + box.height / 2, { steps: 5 });
    await page.mouse.move(box.x + 200, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await page.getByTestId('collapse-right-bottom').click();
    await page.getByTestId('language').selectOption('en');
    const changed = await layoutOf(page);
    expect(changed.columns, 'the drag widened the left column').not.toBe(before.columns);
    expect(changed.collapsed).toEqual(['right-bottom']);
    await shots.take(page, 'arranged');

    await page.reload();
    await waitForConsole(page);
    const after = await layoutOf(page);
    expect(after, 'the layout survived the reload').toEqual(changed);
    expect(await page.evaluate(() => document.documentElement.lang), 'the language survived the reload').toBe(
      'en',
    );
    await shots.take(page, 'after-reload');
    expect(desk.errors, 'the page logged no errors').toEqual([]);
  });
});
