/**
 * Signs a persona in at the development provider as a page would (code +
 * PKCE + nonce with oauth4webapi), without a browser: its login page is a
 * plain form, so a cookie jar and manual redirects are enough.
 */
import * as oauth from 'oauth4webapi';

const insecure = { [oauth.allowInsecureRequests]: true };

function cookieJar() {
  const cookies = new Map<string, string>();
  return async (url: string, init: RequestInit = {}): Promise<Response> => {
    const response = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, value] = pair!.split('=');
      cookies.set(name!, value ?? '');
    }
    return response;
  };
}

export async function signInWithCode(issuer: string, client: string, persona: string, acr: string, acrValues = 'substantial') {
  const issuerUrl = new URL(issuer);
  const as = await oauth.processDiscoveryResponse(issuerUrl, await oauth.discoveryRequest(issuerUrl, insecure));
  const verifier = oauth.generateRandomCodeVerifier();
  const nonce = oauth.generateRandomNonce();
  const state = oauth.generateRandomState();
  const redirectUri = 'http://localhost:45678/oidc/callback';
  const authorize = new URL(as.authorization_endpoint!);
  authorize.search = new URLSearchParams({ client_id: client, redirect_uri: redirectUri, response_type: 'code', scope: 'openid profile', code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', nonce, state, acr_values: acrValues, ui_locales: 'en' }).toString();
  const go = cookieJar();
  let response = await go(authorize.toString());
  let location = new URL(response.headers.get('location')!, issuer);
  if (!location.pathname.startsWith('/interaction/')) throw new Error(`expected the login page, was sent to ${location.pathname}`);
  response = await go(location.toString());
  const loginPage = await response.text();
  response = await go(new URL(`${location.pathname}/login`, issuer).toString(), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ persona, acr }).toString() });
  // The provider goes back to the authorization endpoint, then to the client with the code.
  while (response.status >= 300 && response.status < 400) {
    location = new URL(response.headers.get('location')!, issuer);
    if (location.href.startsWith(redirectUri)) break;
    response = await go(location.toString());
  }
  const c: oauth.Client = { client_id: client };
  const params = oauth.validateAuthResponse(as, c, location, state);
  const tokenResponse = await oauth.authorizationCodeGrantRequest(as, c, oauth.None(), params, redirectUri, verifier, insecure);
  const result = await oauth.processAuthorizationCodeResponse(as, c, tokenResponse, { expectedNonce: nonce, requireIdToken: true });
  return { result, idToken: oauth.getValidatedIdTokenClaims(result)!, loginPage };
}
