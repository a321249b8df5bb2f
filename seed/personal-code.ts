/**
 * Synthetic personal identification codes in the shape of Estonian ones
 * (isikukood: 11 digits, GYYMMDDSSSC) with a valid mod-11 check digit.
 *
 * They deliberately do NOT encode the birth date: a persona's code is fixed in
 * personas.json while its birth date moves with `today`. The month digits are
 * always 20–99, so a synthetic code can never be a real person's code.
 */
import { yearOf, type Day } from './calendar.ts';

// The check digit is the population register's rule: one implementation, owned by the identity agency.
export { checkDigit, isValidPersonalCode } from '../platform/personal-code.ts';
import { checkDigit, isValidPersonalCode } from '../platform/personal-code.ts';

/** Number of distinct codes: 10^7 year/sequence combinations times 80 impossible months. */
const CODE_SPACE = 800_000_000;
// An affine map n -> (A·n + B) mod CODE_SPACE is a bijection when gcd(A, CODE_SPACE) = 1
// (A odd and not a multiple of 5); it scatters consecutive serials across the space.
const MULTIPLIER = 387_420_489; // 3^18
const OFFSET = 271_828_182;

/** (a · b) mod m without losing precision above 2^53. */
function mulMod(a: number, b: number, m: number): number {
  const high = Math.floor(b / 10_000);
  const low = b % 10_000;
  return (((a * high) % m) * 10_000 + a * low) % m;
}

/** The part of a code that makes it unique: every digit but the first (sex/century) and the check digit. */
function bodyOf(code: string): number {
  const year = Number(code.slice(1, 3));
  const month = Number(code.slice(3, 5));
  const rest = Number(code.slice(5, 10));
  if (month < 20) throw new RangeError(`synthetic codes have month digits 20–99: ${code}`);
  return (year * 100_000 + rest) * 80 + (month - 20);
}

/** First digit as in Estonian codes: century of birth and sex (3/4 = 1900s, 5/6 = 2000s; odd = male). */
export function centuryDigit(sex: 'F' | 'M', born: Day): number {
  const year = yearOf(born);
  const base = year < 1900 ? 1 : year < 2000 ? 3 : 5;
  return base + (sex === 'F' ? 1 : 0);
}

export function personalCode(firstDigit: number, body: number): string {
  const month = 20 + (body % 80);
  const rest = Math.floor(body / 80);
  const year = Math.floor(rest / 100_000);
  const tail = rest % 100_000;
  const firstTen =
    String(firstDigit) + String(year).padStart(2, '0') + String(month) + String(tail).padStart(5, '0');
  return firstTen + String(checkDigit(firstTen));
}

/**
 * Hands out unique codes in a fixed order (serial 0, 1, 2, … scattered by the
 * bijection above), skipping the reserved ones (the personas' fixed codes).
 */
export class PersonalCodeAllocator {
  private serial = 0;
  private readonly reserved: Set<number>;

  constructor(reservedCodes: Iterable<string> = []) {
    this.reserved = new Set([...reservedCodes].map(bodyOf));
  }

  next(sex: 'F' | 'M', born: Day): string {
    for (;;) {
      if (this.serial >= CODE_SPACE) throw new RangeError('personal code space exhausted');
      const body = (mulMod(this.serial++, MULTIPLIER, CODE_SPACE) + OFFSET) % CODE_SPACE;
      if (!this.reserved.has(body)) return personalCode(centuryDigit(sex, born), body);
    }
  }
}

/** True when the code has the synthetic shape (so it cannot collide with generated or real codes unnoticed). */
export function isSyntheticPersonalCode(code: string): boolean {
  return isValidPersonalCode(code) && Number(code.slice(3, 5)) >= 20;
}
