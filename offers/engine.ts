/**
 * The offers engine: asks the graph, under the `proactive-eligibility`
 * purpose, for the benefits board's findings on each citizen
 * (`Citizen.eligibility`, evaluated by the board over facts the gateway
 * hands it) and hands the board's seals back to its `recordEligibility`
 * mutation. It schedules and pages; it never sees the facts, never decides,
 * and never reads an agency's database.
 */
import { PEOPLE_QUERY, sealsOf, type Evaluated } from './facts.ts';
import type { GatewayClient } from './gateway-client.ts';

export const ENGINE_CLIENT = 'offers-engine';
export const ENGINE_PURPOSE = 'proactive-eligibility';

export interface Recorded {
  proposed: number;
  grantedAutomatically: number;
  updated: number;
  expired: number;
}

const RECORD = `mutation Record($input: EligibilityInput!) {
  recordEligibility(input: $input) { proposed grantedAutomatically updated expired }
}`;

export async function recordFindings(
  client: GatewayClient,
  runId: string,
  evaluated: string[],
  sealed: string[],
  checkpoint?: { page: number; after: string | null },
): Promise<Recorded> {
  const data = await client.request<{ recordEligibility: Recorded }>(RECORD, { input: { runId, evaluated, sealed, checkpoint } }, runId);
  return data.recordEligibility;
}

/** Evaluates named citizens now (a life event): the board's findings, recorded, under case reference `runId`. */
export async function evaluateCitizens(client: GatewayClient, ids: string[], runId: string): Promise<Recorded> {
  if (ids.length === 0) return { proposed: 0, grantedAutomatically: 0, updated: 0, expired: 0 };
  const variables = Object.fromEntries(ids.map((id, i) => [`p${i}`, id]));
  const data = await client.request<Record<string, Evaluated | null>>(PEOPLE_QUERY(ids.length), variables, runId);
  const { ids: evaluated, sealed } = sealsOf(Object.values(data).filter((c): c is Evaluated => c !== null));
  return recordFindings(client, runId, evaluated, sealed);
}
