/**
 * "Who may read `Citizen.annualIncome`, and why?" — the privacy console's
 * field search. Asks `decide` (through evaluate.ts) about one field under every
 * purpose, so the answer is what the gateway enforces, not a reading of the YAML.
 */
import { classify } from './decide.ts';
import { grantDecision, lowestAcrAllowing } from './evaluate.ts';
import type { Acr, Policy, SubjectScope } from './model.ts';
import type { SchemaFields } from './schema-fields.ts';

export interface FieldReader {
  purpose: string;
  description: string;
  legalBasis: string;
  subjects: SubjectScope[];
  /** The lowest sign-in assurance at which this purpose reads the field. */
  acr: Acr;
  /** Clients that may declare the purpose; empty for the platform's internal purposes. */
  clients: string[];
  internal: boolean;
}

export interface FieldAnswer {
  field: string;
  category: string | undefined;
  readers: FieldReader[];
  /** Purposes whose deny list names the field's category (stated "never", for reviewers). */
  deniedBy: string[];
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

export function whoMayRead(policy: Policy, field: string): FieldAnswer {
  const readers: FieldReader[] = [];
  const deniedBy: string[] = [];
  for (const [id, purpose] of Object.entries(policy.purposes)) {
    const decision = grantDecision(policy, id, field);
    if (!decision.allow) {
      if (decision.reason === 'EXPLICITLY_DENIED') deniedBy.push(id);
      continue;
    }
    readers.push({
      purpose: id,
      description: oneLine(purpose.description),
      legalBasis: `${purpose.legalBasis.kind}: ${oneLine(purpose.legalBasis.reference)}`,
      subjects: purpose.subjects,
      acr: lowestAcrAllowing(policy, id, field) ?? 'high',
      clients: Object.entries(policy.clients)
        .filter(([, client]) => client.purposes.includes(id))
        .map(([clientId]) => clientId),
      internal: purpose.internal,
    });
  }
  return { field, category: classify(policy, field), readers, deniedBy };
}

/** Fields of the schema matching a search text (case-insensitive, on `Type.field`), at most `limit`. */
export function searchFields(fields: SchemaFields, text: string, limit = 50): string[] {
  const needle = text.trim().toLowerCase();
  if (!needle) return [];
  return fields.readable.filter((f) => f.toLowerCase().includes(needle)).slice(0, limit);
}
