/**
 * The privacy office's pages in a real browser (Debian's Chromium).
 *
 * "Ask about this read": the mother asks
 * from an entry of her data tracker, the data protection officer sees the
 * question with the read in the privacy console and answers, the mother reads
 * the answer under the entry. In English and Estonian.
 *
 * The matrix: each cell opens the fields behind it, with the decision for each.
 * axe-core on each page; screenshots in test/artifacts/.
 */
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personaByRole } from '../../seed/personas.ts';
import { buildMatrix } from '../../permissions/matrix.ts';
import { listSchemaFields } from '../../permissions/schema-fields.ts';
import { readSupergraph } from '../../schema/compose.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';
import { CHROMIUM, DESKTOP, axeViolations, launchBrowser, screenshot } from './browser.ts';

const mother = personaByRole('newborn-mother');
const caseworker = personaByRole('caseworker');
const officer = personaByRole('privacy-officer');

let system: TestSystem;
let browser: Browser;
let base: string;
const contexts: BrowserContext[] = [];
const question = `Why did the Social Insurance Board look at my data? (${randomBytes(3).toString('hex')})`;
const answer = 'A caseworker checked your family’s right to child allowance, after the birth of your daughter.';

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: DESKTOP, locale: 'en-GB' });
  contexts.push(context);
  return context.newPage();
}
async function signIn(page: Page, name: string, path: string) {
  await page.goto(`${base}${path}`);
  // The persona is chosen on the identity provider's login page.
  await page.locator('button.sign-in-button').click();
  await page.waitForURL((url) => url.port === String(system.identityProvider.port));
  await page.locator('button.persona', { hasText: name }).click();
  // Back from the provider, in English (the choice is kept on the device).
  await page.getByRole('button', { name: 'In English', exact: true }).click();
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}`);
  system = await startTestSystem();
  base = `http://localhost:${system.gateway.port}`;
  browser = await launchBrowser();
  // A read by another party: what the mother asks about.
  const read = await system.query({
    query: 'query($id: ID!) { citizen(id: $id) { givenName children { id } } }',
    variables: { id: mother.id },
    as: { sub: caseworker.id, client: 'caseworker-app' },
    purpose: 'child-benefit-eligibility',
    caseRef: `SKA-CASE-${randomBytes(3).toString('hex')}`,
  });
  expect(read.errors).toBeUndefined();
});
afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => {});
  await browser?.close();
  await system?.close();
});

describe('ask about this read', () => {
  let citizen: Page;

  it('the citizen asks from an entry of her tracker, and is told it was sent (focus on the confirmation)', async () => {
    citizen = await newPage();
    await signIn(citizen, mother.name, '/');
    const tracker = citizen.getByRole('region', { name: 'Who read my data' });
    const entry = tracker.locator('li[data-client="caseworker-app"]').first();
    await entry.waitFor();
    await entry.getByRole('button', { name: 'Ask about this read' }).click();
    await entry.getByLabel('Your question to the data protection officer').fill(question);
    await entry.getByRole('button', { name: 'Send the question' }).click();
    const status = entry.getByRole('status');
    await expect(status.textContent()).resolves.toContain('Your question was sent to the data protection officer');
    await expect(status.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    await entry.getByText(question).waitFor();
    await entry.getByText('Waiting for an answer from the data protection officer.').first().waitFor();
    expect(await axeViolations(citizen)).toEqual([]);
    await entry.scrollIntoViewIfNeeded();
    await screenshot(citizen, 'tracker-ask-about-read-en');
  });

  it('the privacy officer sees the question with the read it is about, and answers it', async () => {
    const page = await newPage();
    await signIn(page, officer.name, '/console');
    const section = page.getByRole('region', { name: 'Questions from citizens about reads' });
    const item = section.locator('li.open', { hasText: question });
    await item.waitFor();
    await expect(item.textContent()).resolves.toContain('Social Insurance Board caseworker');
    await expect(item.textContent()).resolves.toContain('child-benefit-eligibility');
    await expect(item.textContent()).resolves.toContain(mother.id);
    expect(await axeViolations(page)).toEqual([]);
    await item.getByLabel(/^Your answer to /).fill(answer);
    await item.getByRole('button', { name: 'Send the answer' }).click();
    await section.locator('li.answered', { hasText: question }).getByText(answer).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await section.scrollIntoViewIfNeeded();
    await screenshot(page, 'console-read-inquiries-en');
  });

  it('the citizen reads the answer under the entry, in Estonian too', async () => {
    const tracker = citizen.getByRole('region', { name: 'Who read my data' });
    await tracker.getByRole('button', { name: 'Refresh' }).click();
    const entry = tracker.locator('li[data-client="caseworker-app"]', { hasText: question });
    await entry.getByText(answer).waitFor();
    await expect(entry.textContent()).resolves.toContain('Answer from the data protection officer');

    await citizen.getByRole('button', { name: 'Eesti keeles', exact: true }).click();
    const jälgija = citizen.getByRole('region', { name: 'Kes minu andmeid vaatas' });
    const kirje = jälgija.locator('li[data-client="caseworker-app"]', { hasText: question });
    await kirje.getByText('Andmekaitsespetsialisti vastus', { exact: false }).waitFor();
    await kirje.getByRole('button', { name: 'Küsi selle vaatamise kohta' }).waitFor();
    expect(await axeViolations(citizen)).toEqual([]);
    await kirje.scrollIntoViewIfNeeded();
    await screenshot(citizen, 'tracker-read-inquiry-answered-et');
  });
});

describe('privacy console: the matrix', () => {
  it('each cell opens the fields behind it, with the decision for each; the keyboard works', async () => {
    const expected = buildMatrix(system.policy, listSchemaFields(readSupergraph()));
    const page = await newPage();
    await signIn(page, officer.name, '/console');
    const matrix = page.locator('table.matrix');
    await matrix.waitFor();
    // A partial cell: message-delivery × identity (some identity fields, not all).
    const r = expected.rows.findIndex((row) => row.purpose === 'message-delivery');
    const c = expected.categories.indexOf('identity');
    const cell = expected.rows[r]!.cells[c]!;
    expect(cell.state).toBe('partial');
    const button = matrix.getByRole('button', { name: new RegExp(`^${cell.allowed}/${cell.total}\\s*, show the fields of identity for message-delivery$`) });
    await expect(button.getAttribute('aria-expanded')).resolves.toBe('false');
    await button.click();
    await expect(button.getAttribute('aria-expanded')).resolves.toBe('true');
    const panel = page.getByRole('region', { name: 'Fields of identity for message-delivery' });
    await panel.waitFor();
    await expect(panel.getByRole('heading').evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    const shown = await panel.locator('li[data-field]').evaluateAll((items) => items.map((li) => [li.getAttribute('data-field'), li.className]));
    expect(shown).toEqual(cell.fields.map((f) => [f.field, f.allow ? 'allowed' : 'refused']));
    await expect(panel.locator('li.allowed[data-field="Citizen.givenName"]').count()).resolves.toBe(1);
    await expect(panel.locator('li.refused[data-field="Citizen.sex"]').textContent()).resolves.toContain('not granted');
    await expect(panel.textContent()).resolves.toContain(`${cell.allowed} of ${cell.total} fields may be read.`);
    expect(await axeViolations(page)).toEqual([]);
    // The matrix scrolls inside its own region; the page itself never sideways.
    await expect(page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).resolves.toBe(true);
    await panel.scrollIntoViewIfNeeded();
    await screenshot(page, 'console-matrix-cell-fields-en');

    // By keyboard: another cell, opened with Enter, replaces the list; Close closes it.
    const denied = matrix.getByRole('button', { name: /^denied\s*, show the fields of financial\.assessment for child-benefit-eligibility$/ });
    await denied.focus();
    await page.keyboard.press('Enter');
    const deniedPanel = page.getByRole('region', { name: 'Fields of financial.assessment for child-benefit-eligibility' });
    await deniedPanel.waitFor();
    await expect(deniedPanel.locator('li.refused').first().textContent()).resolves.toContain('denied explicitly');
    await deniedPanel.getByRole('button', { name: 'Close' }).click();
    await expect(page.locator('#matrix-fields').count()).resolves.toBe(0);
  });
});
