/**
 * Consent in a real browser (Debian's Chromium through playwright-core)
 * against the real system: a partner sends a person to the consent page, the
 * person signs in and agrees, is sent back with the consent's id, the partner
 * reads; the person withdraws it in the portal's Consents section after a
 * confirmation, and the partner's very next read gets nothing. A return
 * address the partner did not register shows nothing to agree to.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personaByRole } from '../../seed/personas.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';
import { axeViolations, launchBrowser, screenshot } from './browser.ts';

// Only this file gives consents for her (other files use other personas).
const single = personaByRole('single-parent');
const RETURN = 'https://bank.example/loans/consent-return';
const consentUrl = (base: string, returnUrl = RETURN, lang = 'en') =>
  `${base}/consent?client=partner-bank&purpose=loan-affordability&return=${encodeURIComponent(returnUrl)}&lang=${lang}`;

let system: TestSystem;
let grantedId: string | undefined;
let browser: Browser;
let base: string;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  system = await startTestSystem();
  base = `http://localhost:${system.gateway.port}`;
  browser = await launchBrowser();
});
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await system?.close();
});

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB', acceptDownloads: true });
  contexts.push(context);
  // The bank's own page is not part of this system: answered here.
  await context.route('https://bank.example/**', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>Bank</title><h1>Back at the bank</h1>' }));
  return context.newPage();
}

/** Sign-in through the (development) identity provider's page, choosing a persona there. */
async function signInAt(page: Page, name: string) {
  await page.locator('button.sign-in-button').click();
  await page.waitForURL((url) => url.port === String(system.identityProvider.port));
  await page.locator('button.persona', { hasText: name }).click();
}

async function partnerReads(id: string) {
  return system.query<{ citizen: { givenName: string | null; annualIncome: number | null } | null }>({
    query: 'query LoanCheck($id: ID!) { citizen(id: $id) { givenName annualIncome } }',
    variables: { id },
    token: await system.token('partner-bank', 'partner-bank'),
    purpose: 'loan-affordability',
    caseRef: 'LOAN-BROWSER-1',
  });
}

const norm = (text: string | null) => (text ?? '').replace(/\s+/g, ' ');

describe('consent page and Consents section', () => {
  it('grants on the consent page, returns to the partner, lists the read, and withdraws after a confirmation', async () => {
    const before = await partnerReads(single.id);
    expect(before.data?.citizen ?? null).toBeNull();

    const page = await newPage();
    await page.goto(consentUrl(base));
    await page.getByRole('heading', { name: 'Partner bank (loan applications) asks for your consent' }).waitFor();
    const explanation = norm(await page.locator('.consent-explanation').textContent());
    expect(explanation).toContain('may read your personal code, given name, family name, taxable income of a year and income by year. Nothing else.');
    expect(explanation).toContain('whether you can afford the loan you applied for');
    expect(explanation).toMatch(/at most 366 days/);
    expect(explanation).not.toMatch(/Citizen\.|Income\.|loan-affordability/);

    // Through the identity provider and back: the portal returns the person to this consent page.
    await signInAt(page, single.name);
    const agree = page.getByRole('button', { name: 'I agree: Partner bank (loan applications) may read this data' });
    await agree.waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'consent-page-en');
    await agree.click();
    const granted = page.locator('[data-consent-granted]');
    await granted.waitFor();
    const consentId = (await granted.getAttribute('data-consent-granted'))!;
    expect(consentId).toMatch(/^[0-9a-f-]{36}$/);
    grantedId = consentId;
    await page.getByRole('link', { name: 'Back to Partner bank (loan applications)' }).click();
    await page.waitForURL(/^https:\/\/bank\.example\//);
    const back = new URL(page.url());
    expect(`${back.origin}${back.pathname}`).toBe(RETURN);
    expect(back.searchParams.get('consent')).toBe(consentId);
    expect(back.searchParams.get('status')).toBe('granted');

    const read = await partnerReads(single.id);
    expect(read.data?.citizen?.givenName).toEqual(expect.any(String));

    // The person's portal: the consent, what it allows, until when, the read it made.
    await page.goto(`${base}/?lang=en`);
    const item = page.locator(`li[data-consent="${consentId}"]`);
    await item.waitFor();
    const text = norm(await item.textContent());
    expect(text).toContain('Partner bank (loan applications)');
    expect(text).toContain('valid');
    expect(text).toContain('May read: personal code, given name, family name, taxable income of a year and income by year.');
    expect(text).toContain('case LOAN-BROWSER-1');
    expect(text).not.toMatch(/Citizen\.|Income\./);
    await expect(item.getByRole('link', { name: 'Download the consent receipt' }).getAttribute('href')).resolves.toContain('KI-CR-v1.1.0');
    await item.getByText('Show the consent receipt').click();
    const receipt = norm(await item.locator(`[data-receipt="${consentId}"]`).textContent());
    expect(receipt).toContain(`Receipt number${consentId}`);
    expect(receipt).toContain('Kantara Consent Receipt 1.1.0');
    expect(await axeViolations(page)).toEqual([]);
    // The tracker says the read was under the consent.
    await page.locator(`.tracker [data-consent="${consentId}"]`).first().waitFor();

    await item.getByRole('button', { name: 'Withdraw consent' }).click();
    const dialog = page.getByRole('dialog', { name: 'Withdraw this consent?' });
    await dialog.waitFor();
    await screenshot(page, 'consent-withdraw-en');
    await dialog.getByRole('button', { name: 'Withdraw' }).click();
    await page.getByRole('status').filter({ hasText: 'Consent withdrawn: Partner bank (loan applications) can no longer read your data.' }).waitFor();
    await page.locator(`li[data-consent="${consentId}"][data-state="REVOKED"]`).waitFor();

    const after = await partnerReads(single.id);
    expect(after.data?.citizen ?? null).toBeNull();
    expect(after.errors?.[0]?.extensions?.reason).toBe('CONSENT_MISSING');
  });

  it('the privacy console groups purposes by legal basis and finds the reads under a consent', async () => {
    expect(grantedId).toBeDefined();
    const page = await newPage();
    await page.goto(`${base}/console`);
    await signInAt(page, personaByRole('privacy-officer').name);
    const consentGroup = page.locator('table.matrix tbody[data-basis="consent"]');
    await consentGroup.waitFor();
    expect(norm(await consentGroup.textContent())).toContain('Consent (art. 6(1)(a))');
    expect(await consentGroup.locator('th[scope="row"]').allTextContents()).toEqual(['loan-affordability']);
    await page.getByLabel('Case reference (required)').fill('DPO-CONSENT-BROWSER');
    await page.getByLabel("Consent id (a partner's reads under it)").fill(grantedId!);
    await page.getByRole('button', { name: 'Search the audit log' }).click();
    const rows = page.locator('table.audit tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBeGreaterThan(0);
    for (const row of await rows.all()) expect(await row.locator(`[data-consent="${grantedId}"]`).count()).toBeGreaterThan(0);
    await screenshot(page, 'console-consent-search');
  });

  it('shows nothing to agree to for a return address the partner did not register (in Estonian by default)', async () => {
    const page = await newPage();
    for (const returnUrl of ['https://evil.example/steal', `${RETURN}/../../elsewhere`, 'javascript:alert(1)']) {
      await page.goto(consentUrl(base, returnUrl, 'et'));
      await page.locator('[data-refused="RETURN_URL_NOT_REGISTERED"]').waitFor();
      expect(norm(await page.locator('main').textContent())).toContain('Tagasipöördumise aadress ei ole partneri registreeritud aadress.');
      expect(await page.locator('button.sign-in-button, form.consent-form').count()).toBe(0);
    }
    await screenshot(page, 'consent-refused-et');
  });
});
