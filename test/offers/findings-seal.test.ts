/**
 * The board's seal on its findings (subgraphs/benefits/findings-seal.ts): only
 * what the board sealed, unchanged and on the day it was made, opens.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { findingsSeal, type Sealed } from '../../subgraphs/benefits/findings-seal.ts';

const content: Sealed = {
  citizenId: '49001010005',
  on: '2026-12-03',
  findings: [{ programme: 'child-allowance', occasion: 'monthly:2', amount: 160, facts: [{ agency: 'family', field: 'Citizen.children', value: '2 children under 16' }] }],
};
const key = randomBytes(32);
const seal = findingsSeal(key);
const payloadOf = (sealed: string) => JSON.parse(Buffer.from(sealed.split('.')[0]!, 'base64url').toString('utf8')) as unknown[];
const withPayload = (sealed: string, payload: unknown) => `${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${sealed.split('.')[1]}`;

describe('the findings seal', () => {
  it('opens what the board sealed, unchanged', () => {
    expect(seal.open(seal.seal(content), '2026-12-03')).toEqual(content);
  });

  it('refuses a finding changed, added or dropped after sealing', () => {
    const sealed = seal.seal(content);
    const [who, on, findings] = payloadOf(sealed) as [string, string, { amount: number }[]];
    for (const forged of [
      [who, on, [{ ...findings[0]!, amount: 1600 }]],
      [who, on, []],
      [who, on, [...findings, ...findings]],
      ['49001010016', on, findings],
    ]) {
      expect(() => seal.open(withPayload(sealed, forged), '2026-12-03')).toThrow(/not made by the benefits board/);
    }
  });

  it("refuses another key's seal, and anything that is not a seal", () => {
    const other = findingsSeal(randomBytes(32)).seal(content);
    for (const sealed of [other, '', '.', 'abc', `${seal.seal(content)}x`, 'x'.repeat(5000)]) {
      expect(() => seal.open(sealed, '2026-12-03')).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }));
    }
  });

  it("refuses yesterday's findings: a seal is recorded on the day it was made", () => {
    expect(() => seal.open(seal.seal(content), '2026-12-04')).toThrow(/of 2026-12-03/);
  });
});
