/**
 * What the engine asks the graph for: pages of citizens, and for each the
 * benefits board's sealed findings (`Citizen.eligibility`). The facts those
 * rest on never reach the engine: the gateway hands them to the board
 * (`@requires`), which evaluates its own rules. A test checks that every
 * field the engine reads is in ENGINE_NEEDS, and that the purpose grants
 * exactly these and the facts the board's rules read from other agencies.
 */

/** Fields the engine itself reads: paging, resuming, and the sealed findings it hands back. */
export const ENGINE_NEEDS = ['Citizen.id', 'Citizen.eligibility', 'Eligibility.sealed', 'PageInfo.endCursor', 'PageInfo.hasNextPage', 'CitizenConnection.edges', 'CitizenEdge.node', 'EvaluationRun.resumeAfter', 'EvaluationRun.checkpointPage', 'EvaluationRun.finished'] as const;

export const PAGE_QUERY = `query OffersPage($first: Int!, $after: String) {
  citizens(first: $first, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id eligibility { sealed } } } }
}`;

export const SCAN_QUERY = `query OffersScan($first: Int!, $after: String) {
  citizens(first: $first, after: $after) { pageInfo { hasNextPage endCursor } }
}`;

export const PEOPLE_QUERY = (count: number) => `query OffersPeople(${Array.from({ length: count }, (_, i) => `$p${i}: ID!`).join(', ')}) {
  ${Array.from({ length: count }, (_, i) => `p${i}: citizen(id: $p${i}) { id eligibility { sealed } }`).join('\n  ')}
}`;

/** A citizen as the engine sees them: who, and the board's seal on what it found. */
export interface Evaluated {
  id: string;
  eligibility: { sealed: string } | null;
}

/** The seals of a page, in order; a citizen the board did not evaluate stops the page (strict mode makes this rare). */
export function sealsOf(citizens: readonly Evaluated[]): { ids: string[]; sealed: string[] } {
  const missing = citizens.find((c) => !c.eligibility);
  if (missing) throw new Error(`the benefits board gave no findings for a citizen of this page`);
  return { ids: citizens.map((c) => c.id), sealed: citizens.map((c) => c.eligibility!.sealed) };
}
