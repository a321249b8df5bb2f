/**
 * The fixed people every environment has, for demos and for tests that look
 * at one citizen end to end. Citizens among them get the same personal code
 * in every population; staff have no rows in any register.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isSyntheticPersonalCode } from './personal-code.ts';

export const CITIZEN_PERSONA_ROLES = ['newborn-mother', 'single-parent', 'large-family', 'near-retirement'] as const;
export const STAFF_PERSONA_ROLES = ['caseworker', 'privacy-officer', 'registrar', 'tax-officer'] as const;
export type CitizenPersonaRole = (typeof CITIZEN_PERSONA_ROLES)[number];
export type StaffPersonaRole = (typeof STAFF_PERSONA_ROLES)[number];
export type PersonaRole = CitizenPersonaRole | StaffPersonaRole;

export interface Persona {
  id: string;
  role: PersonaRole;
  name: string;
  description: string;
  /** Staff only: the roles the identity provider vouches for in their tokens (the policy names one per purpose). */
  entitlements: string[];
}

export const PERSONAS_PATH = fileURLToPath(new URL('./personas.json', import.meta.url));

const ROLES: readonly string[] = [...CITIZEN_PERSONA_ROLES, ...STAFF_PERSONA_ROLES];
const isCitizenRole = (role: PersonaRole): role is CitizenPersonaRole => (CITIZEN_PERSONA_ROLES as readonly string[]).includes(role);

/** Reads and checks personas.json: every role exactly once, citizens with valid synthetic codes, staff with staff ids. */
export function loadPersonas(path = PERSONAS_PATH): Persona[] {
  const raw: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (!Array.isArray(raw)) throw new Error(`${path}: expected an array of personas`);
  const personas = raw.map((entry: unknown, i): Persona => {
    const where = `${path}[${i}]`;
    if (typeof entry !== 'object' || entry === null) throw new Error(`${where}: expected an object`);
    const { id, role, name, description, entitlements = [] } = entry as Record<string, unknown>;
    for (const [field, value] of Object.entries({ id, role, name, description })) {
      if (typeof value !== 'string' || value === '') throw new Error(`${where}.${field}: expected a non-empty string`);
    }
    if (!ROLES.includes(role as string)) throw new Error(`${where}.role: unknown role "${String(role)}"`);
    if (!Array.isArray(entitlements) || !entitlements.every((e) => typeof e === 'string' && /^[a-z][a-z0-9-]*:[a-z][a-z0-9-]*$/.test(e))) {
      throw new Error(`${where}.entitlements: expected a list of entitlements like "sib:caseworker"`);
    }
    const persona = { id, role, name, description, entitlements } as Persona;
    if (isCitizenRole(persona.role) && entitlements.length) throw new Error(`${where}.entitlements: only staff carry entitlements`);
    if (isCitizenRole(persona.role) ? !isSyntheticPersonalCode(persona.id) : !/^staff-\d{4}$/.test(persona.id)) {
      throw new Error(`${where}.id: "${persona.id}" is not a valid ${isCitizenRole(persona.role) ? 'synthetic personal code' : 'staff id (staff-NNNN)'}`);
    }
    return persona;
  });
  for (const role of ROLES) {
    const count = personas.filter((p) => p.role === role).length;
    if (count !== 1) throw new Error(`${path}: role "${role}" must appear exactly once, found ${count}`);
  }
  return personas;
}

let cached: Persona[] | undefined;
export function personas(): readonly Persona[] {
  return (cached ??= loadPersonas());
}

export function personaByRole(role: PersonaRole): Persona {
  return personas().find((p) => p.role === role)!;
}

export function citizenPersonas(): Persona[] {
  return personas().filter((p) => isCitizenRole(p.role));
}
