/**
 * The board's seal on its findings (subgraphs/benefits/findings-seal.ts): only
 * what the board sealed, unchanged, for that person and on the day it was
 * made, opens.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { findingsSeal, type SealedFinding } from '../../subgraphs/benefits/findings-seal.ts';

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

  it("refuses yesterday's findings: a seal is recorded on the day it was made", () => {
    expect(() => seal.open(seal.seal(who, day, findings), who, '2026-12-04')).toThrow(refused);
  });
});
