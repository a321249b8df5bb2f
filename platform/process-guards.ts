/**
 * What a program prints when it cannot go on: one line saying what went wrong
 * (and, for failures a person can fix, what to do), then a non-zero exit.
 * Installed first by every entry point, so that no unhandled 'error' event or
 * rejection ever reaches the terminal as a stack trace.
 */
import { PolicyError } from '../permissions/load.ts';
import { logger } from './logger.ts';
import { StartupError } from './startup-error.ts';

/** The sentence for an error: ours as written, anything else by its message alone. */
export function describeFailure(error: unknown): string {
  // Both list every problem, one per line: shown whole.
  if (error instanceof StartupError || error instanceof PolicyError) return error.message;
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ECONNREFUSED') return `a server it needs refused the connection (${error.message.replace(/^connect /, '')})`;
    return error.message.split('\n')[0] || error.name;
  }
  return String(error);
}

/** Prints the failure for `program` and exits with `code` (1 unless told). */
export function fail(program: string, error: unknown, code = 1): never {
  // The operator's log keeps the detail (the stack); the terminal gets the sentence.
  if (!(error instanceof StartupError)) logger.debug({ err: error instanceof Error ? { message: error.message, stack: error.stack } : String(error) }, `${program} failed`);
  process.stderr.write(`${program} could not go on: ${describeFailure(error)}\n`);
  process.exit(code);
}

let installed = false;
export function guardProcess(program: string): void {
  if (installed) return;
  installed = true;
  process.on('uncaughtException', (error) => fail(program, error));
  process.on('unhandledRejection', (reason) => fail(program, reason));
}
