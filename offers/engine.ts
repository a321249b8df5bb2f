/**
 * The offers engine: fetches facts through the gateway under the
 * `proactive-eligibility` purpose, runs the benefits agency's rules, and
 * records the findings with the benefits agency's `recordEligibility`
 * mutation. It never reads an agency's database.
 */
import { evaluateCitizen } from '../subgraphs/benefits/rules/index.ts';
import type { CitizenFacts } from '../subgraphs/benefits/rules/types.ts';
import { PEOPLE_QUERY, toFacts, type RawCitizen } from './facts.ts';
import type { GatewayClient } from './gateway-client.ts';
import { today } from '../platform/clock.ts';

export const ENGINE_CLIENT = 'offers-engine';
export const ENGINE_PURPOSE = 'proactive-eligibility';

export interface FindingInput {
  citizenId: string;
  programme: string;
  occasion: string;
  amount: number | null;
  facts: { agency: string; field: string; value: string; key?: string; params?: Record<string, unknown> }[];
  child?: string;
  sharedWith?: string[];
}

export interface Recorded {
  proposed: number;
  grantedAutomatically: number;
  updated: number;
  expired: number;
}

const RECORD = `mutation Record($input: EligibilityInput!) {
  recordEligibility(input: $input) { proposed grantedAutomatically updated expired }
}`;

export { today };

/** Pure: the findings for a set of citizens (what the engine would record). */
export function findingsFor(citizens: readonly CitizenFacts[], on: string): FindingInput[] {
  const out: FindingInput[] = [];
  for (const facts of citizens) {
    for (const f of evaluateCitizen(facts, on)) {
      out.push({ citizenId: facts.id, programme: f.programme, occasion: f.occasion, amount: f.amount, facts: f.facts, ...(f.child ? { child: f.child, sharedWith: f.sharedWith ?? [] } : {}) });
    }
  }
  return out;
}

export async function recordFindings(
  client: GatewayClient,
  runId: string,
  evaluated: string[],
  findings: FindingInput[],
  checkpoint?: { page: number; after: string | null },
): Promise<Recorded> {
  const data = await client.request<{ recordEligibility: Recorded }>(RECORD, { input: { runId, evaluated, findings, checkpoint } }, runId);
  return data.recordEligibility;
}

/** Evaluates named citizens now (a life event): fetch, evaluate, record, under case reference `runId`. */
export async function evaluateCitizens(client: GatewayClient, ids: string[], runId: string): Promise<Recorded> {
  if (ids.length === 0) return { proposed: 0, grantedAutomatically: 0, updated: 0, expired: 0 };
  const variables = Object.fromEntries(ids.map((id, i) => [`p${i}`, id]));
  const data = await client.request<Record<string, RawCitizen | null>>(PEOPLE_QUERY(ids.length), variables, runId);
  const citizens = Object.values(data).filter((c): c is RawCitizen => c !== null).map(toFacts);
  return recordFindings(client, runId, citizens.map((c) => c.id), findingsFor(citizens, today()));
}
