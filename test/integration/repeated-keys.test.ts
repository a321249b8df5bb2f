/**
 * A response key selected more than once (directly, through fragments, under
 * @include) is one field with every selection merged, as graphql-js executes
 * it: the data served is exactly what was judged, and exactly what the audit
 * record lists. No reserved key the gateway adds ever reaches the client.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { personaByRole } from '../../seed/personas.ts';
import { startTestSystem, type GraphQLCall, type GraphQLResponse, type TestSystem } from '../support/system.ts';
import { subjectsOf } from '../../platform/audit-row.ts';

const mother = personaByRole('newborn-mother');
const single = personaByRole('single-parent');
const caseworker = personaByRole('caseworker');

let system: TestSystem;
beforeAll(async () => {
  system = await startTestSystem();
});
afterAll(async () => system?.close());


async function audited(requestId: string): Promise<Map<string, string[]>> {
  const client = new pg.Client({ connectionString: inject('databases').audit });
  await client.connect();
  try {
    const rows = (await client.query<Parameters<typeof subjectsOf>[0]>('SELECT subjects, field_sets FROM audit_record WHERE request_id = $1', [requestId])).rows;
    expect(rows).toHaveLength(1);
    return new Map(subjectsOf(rows[0]!).map((s) => [s.id, s.fields.map((f) => f.field).sort()]));
  } finally {
    await client.end();
  }
}

async function ask<T>(call: GraphQLCall): Promise<{ result: GraphQLResponse<T>; requestId: string }> {
  const requestId = `repeat-${randomBytes(6).toString('hex')}`;
  const result = await system.query<T>({ ...call, headers: { ...call.headers, 'x-request-id': requestId } });
  return { result, requestId };
}

const asMother = { as: { sub: mother.id, client: 'citizen-portal' }, purpose: 'self-service' };
const asCaseworker = { as: { sub: caseworker.id, client: 'caseworker-app' }, purpose: 'child-benefit-eligibility', caseRef: 'SKA-2026-REPEAT' };

describe('a response key selected more than once', () => {
  it('{ me { id } me { givenName annualIncome } }: every selection served, judged and audited', async () => {
    const { result, requestId } = await ask<{ me: Record<string, unknown> }>({ ...asMother, query: '{ me { id } me { givenName annualIncome } }' });
    expect(result.status).toBe(200);
    expect(JSON.stringify(result)).not.toContain('_cg');
    expect(Object.keys(result.data!.me).sort()).toEqual(['annualIncome', 'givenName', 'id']);
    expect(result.data!.me.annualIncome).toBeTypeOf('number');
    const record = await audited(requestId);
    expect(record.get(mother.id)).toEqual(['Citizen.annualIncome', 'Citizen.givenName', 'Citizen.id']);
  });

  it("a caseworker's citizen(id: X) { __typename } citizen(id: X) { givenName annualIncome }", async () => {
    const { result, requestId } = await ask<{ citizen: Record<string, unknown> }>({
      ...asCaseworker,
      query: `{ citizen(id: "${single.id}") { __typename } citizen(id: "${single.id}") { givenName annualIncome } }`,
    });
    expect(result.status).toBe(200);
    expect(JSON.stringify(result)).not.toContain('_cg');
    expect(result.data!.citizen).toMatchObject({ __typename: 'Citizen', givenName: 'Liis' });
    expect(result.data!.citizen.annualIncome).toBeTypeOf('number');
    const record = await audited(requestId);
    // Her record's __typename confirms she is registered: it is recorded as her id.
    expect(record.get(single.id)).toEqual(['Citizen.annualIncome', 'Citizen.givenName', 'Citizen.id']);
  });

  it('through fragments, under @include with a variable, and nested: the partner is another person', async () => {
    const { result, requestId } = await ask<{ me: { partner: Record<string, unknown> | null } & Record<string, unknown> }>({
      ...asMother,
      variables: { more: true },
      query: `query Q($more: Boolean!) { me { partner { id } ...P ...on Citizen { partner @include(if: $more) { annualIncome givenName } } } ...M }
        fragment P on Citizen { partner { familyName } }
        fragment M on Query { me { familyName } }`,
    });
    expect(JSON.stringify(result)).not.toContain('_cg');
    const partner = result.data?.me.partner;
    expect(partner?.annualIncome ?? null).toBeNull();
    const income = result.errors?.find((e) => e.extensions?.field === 'Citizen.annualIncome');
    expect(income?.extensions).toMatchObject({ code: 'UNAUTHORIZED_FIELD_OR_TYPE' });
    // Refused by the gateway itself, not left to the tax register's shield.
    expect(income?.extensions?.serviceName).toBeUndefined();
    const record = await audited(requestId);
    const servedPartner = partner ? Object.entries(partner).filter(([, v]) => v !== null).map(([k]) => `Citizen.${k}`).sort() : [];
    const partnerId = partner?.id as string | undefined;
    expect(partnerId).toBeTruthy();
    expect(record.get(partnerId!) ?? []).toEqual(servedPartner);
    expect(record.get(mother.id)).toContain('Citizen.familyName');
  });

  it('a purpose not granted the subject key: the subgraph refuses the key the gateway added, and the client never sees it', async () => {
    const relay = await system.token('life-event-relay', 'life-event-relay');
    const result = await system.query<{ citizen: Record<string, unknown> | null }>({ token: relay, purpose: 'life-event-propagation', caseRef: 'BIRTH-REPEAT-1', query: `{ citizen(id: "${mother.id}") { givenName } }` });
    expect(JSON.stringify(result)).not.toContain('_cg');
    expect(result.data?.citizen?.givenName ?? null).toBeNull();
  });
});
