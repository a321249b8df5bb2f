/**
 * Whom a signed-in citizen may act for, asked of the family register (the
 * agency that owns guardianship) under the internal `representation-lookup`
 * purpose. Cached briefly per actor: a new guardianship shows within a minute.
 */
import { LRUCache } from 'lru-cache';
import { randomUUID } from 'node:crypto';
import type { CryptoKey, KeyObject } from 'jose';
import { CONTEXT_HEADER, signContext, type ContextSigningKey } from '../../platform/context-token.ts';

export const REPRESENTATION_PURPOSE = 'representation-lookup';

const QUERY = 'query Wards($r: [_Any!]!) { _entities(representations: $r) { ... on Citizen { wards { id } } } }';

export function representedLookup(familyUrl: () => string, key: CryptoKey | KeyObject | ContextSigningKey, policyDigest: string, fetchImpl: typeof fetch = fetch) {
  const cache = new LRUCache<string, string[]>({ max: 50_000, ttl: 60_000 });
  return async function represented(actor: string, requestId: string = randomUUID()): Promise<string[]> {
    const cached = cache.get(actor);
    if (cached) return cached;
    const request = JSON.stringify({ query: QUERY, variables: { r: [{ __typename: 'Citizen', id: actor }] } });
    const token = signContext(
      { actor, client: 'citizen-graph-gateway', purpose: REPRESENTATION_PURPOSE, acr: 'low', requestId, scope: { self: actor, represented: [], any: false } },
      'family',
      key,
      { body: request, policyDigest },
    );
    const response = await fetchImpl(familyUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', [CONTEXT_HEADER]: token },
      body: request,
      signal: AbortSignal.timeout(3_000),
    });
    const body = (await response.json()) as { data?: { _entities?: ({ wards?: { id: string }[] | null } | null)[] }; errors?: unknown[] };
    if (!response.ok || body.errors?.length) throw new Error(`family register answered ${response.status}`);
    const wards = (body.data?._entities?.[0]?.wards ?? []).map((w) => w.id);
    cache.set(actor, wards);
    return wards;
  };
}
