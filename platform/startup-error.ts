/**
 * A failure to start that the person at the terminal can fix: its message is
 * one sentence saying what went wrong and what to do. Entry points print it
 * alone (no stack trace) and exit non-zero; see platform/process-guards.ts.
 */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}
