/**
 * `policy diff REF`: what a policy change means, not how its YAML changed.
 * For every purpose, every field of the old and the new schema is judged with
 * `decide` under the old and the new policy; the report lists the fields that
 * became readable or stopped being readable (and at what assurance), plus
 * changes of legal basis and other purpose terms, of categories' assurance
 * floors, of classification, and of which client may use which purpose. Fields public on both sides are left out of
 * the per-purpose lists (they are readable under every purpose alike). Pure: reading the old version is git-snapshot.ts.
 */
import { classify } from './decide.ts';
import { lowestAcrAllowing } from './evaluate.ts';
import { clientActors, PUBLIC, type Acr, type Client, type Policy, type Purpose } from './model.ts';
import type { SchemaFields } from './schema-fields.ts';

export interface PolicySnapshot {
  policy: Policy;
  fields: SchemaFields;
}

export interface TermChange {
  term: 'legal basis' | 'subjects' | 'assurance' | 'mutations' | 'internal' | 'entitlement';
  from: string;
  to: string;
}

export interface PurposeDiff {
  purpose: string;
  status: 'added' | 'removed' | 'changed';
  newlyReadable: string[];
  noLongerReadable: string[];
  /** Fields readable before and after, at a different lowest assurance. */
  assuranceChanges: { field: string; from: Acr; to: Acr }[];
  termChanges: TermChange[];
}

export interface ClientDiff {
  client: string;
  status: 'added' | 'removed' | 'changed';
  purposesAdded: string[];
  purposesRemoved: string[];
  /** Who signs in through it, when that changed. */
  actors?: { from: string; to: string };
}

export interface ClassificationChange {
  field: string;
  /** Undefined: the field was not classified (or did not exist). */
  from: string | undefined;
  to: string | undefined;
}

/** A category added or removed, or its assurance floor changed (`minAcr`, 'none' when unset). */
export interface CategoryChange {
  category: string;
  status: 'added' | 'removed' | 'changed';
  minAcrFrom: string | undefined;
  minAcrTo: string | undefined;
}

export interface PolicyDiff {
  purposes: PurposeDiff[];
  clients: ClientDiff[];
  categories: CategoryChange[];
  classification: ClassificationChange[];
}

const union = (a: Iterable<string>, b: Iterable<string>) => [...new Set([...a, ...b])];
const minus = (a: readonly string[], b: readonly string[]) => a.filter((x) => !b.includes(x));
const own = <T>(record: Record<string, T>, key: string) => (Object.hasOwn(record, key) ? record[key] : undefined);

/** How a purpose may read a field in a snapshot: its lowest assurance, or undefined (not at all, or no such field). */
function access(snapshot: PolicySnapshot, purpose: string, field: string): Acr | undefined {
  return snapshot.fields.readable.includes(field) ? lowestAcrAllowing(snapshot.policy, purpose, field) : undefined;
}

function termChanges(before: Purpose, after: Purpose): TermChange[] {
  const terms: [TermChange['term'], (p: Purpose) => string][] = [
    ['legal basis', (p) => `${p.legalBasis.kind}: ${p.legalBasis.reference.replace(/\s+/g, ' ').trim()}`],
    ['subjects', (p) => p.subjects.join(', ')],
    ['assurance', (p) => p.acr],
    ['mutations', (p) => (p.mutations.length ? p.mutations.join(', ') : 'none')],
    ['internal', (p) => String(p.internal)],
    ['entitlement', (p) => p.entitlement ?? 'none (closed to staff)'],
  ];
  return terms.flatMap(([term, show]) => (show(before) === show(after) ? [] : [{ term, from: show(before), to: show(after) }]));
}

/** The field's category in a snapshot; undefined when it is not in that schema or not classified. */
function categoryIn(snapshot: PolicySnapshot, field: string): string | undefined {
  return snapshot.fields.readable.includes(field) ? classify(snapshot.policy, field) : undefined;
}

export function diffPolicies(before: PolicySnapshot, after: PolicySnapshot): PolicyDiff {
  const fields = union(before.fields.readable, after.fields.readable);
  // Fields that are public (or absent) on both sides are readable by every
  // purpose or by none: listing them under each purpose would bury the
  // changes that matter. They still show in the classification changes.
  const personal = (field: string) =>
    [categoryIn(before, field), categoryIn(after, field)].some((c) => c !== undefined && c !== PUBLIC);

  const purposes: PurposeDiff[] = [];
  for (const id of union(Object.keys(before.policy.purposes), Object.keys(after.policy.purposes))) {
    const old = own(before.policy.purposes, id);
    const now = own(after.policy.purposes, id);
    const diff: PurposeDiff = {
      purpose: id,
      status: !old ? 'added' : !now ? 'removed' : 'changed',
      newlyReadable: [],
      noLongerReadable: [],
      assuranceChanges: [],
      termChanges: old && now ? termChanges(old, now) : [],
    };
    for (const field of fields.filter(personal)) {
      const from = access(before, id, field);
      const to = access(after, id, field);
      if (from === undefined && to !== undefined) diff.newlyReadable.push(field);
      else if (from !== undefined && to === undefined) diff.noLongerReadable.push(field);
      else if (from !== undefined && to !== undefined && from !== to) diff.assuranceChanges.push({ field, from, to });
    }
    const changed = diff.newlyReadable.length + diff.noLongerReadable.length + diff.assuranceChanges.length + diff.termChanges.length > 0;
    if (diff.status !== 'changed' || changed) purposes.push(diff);
  }

  const clients: ClientDiff[] = [];
  const actorsOf = (client: Client | undefined) => (client ? clientActors(client).join(', ') : undefined);
  for (const id of union(Object.keys(before.policy.clients), Object.keys(after.policy.clients))) {
    const old = own(before.policy.clients, id)?.purposes;
    const now = own(after.policy.clients, id)?.purposes;
    const purposesAdded = minus(now ?? [], old ?? []);
    const purposesRemoved = minus(old ?? [], now ?? []);
    const actorsFrom = actorsOf(own(before.policy.clients, id));
    const actorsTo = actorsOf(own(after.policy.clients, id));
    const actorsChanged = old !== undefined && now !== undefined && actorsFrom !== actorsTo;
    if (old && now && purposesAdded.length === 0 && purposesRemoved.length === 0 && !actorsChanged) continue;
    clients.push({ client: id, status: !old ? 'added' : !now ? 'removed' : 'changed', purposesAdded, purposesRemoved, ...(actorsChanged ? { actors: { from: actorsFrom ?? '', to: actorsTo ?? '' } } : {}) });
  }

  const classification: ClassificationChange[] = [];
  for (const field of fields) {
    const from = categoryIn(before, field);
    const to = categoryIn(after, field);
    if (from !== to) classification.push({ field, from, to });
  }
  // Whose data a root field returns, and which types are a person's records, are classification too.
  const showRoot = (policy: Policy, coordinate: string) => {
    const subject = own(policy.roots, coordinate);
    return subject === undefined ? undefined : typeof subject === 'string' ? subject : 'argument' in subject ? `argument ${subject.argument}` : `named by ${subject.names.join(', ')}`;
  };
  for (const coordinate of union(Object.keys(before.policy.roots), Object.keys(after.policy.roots))) {
    const from = showRoot(before.policy, coordinate);
    const to = showRoot(after.policy, coordinate);
    if (from !== to) classification.push({ field: `whose data ${coordinate} returns`, from, to });
  }
  for (const type of union(Object.keys(before.policy.subjectTypes), Object.keys(after.policy.subjectTypes))) {
    const from = own(before.policy.subjectTypes, type);
    const to = own(after.policy.subjectTypes, type);
    if (from !== to) classification.push({ field: `subject type ${type} (key)`, from, to });
  }

  const categories: CategoryChange[] = [];
  for (const name of union(Object.keys(before.policy.categories), Object.keys(after.policy.categories))) {
    const old = own(before.policy.categories, name);
    const now = own(after.policy.categories, name);
    const minAcrFrom = old ? (old.minAcr ?? 'none') : undefined;
    const minAcrTo = now ? (now.minAcr ?? 'none') : undefined;
    if (minAcrFrom === minAcrTo) continue;
    categories.push({ category: name, status: !old ? 'added' : !now ? 'removed' : 'changed', minAcrFrom, minAcrTo });
  }

  return { purposes, clients, categories, classification };
}

export function isEmptyDiff(diff: PolicyDiff): boolean {
  return diff.purposes.length === 0 && diff.clients.length === 0 && diff.categories.length === 0 && diff.classification.length === 0;
}

export function formatDiff(diff: PolicyDiff, beforeLabel: string, afterLabel: string): string {
  const lines = [`policy changes from ${beforeLabel} to ${afterLabel}`];
  if (isEmptyDiff(diff)) return `${lines[0]}: no changes\n`;

  for (const p of diff.purposes) {
    lines.push('', `purpose ${p.purpose}${p.status === 'changed' ? '' : ` (${p.status})`}`);
    for (const t of p.termChanges) lines.push(`  ${t.term}: ${t.from}`, `    → ${t.to}`);
    if (p.newlyReadable.length) {
      lines.push(`  newly readable (${p.newlyReadable.length}):`);
      for (const field of p.newlyReadable) lines.push(`    + ${field}`);
    }
    if (p.noLongerReadable.length) {
      lines.push(`  no longer readable (${p.noLongerReadable.length}):`);
      for (const field of p.noLongerReadable) lines.push(`    - ${field}`);
    }
    if (p.assuranceChanges.length) {
      lines.push(`  assurance needed changed (${p.assuranceChanges.length}):`);
      for (const a of p.assuranceChanges) lines.push(`    ~ ${a.field}: ${a.from} → ${a.to}`);
    }
  }

  if (diff.clients.length) {
    lines.push('', 'clients');
    for (const c of diff.clients) {
      const changes = [...c.purposesAdded.map((p) => `+${p}`), ...c.purposesRemoved.map((p) => `-${p}`), ...(c.actors ? [`actors ${c.actors.from} → ${c.actors.to}`] : [])].join(' ');
      lines.push(`  ${c.client}${c.status === 'changed' ? '' : ` (${c.status})`}: ${changes}`);
    }
  }

  if (diff.categories.length) {
    lines.push('', 'categories');
    for (const c of diff.categories) {
      lines.push(
        c.status === 'changed'
          ? `  ${c.category}: minAcr ${c.minAcrFrom} → ${c.minAcrTo}`
          : `  ${c.category} (${c.status})${(c.minAcrTo ?? c.minAcrFrom) !== 'none' ? `, minAcr ${c.minAcrTo ?? c.minAcrFrom}` : ''}`,
      );
    }
  }

  if (diff.classification.length) {
    lines.push('', 'classification');
    for (const c of diff.classification) lines.push(`  ${c.field}: ${c.from ?? '(none)'} → ${c.to ?? '(none)'}`);
  }
  return `${lines.join('\n')}\n`;
}
