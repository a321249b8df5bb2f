/**
 * Composes the agency SDLs (and the transparency subgraph's) into schema/supergraph.graphql (Federation 2).
 * The gateway loads the checked-in file, never introspection, so a change to an
 * agency's schema only reaches the graph through this script and review.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { SUBGRAPH_NAMES, defaultSubgraphUrl } from '../platform/topology.ts';
import { agencySchemaPath } from '../subgraphs/folders.ts';

export const SUPERGRAPH_PATH = fileURLToPath(new URL('./supergraph.graphql', import.meta.url));

export function composeSupergraph(): string {
  const result = composeServices(
    SUBGRAPH_NAMES.map((name) => ({
      name,
      url: defaultSubgraphUrl(name),
      typeDefs: parse(readFileSync(agencySchemaPath(name), 'utf8')),
    })),
  );
  if (result.errors) {
    throw new Error(`composition failed:\n${result.errors.map((e) => `- ${e.message}`).join('\n')}`);
  }
  return result.supergraphSdl;
}

export function readSupergraph(): string {
  return readFileSync(SUPERGRAPH_PATH, 'utf8');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    writeFileSync(SUPERGRAPH_PATH, composeSupergraph());
    console.log(`wrote ${SUPERGRAPH_PATH}`);
  } catch (error) {
    console.error((error as Error).message);
    process.exitCode = 1;
  }
}
