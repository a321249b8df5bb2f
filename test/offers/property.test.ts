/**
 * Property: over random households (ages, incomes at and around the limits,
 * one or two parents, twins and triplets, children living elsewhere, deaths,
 * grants already received by either parent, opt-outs, personal codes in any
 * order), the engine's rules find exactly what the independent reference
 * (test/offers/reference.ts, written from the programme rules) finds, for the
 * energy tariff and every per-child programme. The engine sees the registers
 * as the graph shows them (children with their parents, the birth mother
 * first; the household; last year's income; enrolments).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateCitizen } from '../../subgraphs/benefits/rules/index.ts';
import type { CitizenFacts, EnrolmentFact } from '../../subgraphs/benefits/rules/types.ts';
import { referenceFindings, type Registers, type Triple } from './reference.ts';

const TODAY = '2026-12-02';
const daysBefore = (n: number) => new Date(Date.parse(`${TODAY}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);
const PROGRAMMES = ['birth-grant', 'child-allowance', 'large-family-allowance', 'single-parent-allowance', 'low-income-child-supplement', 'old-age-pension', 'energy-social-tariff'] as const;

const income = fc.oneof(fc.constant(null), fc.constant(0), fc.integer({ min: 1, max: 40_000 }), fc.constantFrom(5_808, 8_712, 11_616, 14_520, 25_725, 25_726));
const adult = fc.record({
  ageDays: fc.integer({ min: 18 * 366, max: 90 * 365 }),
  dead: fc.integer({ min: 0, max: 14 }).map((n) => n === 0),
  income,
  atHome: fc.integer({ min: 0, max: 5 }).map((n) => n > 0),
});
const child = fc.record({
  // Mostly recent births (the birth grant's window), some older children up to 20, some around 16 and 19.
  ageDays: fc.oneof(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: 20 * 365 }), fc.integer({ min: 15 * 365, max: 20 * 365 })),
  dead: fc.integer({ min: 0, max: 19 }).map((n) => n === 0),
  mother: fc.nat(),
  second: fc.option(fc.nat(), { nil: null }),
  atHome: fc.integer({ min: 0, max: 7 }).map((n) => n > 0),
  grantPaidTo: fc.option(fc.nat(), { nil: null }),
  // Born in the same birth as an earlier child (twins, triplets).
  sameBirthAs: fc.option(fc.nat(), { nil: null }),
  inEducation: fc.boolean(),
});
const enrolment = fc.record({
  holder: fc.nat(),
  programme: fc.constantFrom(...PROGRAMMES.filter((p) => p !== 'birth-grant')),
  status: fc.constantFrom('active', 'suspended', 'ended'),
  amount: fc.constantFrom(10, 15, 60, 80, 120, 160, 180, 650, 850),
});
const household = fc.record({
  adults: fc.array(adult, { minLength: 1, maxLength: 4 }),
  outsiders: fc.array(adult, { maxLength: 2 }),
  children: fc.array(child, { maxLength: 6 }),
  enrolments: fc.array(enrolment, { maxLength: 4 }),
  optedOut: fc.array(fc.nat(), { maxLength: 2 }),
  codes: fc.uniqueArray(fc.integer({ min: 10_000_000_000, max: 69_999_999_999 }), { minLength: 12, maxLength: 12 }),
});

type Household = typeof household extends fc.Arbitrary<infer T> ? T : never;

function registersOf(h: Household): Registers {
  const codes = h.codes.map(String);
  const grown = [...h.adults.map((a) => ({ ...a, inHousehold: a.atHome })), ...h.outsiders.map((a) => ({ ...a, inHousehold: false }))];
  const adults = grown.map((a, i) => ({ id: codes[i]!, ...a }));
  const people: Registers['people'] = adults.map((a) => ({ id: a.id, dob: daysBefore(a.ageDays), dod: a.dead ? daysBefore(1) : null }));
  const homes: Registers['homes'] = adults.filter((a) => a.inHousehold).map((a) => ({ id: a.id, home: '1' }));
  const income: Registers['income'] = adults.filter((a) => a.income !== null).map((a) => ({ id: a.id, total: String(a.income) }));
  const parentage: Registers['parentage'] = [];
  const enrolments: Registers['enrolments'] = [];
  const kids: { id: string; dob: string; parents: string[] }[] = [];
  const inEducation: string[] = [];
  h.children.slice(0, codes.length - adults.length).forEach((c, i) => {
    const id = codes[adults.length + i]!;
    const twin = c.sameBirthAs !== null && kids.length > 0 ? kids[c.sameBirthAs % kids.length]! : undefined;
    const mother = adults[c.mother % adults.length]!.id;
    const second = c.second === null ? undefined : adults[c.second % adults.length]!.id;
    const parents = twin ? twin.parents : [mother, ...(second && second !== mother ? [second] : [])];
    const dob = twin ? twin.dob : daysBefore(c.ageDays);
    kids.push({ id, dob, parents });
    people.push({ id, dob, dod: c.dead ? daysBefore(0) : null });
    if (c.atHome) homes.push({ id, home: '1' });
    if (c.inEducation) inEducation.push(id);
    for (const parent of parents) parentage.push({ parent, child: id });
    if (c.grantPaidTo !== null) enrolments.push({ id: parents[c.grantPaidTo % parents.length]!, programme: 'birth-grant', status: 'ended', amount: null, child: id });
  });
  for (const e of h.enrolments) enrolments.push({ id: adults[e.holder % adults.length]!.id, programme: e.programme, status: e.status, amount: String(e.amount), child: null });
  const taxpayers = adults.map((a) => ({ id: a.id, years: 20 }));
  return { people, income, taxpayers, parentage, homes, enrolments, optedOut: h.optedOut.map((n) => adults[n % adults.length]!.id), inEducation };
}

/** The registers as the graph shows a citizen to the engine. */
function factsOf(r: Registers, id: string): CitizenFacts {
  const person = (pid: string) => r.people.find((p) => p.id === pid)!;
  const parentsOf = (pid: string) => r.parentage.filter((p) => p.child === pid).map((p) => p.parent);
  const incomeOf = (pid: string) => {
    const row = r.income.find((i) => i.id === pid);
    return row ? Number(row.total) : null;
  };
  const enrolmentsOf = (pid: string): EnrolmentFact[] => r.enrolments.filter((e) => e.id === pid)
    .map((e) => ({ programme: e.programme, status: e.status.toUpperCase() as EnrolmentFact['status'], monthlyAmount: e.amount === null ? null : Number(e.amount) }));
  const home = r.homes.find((h) => h.id === id)?.home;
  const me = person(id);
  return {
    id, dateOfBirth: me.dob, dateOfDeath: me.dod, annualIncome: incomeOf(id), insuredYears: r.taxpayers.find((t) => t.id === id)?.years ?? null,
    enrolments: enrolmentsOf(id),
    parents: parentsOf(id),
    children: r.parentage.filter((p) => p.parent === id).map((p) => ({
      id: p.child, dateOfBirth: person(p.child).dob, dateOfDeath: person(p.child).dod, parents: parentsOf(p.child),
      birthGrantGranted: r.enrolments.some((e) => e.programme === 'birth-grant' && e.child === p.child),
      inEducation: r.inEducation.includes(p.child),
    })),
    household: home === undefined ? [] : r.homes.filter((h) => h.home === home && h.id !== id).map((h) => ({
      id: h.id, dateOfBirth: person(h.id).dob, dateOfDeath: person(h.id).dod, annualIncome: incomeOf(h.id), enrolments: enrolmentsOf(h.id), parents: parentsOf(h.id),
    })),
  };
}

/** The engine's findings as the benefits register would hold them: an opted-out person's proposals are withheld. */
function engineFindings(r: Registers): Set<Triple> {
  const out = new Set<Triple>();
  for (const p of r.people) {
    for (const f of evaluateCitizen(factsOf(r, p.id), TODAY)) {
      if (f.grant === 'offer' && r.optedOut.includes(p.id)) continue;
      out.add(`${p.id}|${f.programme}|${f.amount === null ? 'null' : f.amount.toFixed(2)}|${f.child ?? '-'}`);
    }
  }
  return out;
}

const only = (set: Set<Triple>, programmes: readonly string[]) => [...set].filter((t) => programmes.includes(t.split('|')[1]!)).sort();
const CHECKED = ['energy-social-tariff', 'birth-grant', 'child-allowance', 'large-family-allowance', 'single-parent-allowance', 'low-income-child-supplement'];

describe('rules against the reference over random households', () => {
  it('the energy tariff and every per-child programme agree exactly', () => {
    fc.assert(
      fc.property(household, (h) => {
        const registers = registersOf(h);
        expect(only(engineFindings(registers), CHECKED)).toEqual(only(referenceFindings(registers, TODAY), CHECKED));
      }),
      { numRuns: 1_000 },
    );
  });

  it('one tariff per household at most, whoever is evaluated first', () => {
    fc.assert(
      fc.property(household, (h) => {
        const registers = registersOf(h);
        const tariffs = only(engineFindings(registers), ['energy-social-tariff']);
        // The household, and everyone living outside it on their own.
        expect(tariffs.length).toBeLessThanOrEqual(1 + registers.people.filter((p) => !registers.homes.some((m) => m.id === p.id)).length);
        const inHousehold = tariffs.filter((t) => registers.homes.some((m) => m.id === t.split('|')[0]));
        expect(inHousehold.length).toBeLessThanOrEqual(1);
      }),
      { numRuns: 300 },
    );
  });
});
