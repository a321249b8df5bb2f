/**
 * Generated from the schema and the policy, not hand-listed: for every purpose,
 * every field of the graph reached for a subject in each relation the purpose
 * can meet (self, represented, other), the gateway returns the field exactly
 * when the decision function allows the whole path to it, and the answer is
 * the same whether the field is selected plainly, under an alias, in a named
 * fragment, in an inline fragment, twice through two fragments, or under a
 * response key selected more than once (the first time innocuously). The
 * audit record of each request lists exactly the personal fields served, for
 * the person whose data they are.
 */
import { randomBytes } from 'node:crypto';
import { Kind, getNamedType, isObjectType, isLeafType, type GraphQLObjectType } from 'graphql';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { classify, decide, type Relation } from '../../permissions/decide.ts';
import { loadPolicy } from '../../permissions/load.ts';
import { clientActors, PUBLIC, SUBJECT_TYPE, type Policy } from '../../permissions/model.ts';
import { personaByRole } from '../../seed/personas.ts';
import { apiSchema } from '../support/api-schema.ts';
import { requirementsFor } from '../../gateway/enforcement/required-facts.ts';
import { addDays } from '../../permissions/consent.ts';
import { today } from '../../platform/clock.ts';
import { startTestSystem, type GraphQLResponse, type TestSystem } from '../support/system.ts';
import { subjectsOf } from '../../platform/audit-row.ts';

const policy: Policy = loadPolicy();
const schema = apiSchema();
const requirements = requirementsFor(schema);
const citizenType = schema.getType(SUBJECT_TYPE) as GraphQLObjectType;
const mother = personaByRole('newborn-mother');
const STAFF = personaByRole('caseworker').id;

interface Hop {
  type: string;
  field: string;
}

/** Shortest path from a Citizen to every field of every type, never passing through another Citizen. */
function pathsFromCitizen(): Map<string, Hop[]> {
  const paths = new Map<string, Hop[]>();
  const queue: { type: GraphQLObjectType; prefix: Hop[] }[] = [{ type: citizenType, prefix: [] }];
  const visited = new Set<string>([SUBJECT_TYPE]);
  while (queue.length) {
    const { type, prefix } = queue.shift()!;
    for (const field of Object.values(type.getFields())) {
      const hops = [...prefix, { type: type.name, field: field.name }];
      const coordinate = `${type.name}.${field.name}`;
      if (!paths.has(coordinate)) paths.set(coordinate, hops);
      const named = getNamedType(field.type);
      if (isObjectType(named) && !visited.has(named.name)) {
        visited.add(named.name);
        queue.push({ type: named, prefix: hops });
      }
    }
  }
  return paths;
}

/** Where the subject is reached from the root, and how it relates to the actor. */
interface Entry {
  relation: Relation;
  /** Selection path from the root to the subject's Citizen object. */
  prefix: Hop[];
  rootOpen: string;
  rootClose: string;
}

function clientFor(purpose: string): string {
  const client = Object.entries(policy.clients).find(([, c]) => c.purposes.includes(purpose));
  if (!client) throw new Error(`no client may use ${purpose}`);
  return client[0];
}

function entriesFor(purposeId: string): { actor: string; entries: Entry[]; caseRef?: string } {
  const purpose = policy.purposes[purposeId]!;
  if (purpose.subjects.includes('consented')) {
    // A partner, reading the mother under the consent she gives in beforeAll.
    return { actor: clientFor(purposeId), caseRef: 'CASE-MATRIX-1', entries: [{ relation: 'consented', prefix: [], rootOpen: `citizen(id: "${mother.id}") {`, rootClose: '}' }] };
  }
  if (purpose.subjects.includes('any')) {
    return {
      actor: STAFF,
      caseRef: 'CASE-MATRIX-1',
      entries: [{ relation: 'other', prefix: [], rootOpen: `citizen(id: "${mother.id}") {`, rootClose: '}' }],
    };
  }
  return {
    actor: mother.id,
    entries: [
      { relation: 'self', prefix: [], rootOpen: 'me {', rootClose: '}' },
      { relation: 'represented', prefix: [{ type: SUBJECT_TYPE, field: 'children' }], rootOpen: 'me { children {', rootClose: '} }' },
      { relation: 'other', prefix: [{ type: SUBJECT_TYPE, field: 'partner' }], rootOpen: 'me { partner {', rootClose: '} }' },
    ],
  };
}

/** The decision for the whole path: the first hop refused, or none. */
function expectedDenial(purpose: string, acr: 'high', entry: Entry, hops: Hop[]): number | undefined {
  const all = [...entry.prefix.map((h) => ({ ...h, relation: 'self' as Relation })), ...hops.map((h) => ({ ...h, relation: entry.relation }))];
  const index = all.findIndex((hop) => {
    const relation = hop.type === SUBJECT_TYPE ? hop.relation : undefined;
    return !decide(policy, { purpose, field: `${hop.type}.${hop.field}`, relation, acr }).allow;
  });
  return index < 0 ? undefined : index;
}

function leafSelection(hop: Hop): string {
  const type = (schema.getType(hop.type) as GraphQLObjectType).getFields()[hop.field]!.type;
  return isLeafType(getNamedType(type)) ? '' : ' { __typename }';
}

/** The ways of selecting the last hop, under distinct response keys. */
const VARIANTS = ['plain', 'alias', 'named', 'inline', 'twice'] as const;

/**
 * The whole path is selected under a response key asked for twice: first with
 * nothing but __typename (so that a check of only the first selection would
 * pass), then with the field in every variant.
 */
function buildQuery(entry: Entry, hops: Hop[]): string {
  const last = hops.at(-1)!;
  const inner = hops.slice(0, -1);
  const open = inner.map((h) => `${h.field} {`).join(' ');
  const close = inner.map(() => '}').join(' ');
  const sub = leafSelection(last);
  const selection = `${last.field}${sub} alias_v: ${last.field}${sub} ...MatrixFragment ... on ${last.type} { inline_v: ${last.field}${sub} } ...TwiceA ...TwiceB`;
  return `query Matrix { ${entry.rootOpen} __typename ${entry.rootClose} ${entry.rootOpen} ${open} ${selection} ${close} ${entry.rootClose} }
fragment MatrixFragment on ${last.type} { named_v: ${last.field}${sub} }
fragment TwiceA on ${last.type} { twice_v: ${last.field}${sub} }
fragment TwiceB on ${last.type} { twice_v: ${last.field}${sub} }`;
}

const keyFor = (variant: (typeof VARIANTS)[number], field: string) =>
  ({ plain: field, alias: 'alias_v', named: 'named_v', inline: 'inline_v', twice: 'twice_v' })[variant];

const isPersonal = (coordinate: string) => classify(policy, coordinate) !== PUBLIC;
const present = (values: Json[]) => values.some((v) => v !== null && v !== undefined);

interface AuditRow { request_id: string; subjects: { id: string; fields: { field: string }[] }[]; other_fields: { field: string }[] }
type StoredAuditRow = Omit<AuditRow, 'subjects'> & Parameters<typeof subjectsOf>[0];
async function auditRows(requestIds: string[]): Promise<Map<string, AuditRow>> {
  const client = new pg.Client({ connectionString: inject('databases').audit });
  await client.connect();
  try {
    const rows: AuditRow[] = (await client.query<StoredAuditRow>('SELECT request_id, subjects, field_sets, other_fields FROM audit_record WHERE request_id = ANY($1)', [requestIds])).rows.map((r) => ({ ...r, subjects: subjectsOf(r) }));
    return new Map(rows.map((r) => [r.request_id, r]));
  } finally {
    await client.end();
  }
}

type Json = unknown;
/** All values at a path of response keys, lists flattened. */
function valuesAt(data: Json, keys: string[]): { found: boolean; values: Json[] } {
  let current: Json[] = [data];
  for (const key of keys) {
    const next: Json[] = [];
    for (const value of current) {
      const items = Array.isArray(value) ? value : [value];
      for (const item of items) {
        if (item && typeof item === 'object' && key in (item as object)) next.push((item as Record<string, Json>)[key]);
      }
    }
    current = next;
  }
  return { found: current.length > 0, values: current };
}

const stripIndices = (path: (string | number)[] | undefined) => (path ?? []).filter((p) => typeof p === 'string' && p !== '@').join('.');

let system: TestSystem;
beforeAll(async () => {
  system = await startTestSystem();
  // Consent-based purposes reach only people who consented: the mother consents to each for a day.
  for (const [id, purpose] of Object.entries(policy.purposes)) {
    if (!purpose.subjects.includes('consented')) continue;
    const granted = await system.query({
      query: 'mutation Grant($c: ID!, $p: ID!, $d: Date!) { grantConsent(client: $c, purpose: $p, validUntil: $d) { id } }',
      variables: { c: clientFor(id), p: id, d: addDays(today(), 1) },
      as: { sub: mother.id, client: 'citizen-portal' },
      purpose: 'self-service',
    });
    expect(granted.errors).toBeUndefined();
  }
});
afterAll(async () => system?.close());

const fieldPaths = pathsFromCitizen();
const purposes = Object.entries(policy.purposes).filter(([, p]) => !p.internal).map(([id]) => id);

describe.each(purposes)('purpose %s', (purpose) => {
  const { actor, entries, caseRef } = entriesFor(purpose);
  const client = clientFor(purpose);
  for (const entry of entries) {
    it(`returns exactly the allowed fields of a subject related as "${entry.relation}"`, async () => {
      const mismatches: string[] = [];
      /** Per request: the personal fields served, the actor's and the subject's. */
      const served = new Map<string, { coordinate: string; root: Set<string>; subject: Set<string>; rootServed: boolean }>();
      // Whoever the client is for: a service signs in as itself, staff with the entitlement the purpose names.
      const service = clientActors(policy.clients[client]!).some((kind) => kind === 'service' || kind === 'partner');
      const entitlement = policy.purposes[purpose]!.entitlement;
      const token = service
        ? await system.devIssuer.issue({ sub: client, client, acr: 'high', actor: 'service' })
        : await system.token(actor, client, 'high', entitlement && actor === STAFF ? [entitlement] : undefined);
      const check = async ([coordinate, hops]: [string, Hop[]]) => {
        const requestId = `matrix-${randomBytes(8).toString('hex')}`;
        const result: GraphQLResponse<Record<string, Json>> = await system.query({ query: buildQuery(entry, hops), token, purpose, caseRef, headers: { 'x-request-id': requestId } });
        const denialAt = expectedDenial(purpose, 'high', entry, hops);
        const last = hops.at(-1)!;
        const rootKey = entry.rootOpen.split(/[ ({]/)[0]!;
        const fullKeys = [rootKey, ...entry.prefix.map((h) => h.field), ...hops.slice(0, -1).map((h) => h.field)];
        const unauthorized = (result.errors ?? []).filter((e) => e.extensions?.code === 'UNAUTHORIZED_FIELD_OR_TYPE');
        const otherErrors = (result.errors ?? []).filter((e) => e.extensions?.code !== 'UNAUTHORIZED_FIELD_OR_TYPE');
        if (otherErrors.length) mismatches.push(`${coordinate}: unexpected error ${otherErrors[0]!.message}`);
        if (JSON.stringify(result).includes('_cg')) mismatches.push(`${coordinate}: a reserved key reached the client: ${JSON.stringify(result).slice(Math.max(0, JSON.stringify(result).indexOf('_cg') - 200), JSON.stringify(result).indexOf('_cg') + 100)}`);
        // Whose each hop's value is: the prefix's (me's children or partner field) the root citizen's, the rest the subject's.
        const record = { coordinate, root: new Set<string>(), subject: new Set<string>(), rootServed: present(valuesAt(result.data, [rootKey]).values) };
        const hopKeys = [rootKey, ...entry.prefix.map((h) => h.field), ...hops.map((h) => h.field)];
        const allHops = [{ type: 'Query', field: rootKey }, ...entry.prefix, ...hops];
        const owner = (index: number) => (index <= entry.prefix.length && entry.prefix.length > 0 ? record.root : record.subject);
        for (let index = 1; index < allHops.length - 1; index++) {
          const hop = allHops[index]!;
          if (isPersonal(`${hop.type}.${hop.field}`) && present(valuesAt(result.data, hopKeys.slice(0, index + 1)).values)) owner(index).add(`${hop.type}.${hop.field}`);
        }
        const lastCoordinate = `${last.type}.${last.field}`;
        const lastServed = VARIANTS.some((variant) => present(valuesAt(result.data, [...fullKeys, keyFor(variant, last.field)]).values));
        if (lastServed && isPersonal(lastCoordinate)) owner(allHops.length - 1).add(lastCoordinate);
        served.set(requestId, record);
        for (const variant of VARIANTS) {
          const key = keyFor(variant, hops.at(-1)!.field);
          const keys = [...fullKeys, key];
          const { found, values } = valuesAt(result.data, keys);
          const errorsHere = unauthorized.filter((e) => keys.join('.').startsWith(stripIndices(e.path)));
          if (denialAt === undefined) {
            if (errorsHere.length) mismatches.push(`${coordinate} (${variant}): allowed by policy but refused: ${errorsHere[0]!.message}`);
          } else {
            // Refused somewhere on the path: an error names that place and no value of the field is returned.
            if (!errorsHere.length) mismatches.push(`${coordinate} (${variant}): denied by policy but no error`);
            if (found && values.some((v) => v !== null && !(Array.isArray(v) && v.length === 0))) {
              mismatches.push(`${coordinate} (${variant}): denied by policy but returned ${JSON.stringify(values).slice(0, 80)}`);
            }
          }
        }
      };
      const work = [...fieldPaths.entries()];
      for (let i = 0; i < work.length; i += 8) await Promise.all(work.slice(i, i + 8).map(check));
      const rows = await auditRows([...served.keys()]);
      // Every record of a person served is recorded for them as its key field (its __typename alone
      // confirms they are registered), so the comparison leaves `Citizen.id` out and checks it apart.
      const show = (set: Iterable<string>) => [...new Set(set)].filter((f) => f !== 'Citizen.id').sort().join(',');
      for (const [requestId, { coordinate, root, subject, rootServed }] of served) {
        const row = rows.get(requestId);
        const rootRecorded = (row?.subjects ?? []).some((x) => x.fields.some((f) => f.field === 'Citizen.id'));
        if (rootServed && !rootRecorded) mismatches.push(`${coordinate}: the root record was served but not recorded for its person`);
        // The root citizen is the mother in every entry; the subject is the mother too unless reached through children or partner.
        const subjectIsRoot = entry.prefix.length === 0;
        const expectedRoot = show(subjectIsRoot ? [...root, ...subject] : root);
        const expectedOthers = show(subjectIsRoot ? [] : subject);
        // A served field resting on other agencies' facts (@requires) has them recorded too, for whose they are: its
        // own subject's and their relatives' (which relatives depends on the data). They are compared apart.
        const servedHere = new Set([...root, ...subject]);
        const handed = new Set([...servedHere].flatMap((f) => requirements.byField.get(f) ?? []));
        const ownFacts = [...servedHere].flatMap((f) => { const selection = requirements.selections.get(f); return selection ? selection.selectionSet.selections.flatMap((x) => (x.kind === Kind.FIELD ? [`${f.split('.')[0]}.${x.name.value}`] : [])) : []; });
        const notHanded = (fields: string[]) => fields.filter((f) => servedHere.has(f) || !handed.has(f));
        const auditedAll = (row?.subjects ?? []).flatMap((x) => x.fields.map((f) => f.field));
        const missingFacts = ownFacts.filter((f) => !auditedAll.includes(f));
        if (missingFacts.length) mismatches.push(`${coordinate}: facts handed to the subgraph were not recorded: ${missingFacts.join(',')}`);
        const auditedRoot = show(notHanded((row?.subjects ?? []).filter((x) => x.id === mother.id).flatMap((x) => x.fields.map((f) => f.field))));
        const auditedOthers = show([...notHanded((row?.subjects ?? []).filter((x) => x.id !== mother.id).flatMap((x) => x.fields.map((f) => f.field))), ...(row?.other_fields ?? []).map((f) => `outside any citizen: ${f.field}`)]);
        if (auditedRoot !== expectedRoot || auditedOthers !== expectedOthers) {
          mismatches.push(`${coordinate}: served [${expectedRoot}] + others [${expectedOthers}], audited [${auditedRoot}] + others [${auditedOthers}]`);
        }
      }
      expect(mismatches).toEqual([]);
    });
  }
});
