// Keyboard-only intake to an issued order: from the first key to the issued 设卡盘查 order, the operator
// never touches the mouse (only page.keyboard is used; reading the page to know where the focus is).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshotFolder, type Shots } from './helpers/browser';
import { openConsole, type OpenConsole } from './helpers/console';

let desk: OpenConsole;
let shots: Shots;

beforeAll(async () => {
  shots = screenshotFolder('keyboard-intake-to-order');
  desk = await openConsole('city-dispatcher');
}, 90_000);

afterAll(async () => {
  await desk?.close();
});

/** The name (or, failing that, the text) of the focused element. */
function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const element = document.activeElement as (HTMLElement & { name?: string }) | null;
    if (!element || element === document.body) return '';
    return element.name || element.getAttribute('data-testid') || (element.textContent ?? '').trim();
  });
}

/** Presses Tab until the named field has the focus, as an operator would; fails if it never gets there. */
async function tabTo(page: Page, name: string): Promise<void> {
  for (let presses = 0; presses < 12; presses += 1) {
    if ((await focused(page)) === name) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached the intake field "${name}" (focus is on "${await focused(page)}")`);
}

function fieldValue(page: Page, name: string): Promise<string> {
  return page.evaluate(
    (n) => document.querySelector<HTMLInputElement>(`[data-testid="intake"] [name="${n}"]`)?.value ?? '',
    name,
  );
}

describe('keyboard-only intake to issued order', () => {
  it('records an incident and issues a 设卡盘查 order without the mouse', async () => {
    const { page, host } = desk;
    const keys = page.keyboard;
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());

    await keys.press('F2');
    expect(await focused(page), 'F2 opens intake on the caller field').toBe('callerName');
    await keys.type('李女士');
    await keys.press('Tab');
    expect(await focused(page)).toBe('callerPhone');
    await keys.type('13991500002');
    await keys.press('Tab');
    expect(await focused(page), 'the place search follows the phone').toBe('placeSearch');
    await keys.type('长安');
    // The gazetteer lists 长安镇 first; down and back up shows the arrows move the choice.
    await keys.press('ArrowDown');
    await keys.press('ArrowUp');
    await shots.take(page, 'gazetteer');
    await keys.press('Enter');
    await expect
      .poll(() => page.getByTestId('intake-location').textContent(), {
        message: '长安镇 chosen from the gazetteer',
      })
      .toMatch(/109\.28\d*, 32\.47\d*.*平利县/);

    await tabTo(page, 'address');
    await keys.press('End');
    await keys.type('中心街18号');
    await tabTo(page, 'category');
    await keys.press('ArrowDown');
    expect(await fieldValue(page, 'category'), 'arrow down picks 入室盗窃 after 盗窃').toBe('burglary');
    await tabTo(page, 'priority');
    await keys.press('ArrowUp');
    expect(await fieldValue(page, 'priority'), 'arrow up raises 二级 to 一级').toBe('1');
    await tabTo(page, 'county');
    expect(await fieldValue(page, 'county'), 'the county follows the chosen place').toBe('610926');
    await tabTo(page, 'summary');
    await keys.type('嫌疑人驾车逃离');
    await shots.take(page, 'intake-filled');
    await keys.press('Control+Enter');

    await expect
      .poll(() => host.desk.query(host.actor, 'incident.list', { limit: 10 }).total, {
        message: 'Ctrl+Enter saved the incident',
      })
      .toBe(1);
    const incident = host.desk.query(host.actor, 'incident.list', { limit: 10 }).items[0];
    expect(incident).toMatchObject({
      countyId: '610926',
      category: 'burglary',
      priority: 1,
      callerName: '李女士',
      callerPhone: '13991500002',
      address: '长安镇中心街18号',
      summary: '嫌疑人驾车逃离',
    });
    await shots.take(page, 'incident-saved');

    // Leave the field (Esc), then D for 设卡盘查; the issue button takes the focus, Enter issues.
    await keys.press('Escape');
    await keys.press('d');
    await page.getByTestId('order-draft').waitFor({ state: 'visible' });
    await expect.poll(() => focused(page), { message: 'the issue button has the focus' }).toBe('issue-order');
    await shots.take(page, 'order-draft');
    await keys.press('Enter');

    await expect
      .poll(() => host.desk.query(host.actor, 'order.list', { incidentId: incident?.id }).total, {
        message: 'Enter issued the order',
      })
      .toBe(1);
    const order = host.desk.query(host.actor, 'order.list', { incidentId: incident?.id }).items[0];
    expect(order).toMatchObject({
      template: 'checkpoint_search',
      status: 'issued',
      incidentId: incident?.id,
    });
    expect(order?.targets.length, 'the order went to the proposed receivers').toBeGreaterThanOrEqual(3);
    await page.getByTestId('order-draft').waitFor({ state: 'hidden' });
    await shots.take(page, 'order-issued');
    expect(desk.errors, 'the page logged no errors').toEqual([]);
  });
});
