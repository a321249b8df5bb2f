/**
 * The browser tests drive Debian's Chromium (playwright-core never downloads a
 * browser). On a fresh machine `npm test` installs it with apt, as root, before
 * any test runs, waiting for apt's lock when another process holds it; when it
 * cannot, it stops with the command that installs it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** How long apt may wait for a lock another process holds (an unattended upgrade, say). */
const APT_LOCK_TIMEOUT_S = 300;
const INSTALL = 'sudo apt-get install -y --no-install-recommends chromium';

function apt(args: string[]): boolean {
  const result = spawnSync('apt-get', ['-o', `DPkg::Lock::Timeout=${APT_LOCK_TIMEOUT_S}`, ...args], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return result.status === 0;
}

export default function setup(): void {
  if (existsSync(CHROMIUM)) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    throw new Error(`the browser tests need Chromium at ${CHROMIUM}: install it with \`${INSTALL}\` (or set CHROMIUM_PATH)`);
  }
  console.log(`installing Debian's chromium for the browser tests (first run on this machine; waits up to ${APT_LOCK_TIMEOUT_S} s for apt's lock)…`);
  const installed = apt(['update']) && apt(['install', '-y', '--no-install-recommends', 'chromium']);
  if (!installed || !existsSync(CHROMIUM)) {
    throw new Error(`Chromium could not be installed with apt: install it with \`${INSTALL}\` and run the tests again (or set CHROMIUM_PATH)`);
  }
}
