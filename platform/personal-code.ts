/**
 * Personal identification codes: 11 digits, the last a check digit computed
 * as for the Estonian isikukood (mod 11 with two weight rounds). Synthetic
 * codes here do not encode the birth date.
 */
const WEIGHTS_1 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 1];
const WEIGHTS_2 = [3, 4, 5, 6, 7, 8, 9, 1, 2, 3];

export function checkDigit(first10: string): number {
  if (!/^\d{10}$/.test(first10)) throw new RangeError(`expected ten digits, got "${first10}"`);
  const digits = [...first10].map(Number);
  const sum = (weights: number[]) => digits.reduce((acc, d, i) => acc + d * weights[i]!, 0) % 11;
  const first = sum(WEIGHTS_1);
  if (first < 10) return first;
  const second = sum(WEIGHTS_2);
  return second < 10 ? second : 0;
}

export function isValidPersonalCode(code: string): boolean {
  return /^\d{11}$/.test(code) && checkDigit(code.slice(0, 10)) === Number(code[10]);
}

/** A code from 10 random digits; the caller retries on the (rare) collision. */
export function randomPersonalCode(sex: 'F' | 'M', random: () => number = Math.random): string {
  // First digit as in Estonia: 5 for men, 6 for women born in the 2000s.
  let body = sex === 'M' ? '5' : '6';
  while (body.length < 10) body += Math.floor(random() * 10).toString();
  return body + checkDigit(body).toString();
}
