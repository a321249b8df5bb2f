/**
 * Who is signed in, per page (portal or console), kept in sessionStorage so a
 * reload keeps the session, another tab has its own, and closing the tab ends
 * it. The tokens come from the identity provider (oidc.ts), in development as
 * in production; the explorer alone (development only) still takes tokens
 * from the gateway's dev shortcut (POST /dev/token) for any client it tries.
 */
export type App = 'portal' | 'console' | 'explorer';

export interface Session {
  token: string;
  sub: string;
  name: string;
  client: string;
  /** The provider that signed the person in (absent for the explorer's dev tokens). */
  issuer?: string;
  /** When the access token expires (ms since the epoch), and when it was issued. */
  expiresAt?: number;
  issuedAt?: number;
  refreshToken?: string;
  idToken?: string;
}

export interface Persona {
  id: string;
  role: string;
  name: string;
  description: string;
}

export interface PortalConfig {
  /** The identity provider pages sign in at (null: not configured). */
  oidc: { issuer: string } | null;
  /** Development: the provider is the development one (its sign-in page lists the demo personas). */
  development: boolean;
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

/** GET a JSON view of the gateway with the session's token (the privacy console's policy views). */
export async function getJson<T>(path: string, token: string): Promise<T> {
  return json<T>(await fetch(path, { headers: { authorization: `Bearer ${token}` } }));
}

export const isPersonalCode = (id: string) => /^\d{11}$/.test(id);
