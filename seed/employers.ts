/**
 * The employer register: a fixed set of synthetic companies, the same for
 * every seed, so an employment row's employer exists in every population.
 */
import { Random } from './random.ts';

export interface Employer {
  id: string; // business register code: 8 digits starting with 1
  name: string;
}

const STEMS = `Balti Põhja Lõuna Ida Lääne Mere Metsa Kalevi Toome Vana Uus Kesk Raua Kivi Kase Tamme Hansa Liivi Saare Virumaa
Harju Emajõe Peipsi Lahe Tuule Päikese Valguse Rahva Kodu Tööstus Ehitus Info Andme Logistika Tarkvara Energia Toidu Puidu`
  .split(/\s+/);
const TRADES = `Ehitus Transport Tarkvara Puidutööstus Kaubandus Hulgimüük Konsultatsioon Logistika Tehnika Elekter Meditsiin
Hooldus Pagar Piimatööstus Turvateenused Kinnisvara Arendus Haldus Masinaehitus Disain Teenused Kütus Tekstiil Trükikoda`
  .split(/\s+/);
const FORMS = ['OÜ', 'OÜ', 'OÜ', 'AS', 'AS', 'MTÜ', 'SA'];

export const EMPLOYER_COUNT = 400;

function buildEmployers(): Employer[] {
  // A constant seed: the register must not change with the population seed.
  const random = new Random(0x0e3910e5);
  const ids = new Set<string>();
  const names = new Set<string>();
  const employers: Employer[] = [];
  while (employers.length < EMPLOYER_COUNT) {
    const id = String(random.int(10_000_000, 16_999_999));
    const name = `${random.pick(STEMS)} ${random.pick(TRADES)} ${random.pick(FORMS)}`;
    if (ids.has(id) || names.has(name)) continue;
    ids.add(id);
    names.add(name);
    employers.push({ id, name });
  }
  return employers;
}

export const EMPLOYERS: readonly Employer[] = buildEmployers();
