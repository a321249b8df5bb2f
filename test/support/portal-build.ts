/** Vitest global setup: the browser tests need the built portal; build it when missing or stale (a few seconds). */
import { ensurePortalBuilt } from '../../portal/build.ts';

export default async function setup() {
  await ensurePortalBuilt((line) => console.log(`[portal] ${line}`));
}
