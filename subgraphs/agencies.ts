/**
 * The agencies of the graph. Each has a folder of the same shape:
 * schema.graphql, resolvers.ts, loaders.ts, migrations/, index.ts.
 */
import { fileURLToPath } from 'node:url';

export const AGENCY_NAMES = ['identity', 'tax', 'family', 'benefits'] as const;
export type AgencyName = (typeof AGENCY_NAMES)[number];

export const DEFAULT_PORTS: Record<AgencyName, number> = {
  identity: 4001,
  tax: 4002,
  family: 4003,
  benefits: 4004,
};

export function isAgencyName(value: string): value is AgencyName {
  return (AGENCY_NAMES as readonly string[]).includes(value);
}

export function agencySchemaPath(name: AgencyName): string {
  return fileURLToPath(new URL(`./${name}/schema.graphql`, import.meta.url));
}

export function agencyMigrationsDir(name: AgencyName): string {
  return fileURLToPath(new URL(`./${name}/migrations`, import.meta.url));
}

/** The URL written into the checked-in supergraph; the gateway overrides it at run time. */
export function defaultSubgraphUrl(name: AgencyName): string {
  return `http://localhost:${DEFAULT_PORTS[name]}/graphql`;
}
