/**
 * Signing in and out through the identity provider, in Chromium: every
 * persona through the provider's own login page; a session that ends while
 * the person reads (a short token lifetime here) warns first, can be
 * extended, and otherwise ends in a plain "signed out, sign in again" page;
 * signing out ends the provider's session too; the console signs in as the
 * privacy officer at the highest assurance.
 */
import { decodeJwt } from 'jose';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { citizenPersonas, personaByRole } from '../../seed/personas.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';
import { DESKTOP, launchBrowser } from './browser.ts';

const mother = personaByRole('newborn-mother');
const officer = personaByRole('privacy-officer');
/** Short enough to see the end of a session within a test: the warning comes at a third of it. */
const TOKEN_SECONDS = 15;

let system: TestSystem;
let browser: Browser;
let base: string;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  system = await startTestSystem({ identityProvider: { accessTokenSeconds: TOKEN_SECONDS } });
  base = `http://localhost:${system.gateway.port}`;
  browser = await launchBrowser();
});
afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => {});
  await browser?.close();
  await system?.close();
});

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: DESKTOP, locale: 'et-EE' });
  contexts.push(context);
  return context.newPage();
}

const atProvider = (page: Page) => page.waitForURL((url) => url.port === String(system.identityProvider.port));

async function signInAs(page: Page, name: string, path = '/') {
  await page.goto(`${base}${path}`);
  await page.locator('button.sign-in-button').click();
  await atProvider(page);
  await page.locator('button.persona', { hasText: name }).click();
}

const sessionOf = (page: Page, app: string) => page.evaluate((key) => JSON.parse(sessionStorage.getItem(key) ?? 'null') as { token: string; name: string; refreshToken?: string } | null, `citizen-graph.${app}.session`);

describe('sign-in through the provider', () => {
  for (const persona of citizenPersonas()) {
    it(`${persona.role} signs in on the provider's login page and is greeted by name`, async () => {
      const page = await newPage();
      await signInAs(page, persona.name);
      await page.getByRole('heading', { level: 1, name: /^Tere, / }).waitFor();
      const session = await sessionOf(page, 'portal');
      // The name from the ID token, with its letters intact; the access token the gateway verified.
      expect(session?.name).toBe(persona.name);
      expect(decodeJwt(session!.token)).toMatchObject({ sub: persona.id, client_id: 'citizen-portal', actor: 'citizen', acr: 'substantial', iss: system.identityProvider.issuer });
      await page.context().close();
    });
  }

  it('the console signs the privacy officer in at high assurance, with her entitlement', async () => {
    const page = await newPage();
    await signInAs(page, officer.name, '/console');
    await page.locator('table.matrix').waitFor();
    const session = await sessionOf(page, 'console');
    expect(decodeJwt(session!.token)).toMatchObject({ sub: officer.id, client_id: 'privacy-console', actor: 'staff', acr: 'high', entitlements: ['dpo:privacy-officer'] });
  });

  it('keeps tokens per tab: another tab of the same browser has no session of its own', async () => {
    const page = await newPage();
    await signInAs(page, mother.name);
    await page.getByRole('heading', { level: 1, name: /^Tere, / }).waitFor();
    const other = await page.context().newPage();
    await other.goto(`${base}/`);
    await other.locator('button.sign-in-button').waitFor();
    expect(await sessionOf(other, 'portal')).toBeNull();
  });
});

describe('the end of a session', () => {
  it('warns before the session ends, extends it on request, and ends in "signed out, sign in again" when not extended', async () => {
    const page = await newPage();
    await signInAs(page, mother.name);
    await page.getByRole('heading', { level: 1, name: /^Tere, / }).waitFor();
    const first = await sessionOf(page, 'portal');
    expect(first?.refreshToken).toBeTruthy();
    const warning = page.getByRole('complementary', { name: 'Seanss' });
    await warning.waitFor({ timeout: TOKEN_SECONDS * 1000 });
    expect(await warning.textContent()).toMatch(/Teie seanss lõpeb \d+ sekundi pärast/);
    await warning.getByRole('button', { name: 'Jää sisse logituks' }).click();
    await warning.waitFor({ state: 'detached' });
    const extended = await sessionOf(page, 'portal');
    expect(extended?.token).not.toBe(first?.token);
    expect(decodeJwt(extended!.token).exp).toBeGreaterThan(decodeJwt(first!.token).exp!);
    // The same sign-in, at the same level: the portal goes on reading with the new token.
    expect(decodeJwt(extended!.token)).toMatchObject({ sub: mother.id, acr: 'substantial', actor: 'citizen' });
    // Not extended this time: the session ends mid-visit, in a plain page, not in token errors.
    await page.getByRole('heading', { level: 1, name: 'Te olete välja logitud' }).waitFor({ timeout: (TOKEN_SECONDS + 5) * 1000 });
    expect(await page.locator('body').textContent()).not.toMatch(/token|UNAUTHENTICATED|expired/i);
    expect(await sessionOf(page, 'portal')).toBeNull();
    await page.getByRole('button', { name: 'Logi uuesti sisse' }).click();
    // The provider still knows her: signing in again is one click, no login page.
    await page.locator('button.sign-in-button').click();
    await page.getByRole('heading', { level: 1, name: /^Tere, / }).waitFor();
  });

  it('signing out ends the session at the provider too', async () => {
    const page = await newPage();
    await signInAs(page, mother.name);
    await page.getByRole('heading', { level: 1, name: /^Tere, / }).waitFor();
    await page.getByRole('button', { name: 'Logi välja' }).click();
    await page.waitForURL(`${base}/`);
    await page.locator('button.sign-in-button').click();
    // The provider asks again who signs in.
    await atProvider(page);
    await page.locator('button.persona').first().waitFor();
  });
});
