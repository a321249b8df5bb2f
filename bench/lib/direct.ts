/**
 * The floor: scenario 1 answered by calling the subgraphs directly with the
 * fetches a query plan would make (identity first, then tax, family and
 * benefits in parallel, then identity again for the children's names), behind
 * one HTTP hop like a gateway's, with no planning and no gateway library.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CONTEXT_HEADER } from '../../platform/context-token.ts';
import type { Peer } from './peers.ts';

type Json = Record<string, unknown>;

const ENTITIES = (fields: string) => `query($r: [_Any!]!) { _entities(representations: $r) { ... on Citizen { ${fields} } } }`;
const FETCHES = {
  identity: 'query($id: ID!) { citizen(id: $id) { id givenName familyName dateOfBirth residence { municipality postalCode } contact { email phone } } }',
  tax: ENTITIES('incomes { year kind amount } annualIncome insuredYears taxAssessments { year assessedTax balance }'),
  family: ENTITIES('maritalStatus children { id } partner { id }'),
  benefits: ENTITIES('benefitEnrollments { programme { code name } monthlyAmount status } benefitPayments(last: 3) { paidOn amount }'),
  children: ENTITIES('givenName dateOfBirth'),
};

export async function startDirectFloor(subgraphUrls: Record<string, string>, tokens: Record<string, string>): Promise<Peer> {
  const call = async (subgraph: string, query: string, variables: Json): Promise<Json> => {
    const response = await fetch(subgraphUrls[subgraph]!, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [CONTEXT_HEADER]: tokens[subgraph]! },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: Json; errors?: unknown[] };
    if (body.errors?.length) throw new Error(JSON.stringify(body.errors[0]));
    return body.data!;
  };
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => void (async () => {
      try {
        const { variables } = JSON.parse(raw) as { variables: { id: string } };
        const citizen = (await call('identity', FETCHES.identity, { id: variables.id })).citizen as Json | null;
        if (citizen) {
          const r = [{ __typename: 'Citizen', id: citizen.id }];
          const [tax, family, benefits] = await Promise.all(
            (['tax', 'family', 'benefits'] as const).map(async (s) => ((await call(s, FETCHES[s], { r }))._entities as Json[])[0]),
          );
          Object.assign(citizen, tax, family, benefits);
          const children = (family?.children as { id: string }[] | undefined) ?? [];
          if (children.length) {
            const named = (await call('identity', FETCHES.children, { r: children.map((c) => ({ __typename: 'Citizen', id: c.id })) }))._entities as Json[];
            citizen.children = children.map((c, i) => ({ ...c, ...named[i] }));
          }
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { citizen } }));
      } catch (error) {
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message: (error as Error).message, extensions: { code: 'DIRECT_FAILED' } }] }));
      }
    })());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
