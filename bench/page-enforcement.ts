/**
 * What the gateway's own work on one offers page costs, without a network: the
 * hand-over of the facts `Citizen.eligibility` requires (judged per person,
 * told to the audit), the page's audit record, its hash in the chain, and the
 * JSON the store sends PostgreSQL.
 *
 *   npx tsx bench/page-enforcement.ts [--citizens 1000] [--rounds 50]
 *
 * The page is synthetic and the same every run: each citizen with two parents,
 * two children and three household members, as the `@requires` selection
 * reads them, so a page of 1,000 names some 10,000 people. Judged under the
 * project's policy as the offers engine (proactive-eligibility). Prints the
 * median milliseconds of each step over the rounds, after a warm-up.
 */
import { parseArgs } from 'node:util';
import { Supergraph } from '@apollo/federation-internals';
import { readSupergraph } from '../schema/compose.ts';
import { handOver, requirementsFor } from '../gateway/enforcement/required-facts.ts';
import { requestAuditor, returnedFields } from '../gateway/audit/request-audit.ts';
import { fieldOwners } from '../gateway/audit/field-owners.ts';
import { chain, type AuditContent, type ChainedRecord } from '../gateway/audit/chain.ts';
import { rowsJson } from '../gateway/audit/store.ts';
import type { AuditWriter } from '../gateway/audit/writer.ts';
import { loadPolicy } from '../permissions/load.ts';
import { subjectTypes } from '../permissions/judge.ts';
import { subjectJudge } from '../gateway/enforcement/plugin.ts';
import type { CallerContext } from '../platform/context-token.ts';
import { ENGINE_CLIENT, ENGINE_PURPOSE } from '../offers/engine.ts';
import { median } from './lib/load.ts';

const { values } = parseArgs({ options: { citizens: { type: 'string', default: '1000' }, rounds: { type: 'string', default: '50' } } });
const citizens = Number(values.citizens);
const rounds = Number(values.rounds);

const schema = Supergraph.build(readSupergraph()).apiSchema().toGraphQLJSSchema();
const policy = loadPolicy();
const caller: CallerContext = { actor: ENGINE_CLIENT, client: ENGINE_CLIENT, purpose: ENGINE_PURPOSE, acr: 'high', requestId: 'bench', scope: { represented: [], any: true } };
const requirements = requirementsFor(schema);
const types = subjectTypes(policy);

const id = (n: number) => String(30_000_000_000 + n);
const person = (n: number) => ({
  __typename: 'Citizen',
  id: id(n),
  dateOfBirth: '1980-01-01',
  dateOfDeath: null,
  annualIncome: 30_000,
  insuredYears: 20,
  parents: [{ id: id(n + 1) }, { id: id(n + 2) }],
  children: [0, 1].map((i) => ({ id: id(n + 10 + i), dateOfBirth: '2015-01-01', dateOfDeath: null, parents: [{ id: id(n) }, { id: id(n + 3) }], inEducation: true })),
  householdMembers: [0, 1, 2].map((i) => ({ id: id(n + 20 + i), dateOfBirth: '1982-01-01', dateOfDeath: null, annualIncome: 20_000, parents: [{ id: id(n + 30) }] })),
});
const page = Array.from({ length: citizens }, (_, i) => person(i * 100));

let content: AuditContent | undefined;
const writer = { write: async (c: AuditContent) => ((content = c), c as ChainedRecord), stats: { batches: 0, records: 0 }, close: async () => {} } satisfies AuditWriter;
const auditor = requestAuditor(policy, fieldOwners(readSupergraph()), writer);

const timings: Record<string, number[]> = { 'hand-over of the facts': [], 'audit record of the page': [], 'its hash in the chain': [], 'its JSON for PostgreSQL': [] };
const time = <T>(step: string, work: () => T, keep: boolean): T => {
  const started = performance.now();
  const result = work();
  if (keep) timings[step]!.push(performance.now() - started);
  return result;
};

let subjects = 0;
let size = 0;
for (let round = -10; round < rounds; round++) {
  const keep = round >= 0;
  const returned = returnedFields();
  const sent = time('hand-over of the facts', () => handOver(page, { schema, requirements, subjectTypes: types, judge: subjectJudge(policy, caller), collect: returned.collect }), keep);
  if (sent.length !== citizens) throw new Error('the hand-over dropped representations');
  const started = performance.now();
  await auditor.record({ caller, operationName: 'OffersPage', source: 'query OffersPage', returned, errors: [], targeted: new Set() });
  if (keep) timings['audit record of the page']!.push(performance.now() - started);
  const records = time('its hash in the chain', () => chain([content!], { seq: 1, hash: '0'.repeat(64) }), keep);
  size = time('its JSON for PostgreSQL', () => rowsJson(records).length, keep);
  subjects = content!.subjects.length;
}

console.log(`a page of ${citizens.toLocaleString('en')} citizens naming ${subjects.toLocaleString('en')} people; its audit record ${(size / 1e6).toFixed(1)} MB of JSON; median of ${rounds} rounds:`);
for (const [step, ms] of Object.entries(timings)) console.log(`  ${step.padEnd(28)} ${median(ms).toFixed(1).padStart(7)} ms`);
