/**
 * The oidc-provider instance of the development identity provider: its
 * clients (clients.yaml), accounts (the demo personas), assurance levels, and
 * the access tokens the gateway accepts (JWT per RFC 9068 for one resource,
 * the graph, with the claims of CONTRACTS.md "Identity").
 */
import { randomUUID } from 'node:crypto';
import type Provider from 'oidc-provider';
import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';
import { accountClaims, ASSURANCE_LEVELS, findAccount, isAssuranceLevel, type Account, type Actor, type AssuranceLevel } from './accounts.ts';
import { clientMetadata, loopbackRedirectAllowed, type DevClient } from './clients.ts';
import { providerJwks, SIGNING_ALG, type KeyRing } from './keys.ts';

/** The graph, as a resource server (RFC 8707): the only audience this provider issues access tokens for. */
export const GRAPH_RESOURCE = 'urn:citizen-graph:graph';
export const GRAPH_SCOPE = 'graph';

export interface ProviderSettings {
  issuer: string;
  audience: string;
  clients: DevClient[];
  keys: KeyRing;
  cookieKeys: string[];
  /** Access token lifetime, seconds (default an hour: the gateway's limit). */
  accessTokenSeconds?: number;
}

/** Claims the dev shortcut asks for, by token: it mints outside any request, so there is no context to read them from. */
export const mintedClaims = new WeakMap<object, Record<string, unknown>>();

type TokenLike = { kind: string; accountId?: string; clientId?: string };

/**
 * A service's assurance is that of its client authentication (RFC 8176 methods): a shared
 * secret counts as substantial, proof of a private key (private_key_jwt) as high.
 */
function serviceClaims(authMethod: string | undefined): Record<string, unknown> {
  const key = authMethod === 'private_key_jwt';
  return { actor: 'service' satisfies Actor, acr: key ? 'high' : 'substantial', amr: [key ? 'pop' : 'pwd'] };
}

function claimsForToken(ctx: KoaContextWithOIDC | undefined, token: TokenLike): Record<string, unknown> | undefined {
  const minted = mintedClaims.get(token);
  if (minted) return minted;
  if (token.kind === 'ClientCredentials') return serviceClaims(ctx?.oidc.client?.clientAuthMethod);
  const account = token.accountId ? findAccount(token.accountId) : undefined;
  if (!account) return undefined;
  // The level and methods of the sign-in that this token descends from (code, or refresh token after it).
  const origin = ctx?.oidc.entities.AuthorizationCode ?? ctx?.oidc.entities.RefreshToken;
  const acr = isAssuranceLevel(origin?.acr) ? origin.acr : 'low';
  return accountClaims(account, acr, origin?.amr);
}

/**
 * oidc-provider 9 says at import that Node 20 is not a runtime it targets: it runs on 20 (the whole suite
 * does), so that one line is held back; every other warning passes. Imported on first use, so a process
 * that stops before it starts a provider (a bad variable, a port taken) prints only its own message.
 */
async function loadOidcProvider() {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!(typeof args[0] === 'string' && args[0].includes('oidc-provider WARNING: Unsupported runtime'))) warn(...args);
  };
  try {
    const [library, memory] = await Promise.all([import('oidc-provider'), import('oidc-provider/lib/adapters/memory_adapter.js')]);
    return { Provider: library.default, errors: library.errors, createMemoryAdapter: memory.createMemoryAdapter };
  } finally {
    console.warn = warn;
  }
}

/**
 * The library's own in-memory store, named explicitly: this provider is a development one, and what it keeps
 * (sessions, interactions, grants) may be lost with the process. One store for every instance in the process,
 * so a key rotation (a new instance) keeps sessions.
 */
let memoryAdapter: Configuration['adapter'];

export async function createProvider(settings: ProviderSettings): Promise<Provider> {
  const { Provider: OidcProvider, errors, createMemoryAdapter } = await loadOidcProvider();
  memoryAdapter ??= createMemoryAdapter();
  const ttl = settings.accessTokenSeconds ?? 3_600;
  const configuration: Configuration = {
    adapter: memoryAdapter,
    clients: clientMetadata(settings.clients) as unknown as Configuration['clients'],
    jwks: providerJwks(settings.keys) as Configuration['jwks'],
    cookies: { keys: settings.cookieKeys },
    async findAccount(_ctx, id) {
      const account = findAccount(id);
      if (!account) return undefined;
      const [given, ...family] = (account.name ?? '').split(' ');
      return {
        accountId: id,
        claims: () => ({ sub: id, ...(account.name ? { name: account.name, given_name: given, family_name: family.join(' ') } : {}) }),
      };
    },
    claims: { openid: ['sub'], profile: ['name', 'given_name', 'family_name'] },
    scopes: ['openid', 'profile', 'offline_access', GRAPH_SCOPE],
    acrValues: [...ASSURANCE_LEVELS],
    pkce: { required: () => true },
    clientDefaults: { id_token_signed_response_alg: SIGNING_ALG, grant_types: ['authorization_code'], response_types: ['code'] },
    enabledJWA: { idTokenSigningAlgValues: [SIGNING_ALG] },
    // Pages on the gateway's origin call the token endpoint: CORS for registered clients only.
    clientBasedCORS: (_ctx, origin, client) => client.clientAuthMethod === 'none' && loopbackRedirectAllowed(`${origin}/oidc/callback`, client.redirectUris ?? []),
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      revocation: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          // No question asked: signing out is what the person just chose in the portal.
          ctx.body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Signing out</title></head><body>${form.replace('</form>', '<input type="hidden" name="logout" value="yes"></form>')}<script nonce="${ctx.state.cspNonce ?? ''}">document.forms[0].submit()</script></body></html>`;
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => GRAPH_RESOURCE,
        useGrantedResource: () => true,
        async getResourceServerInfo(_ctx, indicator) {
          if (indicator !== GRAPH_RESOURCE) throw new errors.InvalidTarget();
          return { scope: GRAPH_SCOPE, audience: settings.audience, accessTokenTTL: ttl, accessTokenFormat: 'jwt', jwt: { sign: { alg: SIGNING_ALG } } };
        },
      },
    },
    async extraTokenClaims(ctx, token) {
      return claimsForToken(ctx, token as unknown as TokenLike);
    },
    // First-party clients: signing in is the consent; every client gets the graph and the person's name.
    async loadExistingGrant(ctx) {
      const { client, session } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const grantId = ctx.oidc.result?.consent?.grantId ?? session.grantIdFor(client.clientId);
      if (grantId) {
        const existing = await ctx.oidc.provider.Grant.find(grantId);
        if (existing) return existing;
      }
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope('openid profile offline_access');
      grant.addResourceScope(GRAPH_RESOURCE, GRAPH_SCOPE);
      await grant.save();
      session.grantIdFor(client.clientId, grant.jti);
      return grant;
    },
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    ttl: {
      AccessToken: ttl,
      ClientCredentials: ttl,
      IdToken: ttl,
      AuthorizationCode: 60,
      Interaction: 600,
      Session: 8 * 3_600,
      Grant: 8 * 3_600,
      // A refresh token never outlives the provider's session: signing out at the provider ends them all.
      RefreshToken: 8 * 3_600,
    },
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign-in failed</title></head><body><main><h1>Sign-in failed</h1><p>${escapeHtml(String(out.error_description ?? out.error))}</p></main></body></html>`;
    },
  };
  const provider = new OidcProvider(settings.issuer, configuration);
  // RFC 8252: a page on a loopback gateway may use any port (tests run gateways on free ports).
  const { Client } = provider;
  Client.prototype.redirectUriAllowed = function (this: InstanceType<typeof Client>, uri: string) {
    return loopbackRedirectAllowed(uri, this.redirectUris ?? []);
  };
  Client.prototype.postLogoutRedirectUriAllowed = function (this: InstanceType<typeof Client>, uri: string) {
    return loopbackRedirectAllowed(uri, this.postLogoutRedirectUris ?? []);
  };
  return provider;
}

export interface MintRequest {
  sub: string;
  client: string;
  acr?: AssuranceLevel;
  amr?: string[];
  /** Overrides what the provider knows of the account (tests of the gateway's refusals). */
  actor?: string;
  entitlements?: string[];
  lifetimeSeconds?: number;
}

export class MintRefused extends Error {}

/**
 * The dev shortcut: an access token exactly as the token endpoint would issue
 * it to `client` after `sub` signed in at `acr` (or, when `sub` is a service
 * client itself, after a client credentials grant), without the browser round
 * trip. Same issuer, same keys, same format; development and tests only.
 */
export async function mintAccessToken(provider: Provider, settings: ProviderSettings, request: MintRequest, inProcess = false): Promise<string> {
  const client = await provider.Client.find(request.client);
  if (!client) throw new MintRefused(`"client" must be one of: ${settings.clients.map((c) => c.id).join(', ')}`);
  const serviceSelf = request.sub === request.client && client.grantTypeAllowed('client_credentials');
  const resourceServer = new provider.ResourceServer(GRAPH_RESOURCE, { scope: GRAPH_SCOPE, audience: settings.audience, accessTokenTTL: settings.accessTokenSeconds ?? 3_600, accessTokenFormat: 'jwt', jwt: { sign: { alg: SIGNING_ALG } } });
  const expiresIn = request.lifetimeSeconds ?? settings.accessTokenSeconds ?? 3_600;
  let token;
  let claims: Record<string, unknown>;
  if (serviceSelf) {
    token = new provider.ClientCredentials({ client, scope: GRAPH_SCOPE, expiresIn });
    claims = serviceClaims(client.clientAuthMethod);
  } else {
    // In process only (tests, benchmarks): a subject the provider does not know, as staff unless the caller states another kind.
    const stated: Account | undefined = inProcess ? { id: request.sub, actor: request.actor === 'citizen' ? 'citizen' : 'staff', entitlements: request.entitlements ?? [] } : undefined;
    const account = findAccount(request.sub) ?? stated;
    if (!account) throw new MintRefused('"sub" must be a demo persona id, a valid personal code, or a service client\'s own id');
    token = new provider.AccessToken({ accountId: account.id, client, grantId: randomUUID(), scope: GRAPH_SCOPE, gty: 'authorization_code', expiresIn });
    claims = accountClaims(account, request.acr ?? 'substantial', request.amr);
  }
  if (request.actor !== undefined) claims.actor = request.actor;
  if (request.entitlements !== undefined) claims.entitlements = request.entitlements;
  token.resourceServer = resourceServer;
  mintedClaims.set(token, claims);
  return token.save();
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
