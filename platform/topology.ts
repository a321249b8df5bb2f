/**
 * The services of the system: which agencies and subgraphs exist, their
 * default ports and which database each reads. Every service shares this;
 * the folders holding each agency's code are in subgraphs/folders.ts.
 */
export const AGENCY_NAMES = ['identity', 'tax', 'family', 'benefits', 'education'] as const;
export type AgencyName = (typeof AGENCY_NAMES)[number];

export const DEFAULT_PORTS: Record<AgencyName, number> = {
  identity: 4001,
  tax: 4002,
  family: 4003,
  benefits: 4004,
  // After transparency's 4005, which came first.
  education: 4006,
};

/**
 * Every subgraph of the graph: the agencies, plus `transparency`, which serves
 * the audit log (who read whose data, and why) from the audit database. It has
 * the same folder shape, but no agency data of its own.
 */
export const SUBGRAPH_NAMES = [...AGENCY_NAMES, 'transparency'] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

export const DEFAULT_SUBGRAPH_PORTS: Record<SubgraphName, number> = { ...DEFAULT_PORTS, transparency: 4005 };

/** The database a subgraph reads: its own, except transparency, which reads the audit store. */
export function subgraphDatabase(name: SubgraphName): AgencyName | 'audit' {
  return name === 'transparency' ? 'audit' : name;
}

export function isAgencyName(value: string): value is AgencyName {
  return (AGENCY_NAMES as readonly string[]).includes(value);
}


/** The URL written into the checked-in supergraph; the gateway overrides it at run time. */
export function defaultSubgraphUrl(name: SubgraphName): string {
  return `http://localhost:${DEFAULT_SUBGRAPH_PORTS[name]}/graphql`;
}
