/**
 * `npm run migrate -- <agency>`: applies one agency's migrations to its own
 * database and exits (the Kubernetes migration Job of each agency). identity,
 * tax, family, benefits use DATABASE_URL_<AGENCY>; transparency migrates the
 * audit store as its owner role, DATABASE_URL_AUDIT_OWNER.
 */
import { ConfigurationError } from '../platform/config.ts';
import { logger } from '../platform/logger.ts';
import { exitOnStartupError } from '../platform/graceful-shutdown.ts';
import { SUBGRAPH_NAMES, isAgencyName, type SubgraphName } from '../platform/topology.ts';
import { agencyMigrationsDir } from '../subgraphs/folders.ts';
import { migrate } from '../platform/migrate.ts';

async function main() {
  const name = process.argv[2] ?? '';
  if (!(SUBGRAPH_NAMES as readonly string[]).includes(name)) throw new ConfigurationError([`name the agency to migrate: one of ${SUBGRAPH_NAMES.join(', ')} (got "${name.slice(0, 30)}")`]);
  const variable = isAgencyName(name) ? `DATABASE_URL_${name.toUpperCase()}` : 'DATABASE_URL_AUDIT_OWNER';
  const url = process.env[variable];
  if (!url) throw new ConfigurationError([`${variable} is required: the postgres:// URL of the role that owns ${name}'s tables`]);
  const applied = await migrate(url, agencyMigrationsDir(name as SubgraphName));
  logger.info({ service: `migrate-${name}`, migrations: applied }, applied.length ? 'migrations applied' : 'nothing to migrate');
}

main().then(() => process.exit(0), exitOnStartupError('migrate'));
