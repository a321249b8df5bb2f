/**
 * How the offers engine and the life-event relay talk to the graph: real HTTP
 * to the gateway, a service token for their client, a declared purpose and a
 * case reference (the run or event id) on every request, like any other client.
 */
import type { JWK } from 'jose';
import { serviceClientConfig } from '../platform/config.ts';
import { clientCredentialsTokenSource, type TokenSource } from '../platform/service-token.ts';
import { devServiceCredentials } from '../identity-provider/clients.ts';

export type { TokenSource } from '../platform/service-token.ts';

export class GraphQLCallError extends Error {
  constructor(message: string, readonly codes: string[], readonly status: number) {
    super(message);
  }
}

export interface GatewayClient {
  request<T>(query: string, variables: Record<string, unknown>, caseRef: string, signal?: AbortSignal): Promise<T>;
}

export function gatewayClient(gatewayUrl: string, purpose: string, token: TokenSource): GatewayClient {
  return {
    async request<T>(query: string, variables: Record<string, unknown>, caseRef: string, signal?: AbortSignal): Promise<T> {
      const response = await fetch(gatewayUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${await token()}`,
          'x-purpose': purpose,
          'x-case-ref': caseRef,
          // Whole operation or nothing: a half-filtered page would give the rules missing facts.
          'x-policy-mode': 'strict',
        },
        body: JSON.stringify({ query, variables }),
        signal: signal ?? AbortSignal.timeout(60_000),
      });
      const body = (await response.json()) as { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
      if (!response.ok || body.errors?.length || !body.data) {
        const codes = (body.errors ?? []).map((e) => e.extensions?.code ?? 'UNKNOWN');
        throw new GraphQLCallError(`gateway answered ${response.status}: ${(body.errors ?? []).map((e) => e.message).join('; ').slice(0, 500)}`, codes, response.status);
      }
      return body.data;
    },
  };
}

/**
 * A service's token source from its configuration: client credentials at the
 * identity provider (platform/service-token.ts), OIDC_* variables, or in
 * development the client's entry in identity-provider/clients.yaml.
 */
export function serviceTokenSource(clientId: string, env: Record<string, string | undefined> = process.env): TokenSource {
  const config = serviceClientConfig(clientId, env, devServiceCredentials);
  return clientCredentialsTokenSource({ ...config, privateKey: config.privateKey as JWK | undefined });
}

/** Caches tokens from an in-process issuer (tests, `npm start`) the same way. */
export function cachedTokenSource(issue: () => Promise<string>): TokenSource {
  let cached: { token: string; until: number } | undefined;
  return async () => {
    if (cached && cached.until > Date.now()) return cached.token;
    const token = await issue();
    cached = { token, until: Date.now() + 50 * 60_000 };
    return token;
  };
}
