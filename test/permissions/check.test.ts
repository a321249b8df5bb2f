/**
 * The policy check: the shipped policy is clean, and each kind of mistake a
 * privacy officer can make is reported by name.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { checkPolicy, loadAndCheck, type Problem, type ProblemCode } from '../../permissions/check.ts';
import { loadPolicy } from '../../permissions/load.ts';
import type { Policy } from '../../permissions/model.ts';
import { listSchemaFields, readSupergraphSdl } from '../../permissions/schema-fields.ts';
import { copyPolicy, editFile, removeTempDirs } from './helpers.ts';

afterAll(removeTempDirs);

const sdl = readSupergraphSdl();
const errors = (problems: Problem[]) => problems.filter((p) => p.severity === 'error');
const withCode = (problems: Problem[], code: ProblemCode) => problems.filter((p) => p.code === code);

/** A deep copy of the shipped policy to change in memory. */
const shipped = (): Policy => structuredClone(loadPolicy());

describe('the shipped policy', () => {
  const result = loadAndCheck();

  it('has no errors against the real supergraph', () => {
    expect(errors(result.problems)).toEqual([]);
    expect(result.policy).toBeDefined();
  });

  it('classifies every field of the API schema (mutation root aside)', () => {
    const policy = loadPolicy();
    const fields = listSchemaFields(sdl);
    expect(fields.readable.length).toBeGreaterThan(0);
    const unclassified = fields.readable.filter((f) => {
      const [type, name] = f.split('.') as [string, string];
      return policy.classification[type]?.[name] === undefined;
    });
    expect(unclassified).toEqual([]);
    expect(fields.readable.some((f) => f.startsWith(`${fields.mutationType}.`))).toBe(false);
    expect(fields.readable.some((f) => /^(__|join__|link__|_Service|_Entity)/.test(f))).toBe(false);
  });

  it('declares every purpose a client uses, and no client uses an internal purpose', () => {
    const policy = loadPolicy();
    for (const client of Object.values(policy.clients)) {
      for (const purpose of client.purposes) {
        expect(policy.purposes[purpose], purpose).toBeDefined();
        expect(policy.purposes[purpose]!.internal, purpose).toBe(false);
      }
    }
  });
});

describe('checkPolicy against a changed schema', () => {
  it('names a field an agency added but nobody classified', () => {
    const changed = sdl.replace(/(type Citizen\b[^{]*\{\n)/, '$1  shoeSize: Int @join__field(graph: IDENTITY)\n');
    expect(changed).not.toBe(sdl);
    const problems = checkPolicy(loadPolicy(), changed);
    expect(withCode(problems, 'UNCLASSIFIED_FIELD').map((p) => p.message)).toEqual([
      expect.stringContaining('Citizen.shoeSize is not classified: add it to classification.yaml'),
    ]);
  });

  it('names a whole new type, field by field', () => {
    const changed = `${sdl}\ntype Pet @join__type(graph: FAMILY) {\n  name: String\n  species: String\n}\n`.replace(
      /(type Citizen\b[^{]*\{\n)/,
      '$1  pets: [Pet!] @join__field(graph: FAMILY)\n',
    );
    const messages = withCode(checkPolicy(loadPolicy(), changed), 'UNCLASSIFIED_FIELD').map((p) => p.message);
    expect(messages.some((m) => m.startsWith('Citizen.pets '))).toBe(true);
    expect(messages.some((m) => m.startsWith('Pet.name '))).toBe(true);
    expect(messages.some((m) => m.startsWith('Pet.species '))).toBe(true);
  });

  it('reports classification and grants of a field the schema dropped', () => {
    // The field and its description, if any.
    const changed = sdl.replace(/(\n\s*"""[^"]*""")?\n\s*insuredYears\b[^\n]*/, '');
    expect(changed).not.toBe(sdl);
    const policy = shipped();
    policy.purposes['privacy-oversight']!.read.fields.push('Citizen.insuredYears');
    const unknown = withCode(checkPolicy(policy, changed), 'UNKNOWN_FIELD');
    expect(unknown.some((p) => p.file === 'classification.yaml' && p.message.includes('Citizen.insuredYears'))).toBe(true);
    expect(unknown.some((p) => p.file === 'purposes.yaml' && p.message.includes('purpose privacy-oversight reads field Citizen.insuredYears'))).toBe(true);
  });

  it('reports a mutation a purpose may call but the schema no longer has', () => {
    const changed = sdl.replace('registerBirth(', 'registerNewborn(');
    expect(changed).not.toBe(sdl);
    const problems = withCode(checkPolicy(loadPolicy(), changed), 'UNKNOWN_MUTATION');
    expect(problems.map((p) => p.message)).toEqual([expect.stringContaining('registerBirth')]);
  });

  it('does not require classifying fields the API schema hides (@inaccessible)', () => {
    const withInaccessible = sdl
      .replace('schema\n', 'schema\n  @link(url: "https://specs.apollo.dev/inaccessible/v0.2", for: SECURITY)\n')
      .replace(/(type Citizen\b[^{]*\{\n)/, '$1  internalNote: String @join__field(graph: IDENTITY) @inaccessible\n')
      .replace('directive @link(', 'directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION\n\ndirective @link(');
    expect(withInaccessible).toContain('internalNote');
    expect(errors(checkPolicy(loadPolicy(), withInaccessible))).toEqual([]);
  });

  it('reports an SDL that is not a supergraph instead of throwing', () => {
    const problems = checkPolicy(loadPolicy(), 'type Query { a: Int');
    expect(problems.map((p) => p.code)).toEqual(['INVALID_SCHEMA']);
  });
});

describe('loadAndCheck on a broken copy of the policy', () => {
  it('reports a classification to an unknown category, with a suggestion', () => {
    const dir = copyPolicy();
    editFile(dir, 'classification.yaml', 'givenName: identity.name', 'givenName: identity.nmae');
    const problems = withCode(loadAndCheck(dir).problems, 'UNKNOWN_CATEGORY');
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toContain('Citizen.givenName is classified as identity.nmae');
    expect(problems[0]!.message).toContain('did you mean identity.name?');
  });

  it('reports a misspelled field in classification.yaml, and the real field left unclassified', () => {
    const dir = copyPolicy();
    editFile(dir, 'classification.yaml', /\n {4}annualIncome:/, '\n    annualIncom:');
    const { problems } = loadAndCheck(dir);
    expect(withCode(problems, 'UNKNOWN_FIELD').map((p) => p.message)).toEqual([expect.stringContaining('Citizen.annualIncom,')]);
    expect(withCode(problems, 'UNCLASSIFIED_FIELD').map((p) => p.message)).toEqual([expect.stringContaining('Citizen.annualIncome ')]);
  });

  it('reports a misspelled field in a grant', () => {
    const dir = copyPolicy();
    editFile(dir, 'purposes.yaml', '- Citizen.insuredYears', '- Citizen.insuredYear');
    const problems = withCode(loadAndCheck(dir).problems, 'UNKNOWN_FIELD');
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(/purpose proactive-eligibility reads field Citizen\.insuredYear,.*did you mean Citizen\.insuredYears\?/);
  });

  it('reports an unknown category in a grant and in a denial', () => {
    const dir = copyPolicy();
    editFile(dir, 'purposes.yaml', 'categories: [financial.assessment]', 'categories: [financial.assesment]');
    editFile(dir, 'purposes.yaml', '- identity.address # notices', '- identity.adress # notices');
    const messages = withCode(loadAndCheck(dir).problems, 'UNKNOWN_CATEGORY').map((p) => p.message);
    expect(messages).toHaveLength(2);
    expect(messages.some((m) => m.includes('denies category financial.assesment'))).toBe(true);
    expect(messages.some((m) => m.includes('reads category identity.adress'))).toBe(true);
  });

  it('reports a client naming an unknown purpose', () => {
    const dir = copyPolicy();
    editFile(dir, 'clients.yaml', 'purposes: [tax-assessment]', 'purposes: [tax-assesment]');
    const problems = withCode(loadAndCheck(dir).problems, 'UNKNOWN_PURPOSE');
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toContain('client tax-office-app uses purpose tax-assesment');
    // The real purpose lost its only production client but graph-explorer still lists it.
  });

  it('reports a YAML syntax error with its file', () => {
    const dir = copyPolicy();
    editFile(dir, 'purposes.yaml', '    subjects: [self, represented]', '    subjects: [self, represented\n');
    const { problems, policy } = loadAndCheck(dir);
    expect(policy).toBeUndefined();
    expect(problems.map((p) => [p.code, p.file])).toEqual([['INVALID_POLICY_FILE', 'purposes.yaml']]);
  });

  it('reports an unknown key such as reads: instead of read:', () => {
    const dir = copyPolicy();
    editFile(dir, 'purposes.yaml', /\n {4}read:\n( {6}#[^\n]*\n)* {6}categories: \[identity\.id, identity\.name, transparency\.audit, transparency\.inquiries\]\n/, '\n    reads:\n      categories: [identity.id, identity.name, transparency.audit, transparency.inquiries]\n');
    const { problems } = loadAndCheck(dir);
    expect(problems.every((p) => p.code === 'INVALID_POLICY_FILE' && p.file === 'purposes.yaml')).toBe(true);
    expect(problems.some((p) => p.message.includes('purposes.privacy-oversight') && p.message.includes('reads'))).toBe(true);
  });

  it('reports a missing file', () => {
    const dir = copyPolicy();
    editFile(dir, 'clients.yaml', /^[\s\S]*$/, '');
    const { problems } = loadAndCheck(dir);
    expect(problems.map((p) => p.file)).toEqual(['clients.yaml']);
  });

  it('reports a category whose parent is missing', () => {
    const dir = copyPolicy();
    editFile(dir, 'categories.yaml', '\n  benefits:\n    description: Social benefits a person is enrolled in or has been paid.\n', '\n');
    const problems = withCode(loadAndCheck(dir).problems, 'MISSING_PARENT_CATEGORY');
    expect(problems.map((p) => p.message).sort()).toEqual([
      expect.stringContaining('category benefits.enrolment has no parent: add benefits'),
      expect.stringContaining('category benefits.household has no parent: add benefits'),
      expect.stringContaining('category benefits.inbox has no parent: add benefits'),
      expect.stringContaining('category benefits.offers has no parent: add benefits'),
      expect.stringContaining('category benefits.payment has no parent: add benefits'),
    ]);
  });
});

describe('checkPolicy on a changed policy', () => {
  const check = (policy: Policy) => checkPolicy(policy, sdl);

  it('reports classification of a type the schema does not have', () => {
    const policy = shipped();
    policy.classification.Citizn = { id: 'identity.id' };
    expect(withCode(check(policy), 'UNKNOWN_TYPE').map((p) => p.message)).toEqual([expect.stringContaining('type Citizn')]);
  });

  it('reports classifying the mutation root', () => {
    const policy = shipped();
    policy.classification.Mutation = { registerBirth: 'identity.birth' };
    expect(withCode(check(policy), 'MUTATION_CLASSIFIED')).toHaveLength(1);
  });

  it('reports a mutation granted as a field', () => {
    const policy = shipped();
    policy.purposes['birth-registration']!.read.fields.push('Mutation.registerBirth');
    expect(withCode(check(policy), 'MUTATION_AS_FIELD')).toHaveLength(1);
  });

  it('reports a client using an internal purpose', () => {
    const policy = shipped();
    const internal = Object.entries(policy.purposes).find(([, p]) => p.internal)?.[0];
    expect(internal).toBeDefined();
    policy.clients['citizen-portal']!.purposes.push(internal!);
    expect(withCode(check(policy), 'INTERNAL_PURPOSE_IN_CLIENT').map((p) => p.message)).toEqual([
      expect.stringContaining(`client citizen-portal uses internal purpose ${internal}`),
    ]);
  });

  it('warns about a purpose no client uses, but not about internal ones', () => {
    const policy = shipped();
    for (const client of Object.values(policy.clients)) client.purposes = client.purposes.filter((p) => p !== 'privacy-oversight');
    policy.clients['privacy-console']!.purposes = ['birth-registration'];
    const unused = withCode(check(policy), 'UNUSED_PURPOSE');
    expect(unused.map((p) => [p.severity, p.message])).toEqual([['warning', expect.stringContaining('privacy-oversight')]]);
  });

  it('reports a purpose nobody signing in through a client may use, and a partner on a public basis', () => {
    const policy = shipped();
    delete policy.purposes['tax-assessment']!.entitlement;
    policy.clients['citizen-portal']!.purposes.push('child-benefit-eligibility');
    policy.clients['bank-app'] = { name: 'Bank', description: 'A partner bank', actors: 'partner', purposes: ['proactive-eligibility'] };
    const closed = withCode(check(policy), 'PURPOSE_CLOSED_TO_CLIENT').map((p) => p.message);
    expect(closed).toEqual([
      expect.stringContaining('client citizen-portal (for citizens) uses purpose child-benefit-eligibility'),
      expect.stringContaining('client tax-office-app (for staff) uses purpose tax-assessment'),
      expect.stringContaining('client graph-explorer (for citizens, staff) uses purpose tax-assessment'),
    ]);
    expect(withCode(check(policy), 'PARTNER_ON_PUBLIC_BASIS').map((p) => p.message)).toEqual([expect.stringContaining('client bank-app')]);
  });

  it('reports granting and denying the same category or field as an error', () => {
    const policy = shipped();
    const purpose = policy.purposes['tax-assessment']!;
    purpose.deny.categories.push('identity.address');
    purpose.read.fields.push('Citizen.sex');
    purpose.deny.fields.push('Citizen.sex');
    const contradictions = withCode(check(policy), 'CONTRADICTION');
    expect(contradictions.map((p) => p.severity)).toEqual(['error', 'error']);
    expect(contradictions.some((p) => p.message.includes('category identity.address'))).toBe(true);
    expect(contradictions.some((p) => p.message.includes('field Citizen.sex'))).toBe(true);
  });

  it('warns about a grant a broader denial shadows', () => {
    const policy = shipped();
    const purpose = policy.purposes['child-benefit-eligibility']!;
    purpose.deny.categories.push('financial');
    purpose.read.fields.push('Citizen.insuredYears');
    const shadowed = withCode(check(policy), 'SHADOWED_GRANT');
    expect(shadowed.every((p) => p.severity === 'warning')).toBe(true);
    expect(shadowed.some((p) => p.message.includes('reads category financial.income but denies financial'))).toBe(true);
    expect(shadowed.some((p) => p.message.includes('reads field Citizen.insuredYears'))).toBe(true);
    expect(errors(check(policy))).toEqual([]);
  });

  it('warns about a category grant whose every field is denied one by one', () => {
    const policy = shipped();
    const purpose = policy.purposes['tax-assessment']!;
    purpose.read.categories.push('identity.contact');
    purpose.deny.fields.push('Citizen.contact', 'Contact.email', 'Contact.phone');
    expect(withCode(check(policy), 'SHADOWED_GRANT').map((p) => p.message)).toEqual([
      expect.stringContaining('reads category identity.contact but denies every field in it'),
    ]);
  });

  it('warns when a purpose reaching anyone rests on consent or contract', () => {
    const policy = shipped();
    policy.purposes['tax-assessment']!.legalBasis.kind = 'consent';
    policy.purposes['self-service']!.legalBasis.kind = 'consent'; // reaches only self/represented: fine
    expect(withCode(check(policy), 'WEAK_LEGAL_BASIS').map((p) => [p.severity, p.message])).toEqual([
      ['warning', expect.stringContaining('purpose tax-assessment reaches any person')],
    ]);
  });

  it('reports every problem at once rather than the first', () => {
    const policy = shipped();
    policy.classification.Citizen!.givenName = 'identity.nmae';
    policy.purposes['tax-assessment']!.mutations.push('registerDeath');
    policy.clients['caseworker-app']!.purposes.push('nope');
    const codes = new Set(errors(check(policy)).map((p) => p.code));
    expect(codes).toEqual(new Set(['UNKNOWN_CATEGORY', 'UNKNOWN_MUTATION', 'UNKNOWN_PURPOSE']));
  });
});

describe('loadPolicy', () => {
  it('finds nothing for ids that are Object.prototype members', () => {
    const policy = loadPolicy();
    for (const id of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(policy.purposes[id], id).toBeUndefined();
      expect(policy.clients[id], id).toBeUndefined();
      expect(policy.categories[id], id).toBeUndefined();
      expect(policy.classification[id], id).toBeUndefined();
      expect(policy.classification.Citizen?.[id], id).toBeUndefined();
    }
  });
});
