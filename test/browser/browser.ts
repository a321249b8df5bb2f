/**
 * A real browser for page tests: Debian's Chromium (installed by .ci/run, never
 * downloaded by Playwright) driven by playwright-core, and screenshots under
 * test/artifacts/ for reviewers.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));

export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * WCAG 2.1 A/AA rules of axe-core on the current page (evaluated over CDP, so
 * the page's CSP does not block it). `thirdParty` names a widget whose own
 * visual design we do not control (GraphiQL's editor theme): its contrast and
 * internal widget rules are left out there, everything else (landmarks,
 * headings, names, labels) is checked everywhere.
 */
export async function axeViolations(page: Page, options: { thirdParty?: string } = {}): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  return page.evaluate(async (thirdParty) => {
    const axe = (globalThis as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
    const tags = { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } };
    if (thirdParty) {
      const visual = ['color-contrast', 'link-in-text-block', 'nested-interactive'];
      const everywhere = await axe.run(document, { ...tags, rules: Object.fromEntries(visual.map((id) => [id, { enabled: false }])) });
      const outside = await axe.run({ exclude: [[thirdParty]] }, { runOnly: { type: 'rule', values: visual } });
      return [...everywhere.violations, ...outside.violations].map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
    }
    const result = await axe.run(document, tags);
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  }, options.thirdParty);
}
