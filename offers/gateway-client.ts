/**
 * How the offers engine and the life-event relay talk to the graph: real HTTP
 * to the gateway, a service token for their client, a declared purpose and a
 * case reference (the run or event id) on every request, like any other client.
 */
export type TokenSource = () => Promise<string>;

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

/** A token from the development identity provider (POST /dev/token), renewed before it expires. */
export function devTokenSource(gatewayUrl: string, client: string): TokenSource {
  let cached: { token: string; until: number } | undefined;
  return async () => {
    if (cached && cached.until > Date.now()) return cached.token;
    const response = await fetch(new URL('/dev/token', gatewayUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sub: client, client }),
    });
    const body = (await response.json()) as { token?: string; errors?: { message: string }[] };
    if (!body.token) throw new Error(`no service token for ${client}: ${body.errors?.[0]?.message ?? response.status}`);
    cached = { token: body.token, until: Date.now() + 50 * 60_000 };
    return body.token;
  };
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

/**
 * OAuth 2.0 client credentials (RFC 6749 §4.4) at the identity provider's token
 * endpoint, the client authenticating with its secret (client_secret_basic),
 * renewed a minute before `expires_in` runs out.
 */
export function clientCredentialsTokenSource(tokenUrl: string, client: string, secret: string): TokenSource {
  let cached: { token: string; until: number } | undefined;
  return async () => {
    if (cached && cached.until > Date.now()) return cached.token;
    const response = await fetch(tokenUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${encodeURIComponent(client)}:${encodeURIComponent(secret)}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'client_credentials' }).toString(),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await response.json().catch(() => ({}))) as { access_token?: string; expires_in?: number; error?: string };
    if (!response.ok || !body.access_token) throw new Error(`no service token for ${client}: ${body.error ?? response.status}`);
    cached = { token: body.access_token, until: Date.now() + Math.max(0, (body.expires_in ?? 300) - 60) * 1000 };
    return body.access_token;
  };
}

/** The configured way: client credentials when the provider is configured, else the gateway's development issuer. */
export function serviceTokenSource(config: { tokenUrl?: string; secrets: Record<string, string | undefined> }, gatewayUrl: string, client: string): TokenSource {
  const secret = config.secrets[client];
  if (config.tokenUrl && secret) return clientCredentialsTokenSource(config.tokenUrl, client, secret);
  return devTokenSource(gatewayUrl, client);
}
