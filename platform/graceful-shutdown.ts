/**
 * SIGTERM / SIGINT for a separately started service: stop taking new
 * connections, let in-flight requests finish (Apollo's drain plugin), close
 * pools, exit 0 — or exit 1 if draining takes longer than the grace period.
 */
import { logger } from './logger.ts';
import { describeFailure, guardProcess } from './process-guards.ts';

export function closeOnSignals(service: string, close: () => Promise<void>, graceMs: number): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ service, signal, graceMs }, 'shutting down: draining in-flight requests');
    const deadline = setTimeout(() => {
      logger.error({ service, graceMs }, 'requests still in flight after the grace period: exiting anyway');
      process.exit(1);
    }, graceMs);
    deadline.unref();
    close().then(
      () => {
        logger.info({ service }, 'stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ service, err: { message: (error as Error).message } }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

/** A start-up failure: one clear message, no stack trace, exit 1. */
export function exitOnStartupError(service: string) {
  guardProcess(service);
  return (error: unknown) => {
    process.stderr.write(`${service} could not start: ${describeFailure(error)}\n`);
    process.exit(1);
  };
}
