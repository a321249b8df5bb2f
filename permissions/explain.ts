/**
 * `policy explain --purpose P`: what a purpose may read, on what basis, about
 * whom, and which clients may declare it. Computed by asking `decide` about
 * every classified field of the schema, so it shows the effect of the policy
 * (hierarchy, denials, field grants), not just the YAML.
 */
import { classify } from './decide.ts';
import { grantDecision, categoryOrder, lowestAcrAllowing } from './evaluate.ts';
import { ACR_LEVELS, PUBLIC, type Acr, type Policy, type Purpose } from './model.ts';
import type { SchemaFields } from './schema-fields.ts';

export interface CategoryGrant {
  category: string;
  description: string | undefined;
  /** The lowest session assurance at which all of these fields can be read. */
  acr: Acr;
  fields: string[];
}

export interface PurposeExplanation {
  id: string;
  purpose: Purpose;
  clients: { id: string; name: string }[];
  readable: CategoryGrant[];
  /** Fields refused because of the purpose's deny list, by category. */
  denied: { category: string; fields: string[] }[];
  /** Fields carrying no personal data: readable under every purpose. */
  publicFields: number;
}

export class UnknownPurposeError extends Error {
  constructor(readonly purpose: string, known: string[]) {
    super(`unknown purpose ${purpose}; the policy has: ${known.join(', ')}`);
    this.name = 'UnknownPurposeError';
  }
}

function groupByCategory(policy: Policy, fields: string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const field of fields) {
    const category = classify(policy, field) ?? '(unclassified)';
    groups.set(category, [...(groups.get(category) ?? []), field]);
  }
  return new Map([...groups].sort(([a], [b]) => categoryOrder(policy)(a, b)));
}

export function explainPurpose(policy: Policy, fields: SchemaFields, id: string): PurposeExplanation {
  if (!Object.hasOwn(policy.purposes, id)) throw new UnknownPurposeError(id, Object.keys(policy.purposes));
  const purpose = policy.purposes[id]!;
  const personal = fields.readable.filter((f) => {
    const category = classify(policy, f);
    return category !== undefined && category !== PUBLIC;
  });
  const readable = personal.filter((f) => grantDecision(policy, id, f).allow);
  const denied = personal.filter((f) => {
    const decision = grantDecision(policy, id, f);
    return !decision.allow && decision.reason === 'EXPLICITLY_DENIED';
  });
  const strictest = (acrs: Acr[]) => acrs.reduce<Acr>((a, b) => (ACR_LEVELS.indexOf(b) > ACR_LEVELS.indexOf(a) ? b : a), 'low');
  return {
    id,
    purpose,
    clients: Object.entries(policy.clients)
      .filter(([, client]) => client.purposes.includes(id))
      .map(([clientId, client]) => ({ id: clientId, name: client.name })),
    readable: [...groupByCategory(policy, readable)].map(([category, grouped]) => ({
      category,
      description: policy.categories[category]?.description,
      acr: strictest(grouped.map((f) => lowestAcrAllowing(policy, id, f) ?? 'high')),
      fields: grouped,
    })),
    denied: [...groupByCategory(policy, denied)].map(([category, grouped]) => ({ category, fields: grouped })),
    publicFields: fields.readable.filter((f) => classify(policy, f) === PUBLIC).length,
  };
}

const SUBJECT_MEANING: Record<string, string> = {
  self: 'self (the signed-in person)',
  represented: 'represented (people the signed-in person may act for)',
  any: 'any (anyone, on a case)',
};

/** Category descriptions can run to a paragraph; the first sentence names the data. */
const firstSentence = (text: string) => text.replace(/\s+/g, ' ').trim().split(/(?<=\.) /)[0];

export function formatExplanation(e: PurposeExplanation): string {
  const { purpose } = e;
  const fieldCount = e.readable.reduce((n, g) => n + g.fields.length, 0);
  const lines = [
    `purpose ${e.id}${purpose.internal ? ' (internal: used by the platform, no client may declare it)' : ''}`,
    `  ${purpose.description}`,
    '',
    `  legal basis  ${purpose.legalBasis.kind}: ${purpose.legalBasis.reference.replace(/\s+/g, ' ').trim()}`,
    `  subjects     ${purpose.subjects.map((s) => SUBJECT_MEANING[s] ?? s).join('; ')}`,
    `  assurance    at least ${purpose.acr}`,
    `  mutations    ${purpose.mutations.length ? purpose.mutations.join(', ') : 'none'}`,
    `  clients      ${e.clients.length ? e.clients.map((c) => `${c.id} (${c.name})`).join(', ') : purpose.internal ? '(the platform)' : 'none'}`,
    '',
    `may read ${fieldCount} personal field${fieldCount === 1 ? '' : 's'} in ${e.readable.length} categor${e.readable.length === 1 ? 'y' : 'ies'}, plus ${e.publicFields} public fields:`,
  ];
  if (e.readable.length === 0) lines.push('  (nothing)');
  for (const group of e.readable) {
    const acrNote = group.acr !== purpose.acr ? ` [needs assurance ${group.acr}]` : '';
    lines.push(`  ${group.category}${group.description ? ` — ${firstSentence(group.description)}` : ''}${acrNote}`);
    for (const field of group.fields) lines.push(`    ${field}`);
  }
  if (e.denied.length) {
    lines.push('', 'explicitly denied:');
    for (const group of e.denied) {
      lines.push(`  ${group.category}`);
      for (const field of group.fields) lines.push(`    ${field}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
