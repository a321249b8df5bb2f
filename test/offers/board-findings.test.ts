/**
 * The board's seal on its findings (subgraphs/benefits/findings-seal.ts): only
 * what the board sealed, unchanged, for that person and on the day it was
 * made, opens; and the board decides only on all the facts its rules read.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { findingsSeal, type SealedFinding } from '../../subgraphs/benefits/findings-seal.ts';
import { eligibility, givenAll } from '../../subgraphs/benefits/eligibility.ts';

const who = '49001010005';
const day = '2026-12-03';
const findings: SealedFinding[] = [{ programme: 'child-allowance', occasion: 'monthly:2', amount: 160, facts: [{ agency: 'family', field: 'Citizen.children', value: '2 children under 16' }] }];
const seal = findingsSeal(randomBytes(32));
const withPayload = (sealed: string, payload: unknown) => `${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${sealed.split('.')[1]}`;
const refused = expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) });

describe('the findings seal', () => {
  it('opens what the board sealed, unchanged; "nothing found" is a seal too, of a few characters', () => {
    expect(seal.open(seal.seal(who, day, findings), who, day)).toEqual(findings);
    const nothing = seal.seal(who, day, []);
    expect(nothing.length).toBeLessThan(30);
    expect(seal.open(nothing, who, day)).toEqual([]);
  });

  it('refuses a finding changed, added or dropped after sealing', () => {
    const sealed = seal.seal(who, day, findings);
    for (const forged of [[{ ...findings[0]!, amount: 1600 }], [], [...findings, ...findings]]) {
      expect(() => seal.open(withPayload(sealed, forged), who, day)).toThrow(refused);
    }
    // "Nothing found" cannot be made of a seal with findings by dropping its payload.
    expect(() => seal.open(`.${sealed.split('.')[1]}`, who, day)).toThrow(refused);
  });

  it("refuses another person's seal, another key's, and anything that is not a seal", () => {
    expect(() => seal.open(seal.seal('49001010016', day, findings), who, day)).toThrow(/not made by the benefits board for this citizen today/);
    const other = findingsSeal(randomBytes(32)).seal(who, day, findings);
    for (const sealed of [other, '', '.', 'abc', `${seal.seal(who, day, findings)}x`, 'x'.repeat(5000)]) {
      expect(() => seal.open(sealed, who, day)).toThrow(refused);
    }
  });

  it('opens one spelling only: a MAC whose last character differs only in the bits base64url drops does not open', () => {
    const sealed = seal.seal(who, day, findings);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(sealed.at(-1)!);
    const twin = `${sealed.slice(0, -1)}${alphabet[last ^ 1]}`;
    // The same 16 bytes decoded…
    expect(Buffer.from(twin.split('.')[1]!, 'base64url')).toEqual(Buffer.from(sealed.split('.')[1]!, 'base64url'));
    // …but not the seal the board gave.
    expect(() => seal.open(twin, who, day)).toThrow(refused);
  });

  it("refuses yesterday's findings: a seal is recorded on the day it was made", () => {
    expect(() => seal.open(seal.seal(who, day, findings), who, '2026-12-04')).toThrow(refused);
  });
});

describe('the board decides on all the facts or not at all', () => {
  const whole = {
    id: who, dateOfBirth: '1990-01-01', dateOfDeath: null, annualIncome: 12000, insuredYears: 10, parents: [],
    children: [{ id: '62001010004', dateOfBirth: '2020-01-01', dateOfDeath: null, parents: [{ id: who }], inEducation: null }],
    householdMembers: [{ id: '62001010004', dateOfBirth: '2020-01-01', dateOfDeath: null, annualIncome: null, parents: [{ id: who }] }],
  };
  it('takes a null as a fact (nothing on record) and an absent fact as no decision, down to each child and member', () => {
    expect(givenAll(whole)).toBe(true);
    expect(givenAll({ id: who })).toBe(false);
    const { annualIncome: _income, ...member } = whole.householdMembers[0]!;
    expect(givenAll({ ...whole, householdMembers: [member as typeof whole.householdMembers[0]] })).toBe(false);
    const { inEducation: _studying, ...child } = whole.children[0]!;
    expect(givenAll({ ...whole, children: [child as typeof whole.children[0]] })).toBe(false);
    expect(givenAll({ ...whole, children: [null as unknown as typeof whole.children[0]] })).toBe(false);
  });

  it('answers FACTS_MISSING, and reads nothing, when a fact is absent', async () => {
    const { annualIncome: _income, ...member } = whole.householdMembers[0]!;
    const person = { given: { ...whole, householdMembers: [member as typeof whole.householdMembers[0]] } };
    await expect(eligibility(person, {}, {} as Parameters<typeof eligibility>[2])).rejects.toMatchObject({ extensions: { code: 'FACTS_MISSING' } });
  });
});
