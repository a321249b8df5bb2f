/**
 * Sign-in through the identity provider, with oauth4webapi (a maintained,
 * certified OpenID client): discovery, authorization code with PKCE and a
 * nonce, the ID token checked, the access token the gateway verifies. The
 * same in development (the development provider, whose sign-in page is the
 * persona picker) as in production. Tokens are kept per tab (sessionStorage,
 * session.ts); a refresh token, when the provider gives one, extends the
 * session; signing out ends the provider's session too.
 */
import * as oauth from 'oauth4webapi';
import type { App, Session } from './session.ts';
import { loadSession, saveSession } from './session.ts';

export interface OidcConfig {
  issuer: string;
}

const PENDING = 'citizen-graph.oidc.pending';
const CALLBACK = '/oidc/callback';
const HOME: Record<App, string> = { portal: '/', console: '/console', explorer: '/explorer' };

// The development provider runs on http://localhost; a production issuer is https, where this changes nothing.
const options = (issuer: URL) => ({ [oauth.allowInsecureRequests]: issuer.protocol === 'http:' && ['localhost', '127.0.0.1'].includes(issuer.hostname) });

const servers = new Map<string, Promise<oauth.AuthorizationServer>>();
function discover(issuer: string): Promise<oauth.AuthorizationServer> {
  let server = servers.get(issuer);
  if (!server) {
    const url = new URL(issuer);
    server = oauth.discoveryRequest(url, options(url)).then((response) => oauth.processDiscoveryResponse(url, response));
    server.catch(() => servers.delete(issuer));
    servers.set(issuer, server);
  }
  return server;
}

interface Pending {
  issuer: string;
  client: string;
  app: App;
  verifier: string;
  state: string;
  nonce: string;
}

export async function startOidcSignIn(config: OidcConfig, client: string, app: App, extra: { acr?: string; language?: string; prompt?: 'login' } = {}): Promise<void> {
  const as = await discover(config.issuer);
  const pending: Pending = { issuer: config.issuer, client, app, verifier: oauth.generateRandomCodeVerifier(), state: oauth.generateRandomState(), nonce: oauth.generateRandomNonce() };
  sessionStorage.setItem(PENDING, JSON.stringify(pending));
  const url = new URL(as.authorization_endpoint!);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: client,
    redirect_uri: `${location.origin}${CALLBACK}`,
    scope: 'openid profile',
    state: pending.state,
    nonce: pending.nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(pending.verifier),
    code_challenge_method: 'S256',
    ...(extra.acr ? { acr_values: extra.acr } : {}),
    ...(extra.language ? { ui_locales: extra.language } : {}),
    ...(extra.prompt ? { prompt: extra.prompt } : {}),
  }).toString();
  location.assign(url.toString());
}

function sessionFrom(result: oauth.TokenEndpointResponse, pending: Pick<Pending, 'issuer' | 'client'>, previous?: Session): Session {
  const claims = oauth.getValidatedIdTokenClaims(result);
  const sub = claims?.sub ?? previous?.sub ?? '';
  return {
    token: result.access_token,
    sub,
    // Names come from the verified ID token, decoded as UTF-8 (ä, õ, š intact).
    name: (typeof claims?.name === 'string' ? claims.name : undefined) ?? previous?.name ?? sub,
    client: pending.client,
    issuer: pending.issuer,
    issuedAt: Date.now(),
    expiresAt: Date.now() + (result.expires_in ?? 300) * 1000,
    refreshToken: result.refresh_token ?? previous?.refreshToken,
    idToken: result.id_token ?? previous?.idToken,
  };
}

/** On /oidc/callback: checks state, exchanges the code (PKCE), checks the ID token's nonce, stores the session; returns the page to go back to. */
export async function finishOidcSignIn(): Promise<string> {
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null') as Pending | null;
  sessionStorage.removeItem(PENDING);
  if (!pending) throw new Error('no sign-in was started in this tab');
  const as = await discover(pending.issuer);
  const client: oauth.Client = { client_id: pending.client };
  const params = oauth.validateAuthResponse(as, client, new URL(location.href), pending.state);
  const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, `${location.origin}${CALLBACK}`, pending.verifier, options(new URL(pending.issuer)));
  const result = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: pending.nonce, requireIdToken: true });
  saveSession(pending.app, sessionFrom(result, pending));
  return HOME[pending.app];
}

/** A fresh access token for the same sign-in (refresh token), or undefined when the provider gave none or refuses. */
export async function extendSession(app: App): Promise<Session | undefined> {
  const session = loadSession(app);
  if (!session?.refreshToken || !session.issuer) return undefined;
  try {
    const as = await discover(session.issuer);
    const client: oauth.Client = { client_id: session.client };
    const response = await oauth.refreshTokenGrantRequest(as, client, oauth.None(), session.refreshToken, options(new URL(session.issuer)));
    const result = await oauth.processRefreshTokenResponse(as, client, response);
    const next = sessionFrom(result, { issuer: session.issuer, client: session.client }, session);
    saveSession(app, next);
    return next;
  } catch {
    return undefined;
  }
}

/** Ends the provider's session too (RP-initiated logout), coming back to the page's start. */
export async function signOutAtProvider(session: Session, app: App): Promise<void> {
  if (!session.issuer) return;
  const as = await discover(session.issuer).catch(() => undefined);
  if (!as?.end_session_endpoint) return;
  const url = new URL(as.end_session_endpoint);
  url.search = new URLSearchParams({ client_id: session.client, post_logout_redirect_uri: `${location.origin}${HOME[app]}`, ...(session.idToken ? { id_token_hint: session.idToken } : {}) }).toString();
  location.assign(url.toString());
}
