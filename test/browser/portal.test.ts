/**
 * The portals in a real browser (Debian's Chromium through playwright-core)
 * against the real system: gateway, subgraphs, PostgreSQL with the seeded
 * population. Expected people and values come from the seed generator and the
 * policy files, never from the page itself. Screenshots go to test/artifacts/.
 */
import { existsSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMatrix } from '../../permissions/matrix.ts';
import { listSchemaFields } from '../../permissions/schema-fields.ts';
import { whoMayRead } from '../../permissions/who-may-read.ts';
import { ENGINE_CLIENT, ENGINE_PURPOSE, evaluateCitizens } from '../../offers/engine.ts';
import { cachedTokenSource, gatewayClient } from '../../offers/gateway-client.ts';
import { readSupergraph } from '../../schema/compose.ts';
import { expectedRowsOf } from '../../seed/generate.ts';
import { personaByRole } from '../../seed/personas.ts';
import { startScratchDatabases, type ScratchDatabases } from '../../system/scratch-databases.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';
import { CHROMIUM, DESKTOP, PHONE, axeViolations, launchBrowser, screenshot } from './browser.ts';

const mother = personaByRole('newborn-mother');
const stranger = personaByRole('single-parent');
const officer = personaByRole('privacy-officer');

/** Its own small database: accepting an offer changes the mother's enrolments, which other files compare with the seed. */
const CITIZENS = 400;
const SEED = 42;
let scratch: ScratchDatabases;
let system: TestSystem;
let browser: Browser;
let base: string;
const contexts: BrowserContext[] = [];

function rowsOf(id: string) {
  const rows = expectedRowsOf({ citizens: CITIZENS, seed: SEED, today: new Date(`${scratch.today}T00:00:00Z`) }, id);
  if (!rows) throw new Error(`the seed has no household for ${id}`);
  return rows;
}

/** The people the mother represents today, per the seed's guardianship rows, youngest first. */
function wardsOfMother() {
  const today = scratch.today;
  const rows = rowsOf(mother.id);
  return rows.guardianship
    .filter((g) => g.guardian_id === mother.id && g.since <= today && (g.until === null || g.until > today))
    .map((g) => rowsOf(g.ward_id).citizen.find((c) => c.id === g.ward_id)!)
    .sort((a, b) => b.date_of_birth.localeCompare(a.date_of_birth));
}

async function newPage(viewport = DESKTOP): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: 'en-GB' });
  contexts.push(context);
  return context.newPage();
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: .ci/run installs Debian's chromium package (apt-get install chromium)`);
  scratch = await startScratchDatabases({ citizens: CITIZENS, seed: SEED });
  system = await startTestSystem({ databases: scratch.urls });
  base = `http://localhost:${system.gateway.port}`;
  browser = await launchBrowser();
  // The offers engine evaluates the mother, as it would after the birth: the birth-grant offer is then waiting for her.
  const engine = gatewayClient(system.gateway.url, ENGINE_PURPOSE, cachedTokenSource(() => system.devIssuer.issue({ sub: ENGINE_CLIENT, client: ENGINE_CLIENT })));
  const recorded = await evaluateCitizens(engine, [mother.id], 'browser-test-evaluation');
  expect(recorded.proposed + recorded.updated).toBeGreaterThan(0);
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => {});
  await browser?.close();
  await system?.close();
  await scratch?.stop();
});

describe('citizen portal', () => {
  let page: Page;

  it('the mother of a newborn signs in with the dev persona picker and sees her children', async () => {
    page = await newPage();
    await page.goto(`${base}/`);
    await page.getByRole('heading', { level: 1, name: 'Your data across the state, in one place' }).waitFor();
    await screenshot(page, 'portal-sign-in-desktop');

    await page.getByRole('button', { name: `Sign in as ${mother.name}` }).click();
    const me = rowsOf(mother.id).citizen.find((c) => c.id === mother.id)!;
    await page.getByRole('heading', { level: 1, name: `Hello, ${me.given_name}`, exact: true }).waitFor();

    const wards = wardsOfMother();
    expect(wards.length).toBeGreaterThanOrEqual(2);
    const family = page.getByRole('region', { name: 'Family' });
    for (const ward of wards) {
      await expect(family.locator(`[data-ward="${ward.id}"]`).textContent()).resolves.toBe(`${ward.given_name} ${ward.family_name}`);
    }
    // Her own data from the other agencies is on the same page.
    const personal = page.getByRole('region', { name: 'Personal data' });
    await expect(personal.textContent()).resolves.toContain(me.id);
    await page.getByRole('region', { name: 'Benefits' }).locator('li').first().waitFor();
    await screenshot(page, 'portal-home-desktop');
  });

  it('shows the birth-grant offer with its explanation; accepting it enrols her', async () => {
    const newborn = wardsOfMother()[0]!;
    const offers = page.getByRole('region', { name: 'Offers for you' });
    const offer = offers.locator('li.offer[data-programme="birth-grant"]');
    await offer.waitFor();
    await expect(offer.getAttribute('data-status')).resolves.toBe('PROPOSED');
    // The explanation names the facts: the newborn's birth date (from the family register) and no grant yet.
    const explanation = (await offer.locator('.explanation').textContent()) ?? '';
    expect(explanation).toContain(`born on ${newborn.date_of_birth}`);
    expect(explanation).toContain('Citizen.children');
    expect(explanation).toContain('Legal source:');
    const benefits = page.getByRole('region', { name: 'Benefits' });
    await expect(benefits.locator('li[data-programme="birth-grant"]').count()).resolves.toBe(0);
    await screenshot(page, 'portal-offer-birth-grant');

    await offer.getByRole('button', { name: 'Accept' }).click();
    // The enrolment appears among her benefits, and the offer moves to the decided ones.
    const enrolment = benefits.locator('li[data-programme="birth-grant"]');
    await enrolment.waitFor();
    await expect(enrolment.textContent()).resolves.toContain('Birth grant');
    await offers.locator('li[data-programme="birth-grant"][data-status="ACCEPTED"]').waitFor({ state: 'attached' });
    await expect(offers.locator('li.offer[data-programme="birth-grant"]').count()).resolves.toBe(0);
    await screenshot(page, 'portal-offer-accepted');
  });

  it('shows the offer letter in the inbox', async () => {
    const inbox = page.getByRole('region', { name: 'Inbox' });
    await inbox.locator('li').first().waitFor();
    await expect(inbox.textContent()).resolves.toMatch(/birth grant/i);
  });

  it('meets WCAG 2.1 A/AA rules checked by axe-core on the portal', async () => {
    expect(await axeViolations(page)).toEqual([]);
  });

  it('the data tracker lists the portal’s own reads', async () => {
    const tracker = page.getByRole('region', { name: 'Who read my data' });
    // The page's first reads are recorded as they are served; refreshing shows them.
    await tracker.getByRole('button', { name: 'Refresh' }).click();
    const portalName = system.policy.clients['citizen-portal']!.name;
    const ownRead = tracker.locator(`li[data-by-you="true"][data-client="${portalName}"]`).first();
    await ownRead.waitFor();
    await expect(ownRead.textContent()).resolves.toContain(system.policy.purposes['self-service']!.description.replace(/\s+/g, ' ').trim().slice(0, 40));
    await screenshot(page, 'portal-data-tracker');
  });

  it('checks a tracker entry in the browser against the witness’s key', async () => {
    const tracker = page.getByRole('region', { name: 'Who read my data' });
    const check = tracker.getByRole('button', { name: 'Check this entry' }).first();
    // Entries get their proof once a witness has cosigned a checkpoint covering them (well under a second here).
    for (let i = 0; i < 20 && !(await check.isVisible()); i++) {
      await page.waitForTimeout(250);
      await tracker.getByRole('button', { name: 'Refresh' }).click();
    }
    await check.click();
    const status = tracker.getByRole('status').first();
    await status.waitFor();
    await expect(status.textContent()).resolves.toMatch(/^✓ Confirmed: this entry is in the state’s audit log exactly as shown/);
    await screenshot(page, 'portal-data-tracker-checked');
  });

  it('switches to acting for her newborn', async () => {
    const newborn = wardsOfMother()[0]!;
    await page.getByLabel('Acting for').selectOption(newborn.id);
    await expect(page.getByRole('heading', { level: 1, name: `Acting for ${newborn.given_name} ${newborn.family_name}` }).textContent()).resolves.toBeTruthy();
    expect(new URL(page.url()).searchParams.get('actingFor')).toBe(newborn.id);
    await expect(page.getByRole('region', { name: 'Personal data' }).textContent()).resolves.toContain(newborn.id);
    await screenshot(page, 'portal-acting-for-newborn');
  });

  it('refuses another citizen’s data when the id in the URL is edited, and says so', async () => {
    const other = rowsOf(stranger.id).citizen.find((c) => c.id === stranger.id)!;
    await page.goto(`${base}/?actingFor=${stranger.id}`);
    await page.getByRole('heading', { level: 1, name: 'This person’s data is not available to you'.replace('’', "'") }).waitFor();
    const alert = page.getByRole('alert');
    await expect(alert.locator('li').first().getAttribute('data-code')).resolves.toBe('UNAUTHORIZED_FIELD_OR_TYPE');
    await expect(alert.textContent()).resolves.toContain('neither you nor someone you represent');
    const body = (await page.locator('body').textContent()) ?? '';
    expect(body).not.toContain(other.family_name);
    expect(body).not.toContain(other.street_address);
    await screenshot(page, 'portal-refused-other-citizen');
  });

  it('refuses another citizen’s data when the query is edited, with the portal’s own token', async () => {
    const result = await page.evaluate(async (id) => {
      const session = JSON.parse(sessionStorage.getItem('citizen-graph.portal.session')!) as { token: string };
      const response = await fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${session.token}`, 'x-purpose': 'self-service' },
        body: JSON.stringify({ query: `{ citizen(id: "${id}") { id givenName annualIncome benefitEnrollments { status } } }` }),
      });
      return (await response.json()) as { data?: { citizen: unknown }; errors?: { extensions?: { code?: string; reason?: string } }[] };
    }, stranger.id);
    expect(result.data?.citizen ?? null).toBeNull();
    expect(result.errors?.map((e) => e.extensions?.code)).toContain('UNAUTHORIZED_FIELD_OR_TYPE');
    expect(result.errors?.map((e) => e.extensions?.reason)).toContain('SUBJECT_OUT_OF_SCOPE');
  });

  it('works at phone width and from the keyboard', async () => {
    const phone = await newPage(PHONE);
    await phone.goto(`${base}/`);
    await phone.getByRole('button', { name: `Sign in as ${mother.name}` }).waitFor();
    await phone.keyboard.press('Tab');
    await expect(phone.evaluate(() => document.activeElement?.textContent)).resolves.toBe('Skip to content');
    await screenshot(phone, 'portal-sign-in-phone');
    // Keyboard only: tab to the mother's sign-in button and press Enter.
    const target = `Sign in as ${mother.name}`;
    for (let i = 0; i < 20; i++) {
      await phone.keyboard.press('Tab');
      if ((await phone.evaluate(() => document.activeElement?.querySelector('.persona-name')?.textContent)) === target) break;
    }
    await phone.keyboard.press('Enter');
    await phone.getByRole('heading', { level: 1, name: /^Hello, / }).waitFor();
    await phone.getByRole('region', { name: 'Benefits' }).locator('li').first().waitFor();
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(phone, 'portal-home-phone');
  });
});

describe('privacy console', () => {
  let page: Page;
  const fields = listSchemaFields(readSupergraph());

  it('a privacy officer signs in and sees the purposes × categories matrix with legal bases', async () => {
    page = await newPage();
    await page.goto(`${base}/console`);
    await page.getByRole('button', { name: `Sign in as ${officer.name}` }).click();
    const matrix = page.locator('table.matrix');
    await matrix.waitFor();
    const expected = buildMatrix(system.policy, fields);
    const rowHeaders = await matrix.locator('tbody th[scope="row"]').allTextContents();
    expect(rowHeaders.map((h) => h.replace(' (internal)', ''))).toEqual(expected.rows.map((r) => r.purpose));
    const columnHeaders = await matrix.locator('thead th').allTextContents();
    expect(columnHeaders).toEqual(['Purpose', ...expected.categories, 'Legal basis']);
    // Every cell as the policy decides it.
    const cellStates = await matrix.locator('tbody tr').evaluateAll((rows) =>
      rows.map((row) => [...row.querySelectorAll('td.cell')].map((td) => td.className.replace('cell ', ''))),
    );
    expect(cellStates).toEqual(expected.rows.map((r) => r.cells.map((c) => c.state)));
    await expect(matrix.textContent()).resolves.toContain(expected.rows.find((r) => r.purpose === 'tax-assessment')!.legalBasis);
    await page.getByRole('status').filter({ hasText: 'policy' }).first().waitFor();
    await screenshot(page, 'console-desktop');
  });

  it('answers who may read Citizen.annualIncome and why', async () => {
    const answer = whoMayRead(system.policy, 'Citizen.annualIncome');
    await page.getByLabel('Field (Type.field)').fill('Citizen.annualIncome');
    await page.getByRole('search').getByRole('button', { name: 'Search' }).click();
    const readers = page.locator('ul.readers > li > strong');
    await readers.first().waitFor();
    expect(await readers.allTextContents()).toEqual(answer.readers.map((r) => r.purpose));
    await expect(page.locator('.field-answer').textContent()).resolves.toContain(answer.category!);
    await screenshot(page, 'console-field-search');
  });

  it('finds the portal’s reads of the mother’s data in the audit search', async () => {
    await page.getByLabel('Case reference (required)').fill('DPO-BROWSER-1');
    await page.getByLabel('Citizen (personal code)').fill(mother.id);
    await page.getByRole('button', { name: 'Search the audit log' }).click();
    const table = page.locator('table.audit');
    await table.waitFor();
    const portalName = system.policy.clients['citizen-portal']!.name;
    const portalReads = table.locator('tbody tr').filter({ hasText: portalName }).filter({ hasText: mother.id });
    await portalReads.first().waitFor();
    expect(await portalReads.count()).toBeGreaterThan(0);
    await screenshot(page, 'console-audit-search');
  });

  it('meets WCAG 2.1 A/AA rules checked by axe-core on the console', async () => {
    expect(await axeViolations(page)).toEqual([]);
  });

  it('the policy views refuse a citizen’s token', async () => {
    const token = await system.token(mother.id, 'citizen-portal');
    const response = await fetch(`${base}/policy/matrix`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('PURPOSE_NOT_ALLOWED');
  });

  it('fits a phone: the matrix scrolls inside its own region', async () => {
    const phone = await newPage(PHONE);
    await phone.goto(`${base}/console`);
    await phone.getByRole('button', { name: `Sign in as ${officer.name}` }).click();
    await phone.locator('table.matrix').waitFor();
    expect(await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await screenshot(phone, 'console-phone');
  });
});

describe('explorer (development only)', () => {
  it('runs a query as a chosen persona, client and purpose', async () => {
    const page = await newPage({ width: 1400, height: 900 });
    await page.goto(`${base}/explorer`);
    await page.locator('.graphiql-container').waitFor();
    await page.getByLabel('Persona').selectOption(mother.id);
    await page.getByLabel('Client').selectOption('citizen-portal');
    await page.getByLabel('Purpose').selectOption('self-service');
    await page.getByRole('button', { name: 'Use these' }).click();
    await page.getByRole('status').filter({ hasText: `Asking as ${mother.id}` }).waitFor();
    // The editor is remounted for the new token and fetches the schema first: run once it has settled.
    await page.waitForLoadState('networkidle');
    await page.locator('.graphiql-execute-button').click();
    const me = rowsOf(mother.id).citizen.find((c) => c.id === mother.id)!;
    const answer = page.locator('.result-window');
    await answer.getByText(me.family_name).first().waitFor();
    expect(await answer.textContent()).toContain(me.given_name);
    await screenshot(page, 'explorer');
  });
});
