import { AGENCY_NAMES } from '../platform/topology.ts';
import { agencyMigrationsDir } from '../subgraphs/folders.ts';
import { migrate } from '../platform/migrate.ts';
import type { DatabaseUrls } from '../platform/databases.ts';

/** Applies every agency's pending migrations to its own database. */
export async function migrateAll(urls: DatabaseUrls): Promise<Record<string, string[]>> {
  const applied: Record<string, string[]> = {};
  for (const name of AGENCY_NAMES) applied[name] = await migrate(urls[name], agencyMigrationsDir(name));
  // The audit tables belong to their owner role, never to the application's (which may only append and read).
  applied.transparency = await migrate(urls.auditOwner ?? urls.audit, agencyMigrationsDir('transparency'));
  return applied;
}
