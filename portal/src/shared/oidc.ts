/**
 * Production sign-in: OpenID Connect authorization code flow with PKCE
 * (RFC 7636), the portal being a public client. The provider redirects back
 * to /oidc/callback, where the code is exchanged for the access token the
 * gateway verifies (client_id claim = this page's client id).
 */
import type { App, Session } from './session.ts';
import { saveSession } from './session.ts';

interface OidcEndpoints {
  authorizationEndpoint: string;
  tokenEndpoint: string;
}

const PENDING = 'citizen-graph.oidc.pending';

const base64url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const random = (n: number) => base64url(crypto.getRandomValues(new Uint8Array(n)));

export async function startOidcSignIn(endpoints: OidcEndpoints, client: string): Promise<void> {
  const verifier = random(32);
  const state = random(16);
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  const app: App = location.pathname.startsWith('/console') ? 'console' : 'portal';
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, client, app, tokenEndpoint: endpoints.tokenEndpoint }));
  const url = new URL(endpoints.authorizationEndpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: client,
    redirect_uri: `${location.origin}/oidc/callback`,
    scope: 'openid',
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  location.assign(url.toString());
}

/** On /oidc/callback: exchanges the code, stores the session, returns the page to go back to. */
export async function finishOidcSignIn(): Promise<string> {
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null') as { verifier: string; state: string; client: string; app: App; tokenEndpoint: string } | null;
  sessionStorage.removeItem(PENDING);
  const params = new URLSearchParams(location.search);
  if (!pending || params.get('state') !== pending.state) throw new Error('The sign-in could not be completed (unexpected state). Please start again.');
  if (params.get('error')) throw new Error(`The identity provider refused the sign-in: ${params.get('error_description') ?? params.get('error')}`);
  const response = await fetch(pending.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: params.get('code') ?? '',
      redirect_uri: `${location.origin}/oidc/callback`,
      client_id: pending.client,
      code_verifier: pending.verifier,
    }),
  });
  if (!response.ok) throw new Error(`The identity provider did not issue a token (${response.status}).`);
  const { access_token: token } = (await response.json()) as { access_token: string };
  const claims = JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as { sub: string; name?: string };
  const session: Session = { token, sub: claims.sub, name: claims.name ?? claims.sub, client: pending.client };
  saveSession(pending.app, session);
  return pending.app === 'console' ? '/console' : '/';
}
