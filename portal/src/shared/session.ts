/**
 * Who is signed in, per page (portal or console), kept in sessionStorage so a
 * reload keeps the session and closing the tab ends it. In development the
 * token comes from the gateway's dev identity provider (POST /dev/token); in a
 * production configuration from the OIDC provider (oidc.ts).
 */
export type App = 'portal' | 'console' | 'caseworker' | 'explorer';

export interface Session {
  token: string;
  sub: string;
  name: string;
  client: string;
}

export interface Persona {
  id: string;
  role: string;
  name: string;
  description: string;
}

export interface PortalConfig {
  signIn: 'dev-personas' | 'oidc';
  oidc?: { authorizationEndpoint: string; tokenEndpoint: string } | null;
  explorer: boolean;
}

const key = (app: App) => `citizen-graph.${app}.session`;

export function loadSession(app: App): Session | null {
  try {
    const raw = sessionStorage.getItem(key(app));
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

export function saveSession(app: App, session: Session): void {
  sessionStorage.setItem(key(app), JSON.stringify(session));
}

export function clearSession(app: App): void {
  sessionStorage.removeItem(key(app));
}

/** An HTTP call to the gateway that failed: the gateway's own message and code. */
export class GatewayError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly status: number,
  ) {
    super(message);
  }
}

async function json<T>(response: Response): Promise<T> {
  const body = (await response.json().catch(() => null)) as { errors?: { message: string; extensions?: { code?: string } }[] } | null;
  if (!response.ok) {
    const first = body?.errors?.[0];
    throw new GatewayError(first?.message ?? `the gateway answered ${response.status}`, first?.extensions?.code, response.status);
  }
  return body as T;
}

export async function fetchConfig(): Promise<PortalConfig> {
  return json<PortalConfig>(await fetch('/portal/config.json'));
}

export async function fetchPersonas(): Promise<Persona[]> {
  return (await json<{ personas: Persona[] }>(await fetch('/dev/personas'))).personas;
}

export async function devToken(sub: string, client: string, acr?: 'low' | 'substantial' | 'high'): Promise<string> {
  const response = await fetch('/dev/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sub, client, acr }),
  });
  return (await json<{ token: string }>(response)).token;
}

/** GET a JSON view of the gateway with the session's token (the privacy console's policy views). */
export async function getJson<T>(path: string, token: string): Promise<T> {
  return json<T>(await fetch(path, { headers: { authorization: `Bearer ${token}` } }));
}

export const isPersonalCode = (id: string) => /^\d{11}$/.test(id);
