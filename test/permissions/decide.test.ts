/**
 * The decision function on small hand-built policies: each rule in isolation,
 * so that a change in decide.ts that alters one of them fails exactly one group.
 */
import { describe, expect, it } from 'vitest';
import { categoryCovers, classify, decide, decideMutation, relationInScope, type DenialReason, type Relation } from '../../permissions/decide.ts';
import { categoriesFile, purposesFile, type Acr, type Policy, type SubjectScope } from '../../permissions/model.ts';

type PurposeInput = Record<string, unknown>;

/** A policy run through the real zod schemas, so defaults (deny, mutations, internal) are as in production. */
function makePolicy(purposes: Record<string, PurposeInput>, categories?: Record<string, { description: string; minAcr?: Acr }>): Policy {
  return {
    categories: categoriesFile.parse({
      categories: categories ?? {
        identity: { description: 'who' },
        'identity.name': { description: 'names' },
        'identity.birth': { description: 'birth' },
        financial: { description: 'money', minAcr: 'substantial' },
        'financial.income': { description: 'income' },
        'financial.assessment': { description: 'assessments' },
        secret: { description: 'secret', minAcr: 'high' },
        'secret.leaf': { description: 'leaf of secret', minAcr: 'low' },
      },
    }).categories,
    classification: {
      Citizen: {
        givenName: 'identity.name',
        familyName: 'identity.name',
        dateOfBirth: 'identity.birth',
        annualIncome: 'financial.income',
        taxAssessments: 'financial.assessment',
        codename: 'secret.leaf',
      },
      Programme: { name: 'public' },
    },
    subjectTypes: { Citizen: 'id' },
    roots: {},
    purposes: purposesFile.parse({ purposes }).purposes,
    clients: {},
  };
}

const basis = { kind: 'statute', reference: 'Test Act § 1' };
const base = (overrides: PurposeInput): PurposeInput => ({
  description: 'test purpose',
  legalBasis: basis,
  subjects: ['any'],
  acr: 'low',
  read: {},
  ...overrides,
});

function reason(policy: Policy, purpose: string, field: string, acr: Acr = 'high', relation?: Relation): DenialReason | 'ALLOW' {
  const decision = decide(policy, { purpose, field, acr, ...(relation ? { relation } : {}) });
  return decision.allow ? 'ALLOW' : decision.reason;
}

describe('decide: denial reasons', () => {
  const policy = makePolicy({
    names: base({ read: { categories: ['identity.name'] } }),
    strict: base({ acr: 'substantial', read: { categories: ['identity'] }, deny: { fields: ['Citizen.dateOfBirth'] } }),
    mine: base({ subjects: ['self'], read: { categories: ['identity'] } }),
  });

  it('refuses a purpose the policy does not define', () => {
    expect(reason(policy, 'no-such-purpose', 'Citizen.givenName')).toBe('UNKNOWN_PURPOSE');
  });

  it('refuses purposes named like Object.prototype members instead of crashing', () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(reason(policy, name, 'Citizen.givenName')).toBe('UNKNOWN_PURPOSE');
      expect(decideMutation(policy, name, 'registerBirth', 'high')).toEqual({ allow: false, reason: 'UNKNOWN_PURPOSE' });
    }
  });

  it('refuses a field nobody classified, even under a purpose that reads everything nearby', () => {
    expect(reason(policy, 'strict', 'Citizen.shoeSize')).toBe('UNCLASSIFIED');
    expect(reason(policy, 'strict', 'Unknown.field')).toBe('UNCLASSIFIED');
    expect(reason(policy, 'strict', 'Citizen.constructor')).toBe('UNCLASSIFIED');
    expect(reason(policy, 'strict', 'nodot')).toBe('UNCLASSIFIED');
  });

  it('refuses a classified field the purpose does not grant', () => {
    expect(reason(policy, 'names', 'Citizen.dateOfBirth')).toBe('NOT_GRANTED');
  });

  it('refuses a field the purpose denies', () => {
    expect(reason(policy, 'strict', 'Citizen.dateOfBirth')).toBe('EXPLICITLY_DENIED');
  });

  it('refuses a session below the purpose assurance', () => {
    expect(reason(policy, 'strict', 'Citizen.givenName', 'low')).toBe('ASSURANCE_TOO_LOW');
    expect(reason(policy, 'strict', 'Citizen.givenName', 'substantial')).toBe('ALLOW');
  });

  it('refuses a subject outside the purpose reach', () => {
    expect(reason(policy, 'mine', 'Citizen.givenName', 'high', 'other')).toBe('SUBJECT_OUT_OF_SCOPE');
    expect(reason(policy, 'mine', 'Citizen.givenName', 'high', 'self')).toBe('ALLOW');
  });

  it('allows public fields under any purpose, any assurance, any subject', () => {
    expect(reason(policy, 'names', 'Programme.name', 'low', 'other')).toBe('ALLOW');
    expect(reason(policy, 'mine', 'Programme.name', 'low', 'other')).toBe('ALLOW');
  });

  it('still refuses public fields for an unknown purpose', () => {
    expect(reason(policy, 'nope', 'Programme.name')).toBe('UNKNOWN_PURPOSE');
  });
});

describe('decide: hierarchical categories', () => {
  const policy = makePolicy({
    parent: base({ read: { categories: ['identity'] } }),
    child: base({ read: { categories: ['identity.name'] } }),
  });

  it('a parent category grants every child category', () => {
    expect(reason(policy, 'parent', 'Citizen.givenName')).toBe('ALLOW');
    expect(reason(policy, 'parent', 'Citizen.dateOfBirth')).toBe('ALLOW');
  });

  it('a child category grants neither its siblings nor other branches', () => {
    expect(reason(policy, 'child', 'Citizen.familyName')).toBe('ALLOW');
    expect(reason(policy, 'child', 'Citizen.dateOfBirth')).toBe('NOT_GRANTED');
    expect(reason(policy, 'child', 'Citizen.annualIncome')).toBe('NOT_GRANTED');
  });

  it('categoryCovers follows dotted segments, not string prefixes', () => {
    expect(categoryCovers('identity', 'identity')).toBe(true);
    expect(categoryCovers('identity', 'identity.name')).toBe(true);
    expect(categoryCovers('identity', 'identity.name.given')).toBe(true);
    expect(categoryCovers('identity.name', 'identity')).toBe(false);
    expect(categoryCovers('ident', 'identity.name')).toBe(false);
    expect(categoryCovers('identity.na', 'identity.name')).toBe(false);
  });
});

describe('decide: deny overrides read', () => {
  const policy = makePolicy({
    'category-over-category': base({ read: { categories: ['financial'] }, deny: { categories: ['financial.assessment'] } }),
    'field-over-category': base({ read: { categories: ['financial'] }, deny: { fields: ['Citizen.annualIncome'] } }),
    'category-over-field': base({ read: { fields: ['Citizen.taxAssessments'] }, deny: { categories: ['financial'] } }),
  });

  it('a denied child category is carved out of a granted parent', () => {
    expect(reason(policy, 'category-over-category', 'Citizen.taxAssessments')).toBe('EXPLICITLY_DENIED');
    expect(reason(policy, 'category-over-category', 'Citizen.annualIncome')).toBe('ALLOW');
  });

  it('a denied field is carved out of a granted category', () => {
    expect(reason(policy, 'field-over-category', 'Citizen.annualIncome')).toBe('EXPLICITLY_DENIED');
    expect(reason(policy, 'field-over-category', 'Citizen.taxAssessments')).toBe('ALLOW');
  });

  it('a denied category beats a granted field', () => {
    expect(reason(policy, 'category-over-field', 'Citizen.taxAssessments')).toBe('EXPLICITLY_DENIED');
  });

  it('a denial is reported even when assurance and subject would also fail', () => {
    expect(reason(policy, 'field-over-category', 'Citizen.annualIncome', 'low', 'other')).toBe('EXPLICITLY_DENIED');
  });
});

describe('decide: field-level grants', () => {
  const policy = makePolicy({ minimal: base({ read: { fields: ['Citizen.dateOfBirth', 'Citizen.annualIncome'] } }) });

  it('grants exactly the listed fields', () => {
    expect(reason(policy, 'minimal', 'Citizen.dateOfBirth')).toBe('ALLOW');
    expect(reason(policy, 'minimal', 'Citizen.annualIncome')).toBe('ALLOW');
  });

  it('does not grant the rest of the fields category', () => {
    expect(reason(policy, 'minimal', 'Citizen.taxAssessments')).toBe('NOT_GRANTED');
    expect(reason(policy, 'minimal', 'Citizen.givenName')).toBe('NOT_GRANTED');
  });

  it('still applies the category assurance floor to a field grant', () => {
    expect(reason(policy, 'minimal', 'Citizen.annualIncome', 'low')).toBe('ASSURANCE_TOO_LOW');
    expect(reason(policy, 'minimal', 'Citizen.dateOfBirth', 'low')).toBe('ALLOW');
  });
});

describe('decide: assurance', () => {
  const policy = makePolicy({
    'low-purpose': base({ acr: 'low', read: { categories: ['identity', 'financial', 'secret'] } }),
    'high-purpose': base({ acr: 'high', read: { categories: ['identity'] } }),
  });

  it.each([
    ['low', 'ASSURANCE_TOO_LOW'],
    ['substantial', 'ASSURANCE_TOO_LOW'],
    ['high', 'ALLOW'],
  ] as const)('a purpose needing high at %s gives %s', (acr, expected) => {
    expect(reason(policy, 'high-purpose', 'Citizen.givenName', acr)).toBe(expected);
  });

  it('a child category inherits its parent minAcr', () => {
    // financial.income declares no minAcr; financial says substantial.
    expect(reason(policy, 'low-purpose', 'Citizen.annualIncome', 'low')).toBe('ASSURANCE_TOO_LOW');
    expect(reason(policy, 'low-purpose', 'Citizen.annualIncome', 'substantial')).toBe('ALLOW');
  });

  it('a child cannot lower the floor its parent sets', () => {
    // secret.leaf says low, secret says high: the strictest applies.
    expect(reason(policy, 'low-purpose', 'Citizen.codename', 'substantial')).toBe('ASSURANCE_TOO_LOW');
    expect(reason(policy, 'low-purpose', 'Citizen.codename', 'high')).toBe('ALLOW');
  });

  it('categories without a floor follow the purpose alone', () => {
    expect(reason(policy, 'low-purpose', 'Citizen.givenName', 'low')).toBe('ALLOW');
  });

  it('an unknown assurance value from a token is never enough', () => {
    expect(reason(policy, 'low-purpose', 'Citizen.givenName', 'none' as Acr)).toBe('ASSURANCE_TOO_LOW');
  });
});

describe('decide: relation to the subject', () => {
  const scopes: SubjectScope[][] = [['self'], ['represented'], ['self', 'represented'], ['any']];
  const relations: Relation[] = ['self', 'represented', 'other'];
  const expected = (subjects: SubjectScope[], relation: Relation) =>
    subjects.includes('any') || (relation === 'self' && subjects.includes('self')) || (relation === 'represented' && subjects.includes('represented'));

  for (const subjects of scopes) {
    const policy = makePolicy({ p: base({ subjects, read: { categories: ['identity'] } }) });
    for (const relation of relations) {
      const allowed = expected(subjects, relation);
      it(`subjects [${subjects.join(', ')}] ${allowed ? 'reach' : 'do not reach'} a subject related as ${relation}`, () => {
        expect(relationInScope(subjects, relation)).toBe(allowed);
        expect(reason(policy, 'p', 'Citizen.givenName', 'high', relation)).toBe(allowed ? 'ALLOW' : 'SUBJECT_OUT_OF_SCOPE');
      });
    }
  }

  it('with the relation omitted, only what holds for every subject is judged', () => {
    const policy = makePolicy({ p: base({ subjects: ['self'], acr: 'substantial', read: { categories: ['identity.name'] } }) });
    expect(reason(policy, 'p', 'Citizen.givenName')).toBe('ALLOW');
    expect(reason(policy, 'p', 'Citizen.dateOfBirth')).toBe('NOT_GRANTED');
    expect(reason(policy, 'p', 'Citizen.givenName', 'low')).toBe('ASSURANCE_TOO_LOW');
  });

  it('assurance is judged before the subject', () => {
    const policy = makePolicy({ p: base({ subjects: ['self'], acr: 'high', read: { categories: ['identity'] } }) });
    expect(reason(policy, 'p', 'Citizen.givenName', 'low', 'other')).toBe('ASSURANCE_TOO_LOW');
  });
});

describe('decideMutation', () => {
  const policy = makePolicy({
    registrar: base({ acr: 'substantial', mutations: ['registerBirth'] }),
    reader: base({ read: { categories: ['identity'] } }),
  });

  it('allows a mutation granted by name at sufficient assurance', () => {
    expect(decideMutation(policy, 'registrar', 'registerBirth', 'substantial')).toEqual({ allow: true });
  });

  it('refuses a mutation the purpose does not list, even when it reads everything', () => {
    expect(decideMutation(policy, 'reader', 'registerBirth', 'high')).toEqual({ allow: false, reason: 'NOT_GRANTED' });
    expect(decideMutation(policy, 'registrar', 'registerDeath', 'high')).toEqual({ allow: false, reason: 'NOT_GRANTED' });
  });

  it('refuses below the purpose assurance', () => {
    expect(decideMutation(policy, 'registrar', 'registerBirth', 'low')).toEqual({ allow: false, reason: 'ASSURANCE_TOO_LOW' });
  });

  it('refuses an unknown purpose', () => {
    expect(decideMutation(policy, 'nobody', 'registerBirth', 'high')).toEqual({ allow: false, reason: 'UNKNOWN_PURPOSE' });
  });
});

describe('classify', () => {
  const policy = makePolicy({});
  it('finds a field category by Type.field', () => {
    expect(classify(policy, 'Citizen.annualIncome')).toBe('financial.income');
    expect(classify(policy, 'Programme.name')).toBe('public');
  });
  it('returns undefined for unknown and inherited names', () => {
    expect(classify(policy, 'Citizen.nothing')).toBeUndefined();
    expect(classify(policy, 'Citizen.toString')).toBeUndefined();
    expect(classify(policy, 'constructor.name')).toBeUndefined();
  });
});
