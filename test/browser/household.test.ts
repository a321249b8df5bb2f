/**
 * Household in a real browser (Debian's Chromium): the father of seven, whose
 * family's benefits are paid to his wife, sees them in "Benefits for your
 * children", paid to his spouse, with the children's names; in Estonian (the
 * default) and in English; axe-core clean; screenshots in test/artifacts/.
 */
import { existsSync } from 'node:fs';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personaByRole } from '../../seed/personas.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';
import { CHROMIUM, DESKTOP, axeViolations, launchBrowser, screenshot } from './browser.ts';

const father = personaByRole('large-family');

let system: TestSystem;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}`);
  system = await startTestSystem();
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: DESKTOP, locale: 'et-EE' });
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
  await system?.close();
});

describe('household: the father of seven', () => {
  it('sees the child allowance his wife receives for their children, in Estonian and in English', async () => {
    const { data } = await system.query<{ me: { wards: { givenName: string }[] } }>({ query: '{ me { wards { givenName } } }', as: { sub: father.id, client: 'citizen-portal' }, purpose: 'self-service' });
    const names = data!.me.wards.map((w) => w.givenName);
    expect(names.length).toBeGreaterThanOrEqual(5);

    const page = await context.newPage();
    await page.goto(`http://localhost:${system.gateway.port}/`);
    await page.locator('button.sign-in-button').click();
    await page.waitForURL((url) => url.port === String(system.identityProvider.port));
    await page.locator('button.persona', { hasText: father.name }).click();
    const panel = page.getByRole('region', { name: 'Teie laste toetused' });
    const allowance = panel.locator('li[data-programme="child-allowance"]');
    await allowance.first().waitFor();
    await expect(allowance.first().getAttribute('data-paid-to')).resolves.toBe('partner');
    const text = (await allowance.first().textContent()) ?? '';
    expect(text).toContain('Lapsetoetus');
    expect(text).toContain('makstakse Teie abikaasale');
    expect(text).toMatch(/\d\s€ kuus/);
    for (const name of names) expect(text).toContain(name);
    // His own benefits panel still says truthfully that nothing is paid to him.
    await expect(page.getByRole('region', { name: 'Toetused', exact: true }).locator('li[data-programme="child-allowance"]').count()).resolves.toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await panel.scrollIntoViewIfNeeded();
    await screenshot(page, 'portal-household-large-family-et');

    await page.getByRole('button', { name: 'In English', exact: true }).click();
    const english = page.getByRole('region', { name: 'Benefits for your children' });
    await english.locator('li[data-programme="child-allowance"]', { hasText: 'paid to your spouse' }).waitFor();
    await expect(english.textContent()).resolves.toMatch(/€[\d,]+\.\d\d a month/);
    const body = (await page.locator('body').textContent()) ?? '';
    expect(body).not.toMatch(/benefitsPaidFor|paidTo|CHILD_ALLOWANCE|child-allowance/);
    await screenshot(page, 'portal-household-large-family-en');
  });
});
