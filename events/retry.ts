/**
 * What happens to a delivery after its consumer failed: a pure function of the
 * attempts made so far and the policy. Exponential backoff with full jitter
 * (AWS Architecture Blog, "Exponential Backoff And Jitter"): replicas that
 * failed together do not retry together. After `maxAttempts` the delivery is
 * dead-lettered: it waits for an operator (`npm run events -- replay`), and
 * the other consumers carry on.
 */
export interface RetryPolicy {
  /** Attempts before the delivery is dead-lettered (the first delivery counts). */
  maxAttempts: number;
  /** Upper bound of the first retry's delay. */
  baseDelayMs: number;
  /** No retry waits longer than this. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 1_000, maxDelayMs: 10 * 60_000 };

export type AfterFailure = { kind: 'retry'; delayMs: number } | { kind: 'dead' };

/**
 * `attempts`: attempts made, this failed one included (≥ 1). `random`: a number
 * in [0, 1) (Math.random in service; fixed in tests).
 */
export function afterFailure(attempts: number, policy: RetryPolicy, random: number): AfterFailure {
  if (!Number.isInteger(attempts) || attempts < 1) throw new RangeError('attempts must be a whole number ≥ 1');
  if (attempts >= policy.maxAttempts) return { kind: 'dead' };
  // 2^(attempts-1) grows past any sensible cap quickly; cap the exponent so the product stays finite.
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempts - 1, 30));
  const r = Math.min(Math.max(random, 0), 1);
  return { kind: 'retry', delayMs: Math.floor(ceiling / 2 + (ceiling / 2) * r) };
}

/**
 * A consumer's error as kept in the delivery row and logged: an operator's clue,
 * with anything shaped like a personal code or a date of birth (six digits or
 * more) blanked out, and short.
 */
export function failureNote(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\d{6,}/g, '…').slice(0, 300);
}

/** Thrown by a consumer for a refusal no retry can change (a forged event): dead-lettered at once. */
export class PermanentDeliveryError extends Error {}
