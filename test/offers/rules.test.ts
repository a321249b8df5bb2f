/**
 * The benefits agency's rules as pure functions: birth grants per child, the
 * tariff's household test, dependency order within one run, and the
 * parameters' schemas checked at start-up.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { benefits } from '../../subgraphs/benefits/index.ts';
import { evaluateCitizen, RULES, rulesInOrder, termsOf } from '../../subgraphs/benefits/rules/index.ts';
import { lawOf } from '../../subgraphs/benefits/explain.ts';
import { loadParameters, parameterProblems } from '../../subgraphs/benefits/rules/parameters.ts';
import type { CitizenFacts, HouseholdMemberFact } from '../../subgraphs/benefits/rules/types.ts';
import { startSubgraph } from '../../subgraphs/kit/server.ts';
import { loadPolicy } from '../../permissions/load.ts';
import { StartupError } from '../../platform/startup-error.ts';
import { parse } from 'yaml';

const TODAY = '2026-12-02';
const MOTHER = '48001010001';
const FATHER = '38001010002';
const OLDER = '52601010003';
const NEWBORN = '62611220004';

const member = (id: string, dateOfBirth: string, annualIncome: number | null, parents: string[] = []): HouseholdMemberFact => ({ id, dateOfBirth, dateOfDeath: null, annualIncome, enrolments: [], parents });
const citizen = (m: HouseholdMemberFact, household: HouseholdMemberFact[], children: CitizenFacts['children'] = []): CitizenFacts => ({ ...m, insuredYears: 20, children, household });
const child = (id: string, dateOfBirth: string, birthGrantGranted = false, parents = [MOTHER, FATHER]) => ({ id, dateOfBirth, dateOfDeath: null, parents, birthGrantGranted });

describe('birth grant', () => {
  const family = (granted: { older: boolean; newborn: boolean }) => citizen(
    member(MOTHER, '1980-01-01', 20_000),
    [member(FATHER, '1980-01-01', 30_000), member(OLDER, '2026-01-01', null, [MOTHER, FATHER]), member(NEWBORN, '2026-11-22', null, [MOTHER, FATHER])],
    [child(OLDER, '2026-01-01', granted.older), child(NEWBORN, '2026-11-22', granted.newborn)],
  );
  const grants = (facts: CitizenFacts) => evaluateCitizen(facts, TODAY).filter((f) => f.programme === 'birth-grant');

  it('a later birth does not hide an earlier unpaid one: each child has its own grant, named', () => {
    // The newborn's grant was paid; the child born eleven months ago is still owed one (on main, the later grant hid it).
    expect(grants(family({ older: false, newborn: true })).map((f) => [f.child, f.occasion, f.amount])).toEqual([[OLDER, `birth:${OLDER}`, 320]]);
    expect(grants(family({ older: false, newborn: false })).map((f) => f.child)).toEqual([OLDER, NEWBORN]);
    expect(grants(family({ older: true, newborn: true }))).toEqual([]);
  });

  it('is found for the birth mother and shared with the other parent, who is never found a second one', () => {
    const [grant] = grants(family({ older: true, newborn: false }));
    expect(grant).toMatchObject({ child: NEWBORN, sharedWith: [FATHER] });
    const father = citizen(member(FATHER, '1980-01-01', 30_000), family({ older: true, newborn: false }).household.filter((m) => m.id !== FATHER).concat(member(MOTHER, '1980-01-01', 20_000)),
      [child(OLDER, '2026-01-01', true), child(NEWBORN, '2026-11-22', false)]);
    expect(grants(father)).toEqual([]);
  });

  it('triplets or more: the higher amount for each child', () => {
    const ids = ['62611220011', '62611220012', '62611220013'];
    const facts = citizen(member(MOTHER, '1980-01-01', 20_000), ids.map((id) => member(id, '2026-11-22', null, [MOTHER])), ids.map((id) => child(id, '2026-11-22', false, [MOTHER])));
    expect(grants(facts).map((f) => f.amount)).toEqual([1000, 1000, 1000]);
  });
});

describe('energy social tariff', () => {
  const tariff = (facts: CitizenFacts) => evaluateCitizen(facts, TODAY).filter((f) => f.programme === 'energy-social-tariff');
  const household = (members: HouseholdMemberFact[]) => members.map((m) => citizen(m, members.filter((o) => o.id !== m.id),
    members.filter((o) => o.parents.includes(m.id)).map((o) => ({ id: o.id, dateOfBirth: o.dateOfBirth, dateOfDeath: null, parents: o.parents, birthGrantGranted: true }))));

  it('counts every member without income, the applicant too, whoever has the lowest personal code', () => {
    // Two adults without income and one earning 14,000 €: limit 5,808 × (1 + 0.5 × 2) = 11,616 € < 14,000 €; with a third member without income 14,520 €.
    const a = member('37001010011', '1970-01-01', 0);
    const b = member('47001010012', '1970-01-01', 14_000);
    const c = member('57001010013', '2010-01-01', null);
    const d = member('37501010014', '1975-01-01', null);
    for (const members of [[a, b, c], [b, a, c], [a, b, c, d]]) {
      const found = household(members).flatMap(tariff);
      const expected = members.length === 4 ? 1 : 0;
      expect(found).toHaveLength(expected);
    }
    // The same household with the earner holding the lowest code: the same answer (on main the applicant's own lack of income was left out).
    const earner = member('36001010010', '1960-01-01', 14_000);
    expect(household([earner, c, d, member('47001010019', '1970-01-01', 0)]).flatMap(tariff)).toHaveLength(1);
  });

  it('a supplement granted in this same run counts as a listed benefit', () => {
    // Household income 25,000 €: far over the tariff's own limit (8,712 € with one member without income), under the supplement's (25,725 €).
    const parent = member('48501010021', '1985-01-01', 20_000);
    const kid = member('51801010022', '2018-01-01', null, [parent.id]);
    const grandfather = member('35001010023', '1950-01-01', 5_000);
    const facts = household([parent, kid, grandfather]);
    const found = facts.flatMap((f) => evaluateCitizen(f, TODAY));
    expect(found.filter((f) => f.programme === 'low-income-child-supplement').map((f) => f.grant)).toEqual(['automatic']);
    // The grandfather (lowest code) is the tariff's applicant; the supplement his daughter is granted in this run lists the household.
    const tariffs = found.filter((f) => f.programme === 'energy-social-tariff');
    expect(tariffs).toHaveLength(1);
    expect(tariffs[0]!.facts.map((f) => f.key)).toEqual(['fact.householdReceives']);
    expect(rulesInOrder(TODAY).map((r) => r.programme).indexOf('low-income-child-supplement'))
      .toBeLessThan(rulesInOrder(TODAY).map((r) => r.programme).indexOf('energy-social-tariff'));
  });
});

describe('terms and law come from one place', () => {
  it('every programme cites the law of the country whose scheme it models, and a modelled one says so', () => {
    for (const rule of RULES) {
      const terms = termsOf(rule.programme, TODAY)!;
      if (rule.law.modelled) {
        expect(rule.law.country).not.toBe('EE');
        expect(terms.source).toMatch(/^Modelled on .*not Estonian law/s);
        expect(lawOf(rule.programme)).toEqual({ key: 'law.modelledOn', params: { country: rule.law.country, act: rule.law.act, section: rule.law.section } });
      } else {
        expect(rule.law.country).toBe('EE');
        expect(terms.source).toMatch(/^EE /);
      }
      expect(terms.objectionDays === null).toBe(rule.grant === 'offer');
    }
  });
});

describe('parameters', () => {
  const real = () => parse(readFileSync(new URL('../../subgraphs/benefits/rules/parameters.yaml', import.meta.url), 'utf8')) as Record<string, { validFrom: string; source: string; values: Record<string, unknown> }[]>;
  afterEach(() => {
    delete process.env.BENEFITS_PARAMETERS_FILE;
  });

  it('the data file fits every rule', () => {
    expect(parameterProblems(real(), RULES).problems).toEqual([]);
  });

  it('names the rule, the entry and the key of every typo, a missing key, a wrong type and an unknown programme', () => {
    const file = real();
    const entry = file['child-allowance']![0]!;
    entry.values = { ...entry.values, firstAndSecnd: entry.values.firstAndSecond };
    delete entry.values.firstAndSecond;
    file['energy-social-tariff']![0]!.values.incomeLimit = '5808 €';
    file['child-alowance'] = [entry];
    const { problems } = parameterProblems(file, RULES);
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^child-allowance \(valid from 2025-01-01\): unknown key "firstAndSecnd"$/),
      expect.stringMatching(/^child-allowance \(valid from 2025-01-01\): "firstAndSecond": /),
      expect.stringMatching(/^energy-social-tariff \(valid from 2024-01-01\): "incomeLimit": /),
      expect.stringMatching(/^child-alowance: no rule of that name/),
    ]));
  });

  it('a typo stops the benefits subgraph at start-up with a message naming the rule and the key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'benefit-parameters-'));
    const path = join(dir, 'parameters.yaml');
    writeFileSync(path, readFileSync(new URL('../../subgraphs/benefits/rules/parameters.yaml', import.meta.url), 'utf8').replace('      firstAndSecond: 80', '      firstAndSecnd: 80'));
    process.env.BENEFITS_PARAMETERS_FILE = path;
    expect(() => loadParameters(RULES, path)).toThrow(StartupError);
    const started = startSubgraph(benefits, {
      port: 0, host: '127.0.0.1', databaseUrl: 'postgres://benefits@127.0.0.1:1/benefits', policy: loadPolicy(), contextKey: generateKeyPairSync('ed25519').publicKey,
    });
    await expect(started).rejects.toThrow(StartupError);
    await expect(started).rejects.toThrow(/child-allowance \(valid from 2025-01-01\): unknown key "firstAndSecnd"/);
    await expect(started).rejects.toThrow(/child-allowance \(valid from 2025-01-01\): "firstAndSecond": /);
  });
});

describe('the facts a rule states', () => {
  it('each has words in every language, with the parameters it gives (a plural needs its count)', async () => {
    const { messagesIn } = await import('../../platform/messages/render.ts');
    const family = citizen(
      member(MOTHER, '1980-01-01', 9_000),
      [member(FATHER, '1980-01-01', null), member(OLDER, '2020-01-01', null, [MOTHER, FATHER]), member(NEWBORN, '2026-11-22', null, [MOTHER, FATHER])],
      [child(OLDER, '2020-01-01'), child(NEWBORN, '2026-11-22')],
    );
    const facts = evaluateCitizen(family, TODAY).flatMap((finding) => finding.facts);
    expect(facts.some((f) => f.key === 'fact.noBirthGrantYet')).toBe(true);
    for (const lng of ['et', 'en', 'ru']) {
      const { t } = messagesIn(lng);
      for (const fact of facts) {
        if (!fact.key) continue;
        // As the portal speaks it (portal/src/shared/speak.tsx): a list of children gives its count.
        const params: Record<string, unknown> = { ...fact.params };
        if (Array.isArray(params.children)) params.count ??= params.children.length;
        const words = t(fact.key, params);
        expect(words, `${lng} ${fact.key}`).not.toBe(fact.key);
        // A sentence ending in a date ends once (Russian long dates carried their own "г.").
        expect(words, `${lng} ${fact.key}`).not.toMatch(/[^.]\.\.$|[^.]\.\.\s/);
      }
    }
  });
});
