/**
 * Where an agency's folder keeps its schema and migrations. Every agency folder
 * has the same shape: schema.graphql, loaders.ts, resolvers.ts, migrations/, index.ts.
 */
import { fileURLToPath } from 'node:url';
import type { SubgraphName } from '../platform/topology.ts';

export function agencySchemaPath(name: SubgraphName): string {
  return fileURLToPath(new URL(`./${name}/schema.graphql`, import.meta.url));
}

export function agencyMigrationsDir(name: SubgraphName): string {
  return fileURLToPath(new URL(`./${name}/migrations`, import.meta.url));
}
