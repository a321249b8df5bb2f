/**
 * Who may sign in at the development provider: the demo personas
 * (seed/personas.json), and any valid personal code as a citizen. What the
 * provider asserts about them is decided here, once, for the login page, the
 * tokens and the dev shortcut alike.
 */
import { loadPersonas, type Persona } from '../seed/personas.ts';
import { isValidPersonalCode } from '../platform/personal-code.ts';

export type Actor = 'citizen' | 'staff' | 'service';
export const ASSURANCE_LEVELS = ['low', 'substantial', 'high'] as const;
export type AssuranceLevel = (typeof ASSURANCE_LEVELS)[number];

export interface Account {
  id: string;
  actor: Exclude<Actor, 'service'>;
  name?: string;
  entitlements: string[];
  persona?: Persona;
}

let personas: Persona[] | undefined;
export const devPersonas = () => (personas ??= loadPersonas());

export function findAccount(id: string): Account | undefined {
  const persona = devPersonas().find((p) => p.id === id);
  if (persona) {
    const staff = !isValidPersonalCode(persona.id);
    return { id, actor: staff ? 'staff' : 'citizen', name: persona.name, entitlements: staff ? persona.entitlements : [], persona };
  }
  return isValidPersonalCode(id) ? { id, actor: 'citizen', entitlements: [] } : undefined;
}

/**
 * The authentication methods (RFC 8176) a level stands for at this provider,
 * modelled on the Estonian means: a password at `low`, a mobile app with a
 * PIN at `substantial`, a chip card with a PIN at `high`.
 */
export const AMR_FOR_LEVEL: Record<AssuranceLevel, string[]> = { low: ['pwd'], substantial: ['swk', 'pin', 'mfa'], high: ['hwk', 'pin', 'mfa'] };

/** The access token's claims beyond iss/sub/aud/exp/client_id (CONTRACTS.md, "Identity"). */
export function accountClaims(account: Account, acr: AssuranceLevel, amr: string[] = AMR_FOR_LEVEL[acr]): Record<string, unknown> {
  return { acr, amr, actor: account.actor, ...(account.actor === 'staff' ? { entitlements: account.entitlements } : {}) };
}

export const isAssuranceLevel = (value: unknown): value is AssuranceLevel => typeof value === 'string' && (ASSURANCE_LEVELS as readonly string[]).includes(value);
