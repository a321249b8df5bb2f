/**
 * How a service (the offers engine, the life-event relay, a partner's
 * system) gets its access token: the OAuth 2.0 client credentials grant at
 * the identity provider's token endpoint (found through discovery), with a
 * client secret or a private key (`private_key_jwt`, RFC 7523), through
 * oauth4webapi. The token is kept until shortly before its `exp` and shared
 * by concurrent callers; one request at a time renews it.
 *
 * The same code runs against the development provider (credentials from
 * identity-provider/clients.yaml) and a production one (OIDC_* variables,
 * docs/configuration.md).
 */
import * as oauth from 'oauth4webapi';
import { importJWK, type JWK } from 'jose';

export type TokenSource = () => Promise<string>;

export interface ServiceCredentials {
  issuer: string;
  clientId: string;
  /** client_secret_post … */
  secret?: string;
  /** … or private_key_jwt: the client's private JWK (its public half registered at the provider). */
  privateKey?: JWK;
  /** RFC 8707 resource indicator, when the provider wants one (the development provider defaults to the graph). */
  resource?: string;
  scope?: string;
}

/** Renew this long before `exp`: a token checked by the gateway a moment later must still be valid. */
const RENEW_BEFORE_SECONDS = 60;

export class ServiceTokenError extends Error {}

const insecure = (issuer: URL) => issuer.protocol === 'http:';

/** The provider's metadata, once per issuer and process (and again after a failure). */
const discovered = new Map<string, Promise<oauth.AuthorizationServer>>();
export function discover(issuer: string): Promise<oauth.AuthorizationServer> {
  let metadata = discovered.get(issuer);
  if (!metadata) {
    const url = new URL(issuer);
    metadata = oauth
      .discoveryRequest(url, { [oauth.allowInsecureRequests]: insecure(url), signal: AbortSignal.timeout(5_000) })
      .then((response) => oauth.processDiscoveryResponse(url, response));
    metadata.catch(() => discovered.delete(issuer));
    discovered.set(issuer, metadata);
  }
  return metadata;
}

export function clientCredentialsTokenSource(credentials: ServiceCredentials, now: () => number = Date.now): TokenSource {
  if (!credentials.secret && !credentials.privateKey) throw new ServiceTokenError(`${credentials.clientId}: a client secret or a private key is needed`);
  const client: oauth.Client = { client_id: credentials.clientId };
  let auth: Promise<oauth.ClientAuth> | undefined;
  const clientAuth = () =>
    (auth ??= credentials.secret
      ? Promise.resolve(oauth.ClientSecretPost(credentials.secret))
      : importJWK(credentials.privateKey!, credentials.privateKey!.alg ?? 'ES256').then((key) => oauth.PrivateKeyJwt({ key: key as CryptoKey, kid: credentials.privateKey!.kid })));
  let cached: { token: string; renewAt: number } | undefined;
  let pending: Promise<string> | undefined;

  const fetchToken = async () => {
    const as = await discover(credentials.issuer);
    const parameters: Record<string, string> = {};
    if (credentials.resource) parameters.resource = credentials.resource;
    if (credentials.scope) parameters.scope = credentials.scope;
    const options = { [oauth.allowInsecureRequests]: insecure(new URL(credentials.issuer)), signal: AbortSignal.timeout(10_000) };
    let result: oauth.TokenEndpointResponse;
    try {
      const response = await oauth.clientCredentialsGrantRequest(as, client, await clientAuth(), parameters, options);
      result = await oauth.processClientCredentialsResponse(as, client, response);
    } catch (error) {
      // The provider's error code only: never the secret, never the request.
      const code = error instanceof oauth.ResponseBodyError ? error.error : (error as Error).message;
      throw new ServiceTokenError(`${credentials.clientId} got no token from ${credentials.issuer}: ${code}`);
    }
    const lifetime = result.expires_in ?? 300;
    cached = { token: result.access_token, renewAt: now() + Math.max(lifetime - RENEW_BEFORE_SECONDS, lifetime / 2) * 1000 };
    return result.access_token;
  };

  return async () => {
    if (cached && now() < cached.renewAt) return cached.token;
    pending ??= fetchToken().finally(() => (pending = undefined));
    return pending;
  };
}
