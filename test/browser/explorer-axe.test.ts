/**
 * The explorer is axe-clean as a whole, GraphiQL's editors, toolbar and docs
 * included (no part of the page left out of the check): Debian's Chromium,
 * the docs open and a query answered.
 */
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personaByRole } from '../../seed/personas.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';
import { CHROMIUM, axeViolations, launchBrowser, screenshot } from './browser.ts';

const mother = personaByRole('newborn-mother');
let system: TestSystem;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}`);
  system = await startTestSystem();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await system?.close();
});

describe('explorer', () => {
  it('is axe-clean everywhere, GraphiQL included, with the docs open and an answer shown', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`http://localhost:${system.gateway.port}/explorer`);
    await page.locator('.graphiql-container').waitFor();
    const check = async (state: string) => {
      const violations = await axeViolations(page);
      expect(violations.map((v) => `${state}: ${v.id}: ${v.help}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
    };
    await check('opened');
    await page.getByLabel('Client').selectOption('citizen-portal');
    await page.getByLabel('Purpose').selectOption('self-service');
    await page.getByRole('button', { name: 'Sign in and use these' }).click();
    // The persona is chosen on the provider's login page.
    await page.waitForURL((url) => url.port === String(system.identityProvider.port));
    await page.locator('button.persona', { hasText: mother.name }).click();
    await page.getByRole('status').filter({ hasText: `Asking as ${mother.id}` }).waitFor();
    await page.waitForLoadState('networkidle');
    await page.locator('.graphiql-execute-button').click();
    await page.locator('.result-window').getByText(mother.id).first().waitFor();
    await check('answered');
    await page.getByRole('button', { name: /Show Documentation Explorer/i }).click();
    await page.locator('.graphiql-doc-explorer').getByText('Query', { exact: true }).first().waitFor();
    await check('docs');
    await screenshot(page, 'explorer-axe');
  });
});
