/**
 * The caseworker desk in a real browser (Debian's Chromium): a caseworker
 * signs in, sees the queue of contests with each offer's facts and the
 * person's reason, upholds one and rejects another with a reason; the people
 * who contested then read the outcome in their portal inbox, in their language.
 */
import { existsSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINE_CLIENT, ENGINE_PURPOSE, evaluateCitizens } from '../../offers/engine.ts';
import { cachedTokenSource, gatewayClient } from '../../offers/gateway-client.ts';
import { personaByRole } from '../../seed/personas.ts';
import { startScratchDatabases, type ScratchDatabases } from '../../system/scratch-databases.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';
import { CHROMIUM, DESKTOP, axeViolations, launchBrowser, screenshot } from './browser.ts';

const mother = personaByRole('newborn-mother');
const single = personaByRole('single-parent');
const caseworker = personaByRole('caseworker');

let scratch: ScratchDatabases;
let system: TestSystem;
let browser: Browser;
let base: string;
const contexts: BrowserContext[] = [];
const contests: Record<'mother' | 'single', { id: string; reference: string; reason: string }> = {} as never;

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: DESKTOP, locale: 'en-GB' });
  contexts.push(context);
  return context.newPage();
}
/** Through the development identity provider's login page, as every page signs in. */
async function signIn(page: Page, name: string, path: string) {
  await page.goto(`${base}${path}`);
  await page.locator('button.sign-in-button').click();
  await page.waitForURL((url) => url.port === String(system.identityProvider.port));
  await page.locator('button.persona', { hasText: name }).click();
}
const citizen = (sub: string) => ({ as: { sub, client: 'citizen-portal' }, purpose: 'self-service' });

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium`);
  scratch = await startScratchDatabases({ citizens: 300, seed: 42 });
  system = await startTestSystem({ databases: scratch.urls });
  base = `http://localhost:${system.gateway.port}`;
  browser = await launchBrowser();
  const engine = gatewayClient(system.gateway.url, ENGINE_PURPOSE, cachedTokenSource(() => system.devIssuer.issue({ sub: ENGINE_CLIENT, client: ENGINE_CLIENT })));
  await evaluateCitizens(engine, [mother.id, single.id], 'caseworker-browser-evaluation');
  // Each contests one of her offers, through the graph as the portal does.
  for (const [who, id, reason] of [['mother', mother.id, 'The father should receive the grant.'], ['single', single.id, 'My income last year was higher than the register says.']] as const) {
    const { data } = await system.query<{ me: { proactiveOffers: { id: string }[] } }>({ query: '{ me { proactiveOffers { id } } }', ...citizen(id) });
    const offer = data!.me.proactiveOffers[0]!;
    const response = await system.query<{ contestOffer: { id: string; reference: string } }>({
      query: 'mutation($id: ID!, $r: String!) { contestOffer(id: $id, reason: $r) { id reference } }', variables: { id: offer.id, r: reason }, ...citizen(id),
    });
    contests[who] = { ...response.data!.contestOffer, reason };
  }
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => {});
  await browser?.close();
  await system?.close();
  await scratch?.stop();
});

describe('caseworker desk', () => {
  let page: Page;

  it('a caseworker signs in and sees each contest with the person, the reason and the facts of the offer', async () => {
    page = await newPage();
    await signIn(page, caseworker.name, '/caseworker');
    await page.getByRole('heading', { level: 1, name: 'Contests' }).waitFor();
    for (const c of Object.values(contests)) {
      const item = page.locator(`li.contest[data-contest="${c.id}"]`);
      await item.waitFor();
      await expect(item.locator('blockquote.reason').textContent()).resolves.toBe(c.reason);
      await expect(item.textContent()).resolves.toContain(c.reference);
      await item.getByText('The facts the offer rests on').click();
      expect(await item.locator('ul.facts li').count()).toBeGreaterThan(0);
    }
    await expect(page.title()).resolves.toBe('Contests – Caseworker desk – citizen-graph');
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'caseworker-queue');
  });

  it('upholds one contest and rejects another with a reason; a rejection needs one', async () => {
    const upheld = page.locator(`li.contest[data-contest="${contests.mother.id}"]`);
    await upheld.getByRole('button', { name: 'Uphold' }).click();
    await expect(upheld.locator('.decision').textContent()).resolves.toMatch(/^Upheld on \d{4}-\d{2}-\d{2} by staff-0001\. Reference SKA-\d{4}-\d{6}\.$/);

    const rejected = page.locator(`li.contest[data-contest="${contests.single.id}"]`);
    await rejected.getByRole('button', { name: 'Reject' }).click();
    await rejected.getByText('Give the person a reason for rejecting the contest.').waitFor();
    await rejected.getByLabel(/Reason or note/).fill('The tax register shows your income last year below the limit.');
    await rejected.getByRole('button', { name: 'Reject' }).click();
    await expect(rejected.locator('.decision').textContent()).resolves.toContain('Rejected on');
    await screenshot(page, 'caseworker-decided');

    await page.getByRole('button', { name: 'Decided' }).click();
    await page.locator(`li.contest[data-contest="${contests.single.id}"] .decision`).waitFor();
    await expect(page.locator(`li.contest[data-contest="${contests.single.id}"] .decision`).textContent()).resolves.toContain('below the limit');
  });

  it('the people who contested read the outcome in their inbox, in their language', async () => {
    const portal = await newPage();
    await signIn(portal, single.name, '/');
    await portal.getByRole('button', { name: 'In English', exact: true }).click();
    const letter = portal.getByRole('region', { name: 'Inbox' }).locator('li[data-key="inbox.contest.rejected"]');
    await letter.waitFor();
    await letter.locator('summary').click();
    const body = (await letter.locator('.message-body').textContent()) ?? '';
    expect(body).toContain('did not change the decision, for this reason: The tax register shows your income last year below the limit.');
    expect(body).toMatch(/Reference number: SKA-\d{4}-\d{6}\./);
    await portal.locator('li[data-key="inbox.contest.rejected"][data-verified="true"]').waitFor();
    await screenshot(portal, 'portal-contest-rejected-en');

    const mothers = await newPage();
    await signIn(mothers, mother.name, '/');
    // Estonian, the portal's default.
    const upheld = mothers.getByRole('region', { name: 'Postkast' }).locator('li[data-key="inbox.contest.upheld"]');
    await upheld.waitFor();
    await expect(upheld.locator('summary').textContent()).resolves.toContain('Teie vaie rahuldati');
  });
});
