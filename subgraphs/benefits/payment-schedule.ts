/**
 * When the board pays (synthetic calendar): family benefits and one-off grants
 * on the 10th of the month. A decision taken by the 5th is paid that month's
 * 10th; later ones the next month's (the payment file closes on the 5th).
 */
export const PAYMENT_DAY = 10;
export const PAYMENT_FILE_CLOSES = 5;

/** The first payment day for a decision taken on `today` (YYYY-MM-DD). */
export function firstPaymentDay(today: string): string {
  const [y, m, d] = today.split('-').map(Number) as [number, number, number];
  const month = d <= PAYMENT_FILE_CLOSES ? m - 1 : m;
  return new Date(Date.UTC(y, month, PAYMENT_DAY)).toISOString().slice(0, 10);
}
