/**
 * Structured JSON logs (pino). Never log request bodies, tokens or personal
 * data: log codes, ids and what an operator needs to act.
 */
import { pino } from 'pino';

export const logger = pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' || process.env.VITEST ? 'warn' : 'info'),
  redact: { paths: ['req.headers.authorization', 'headers.authorization', '*.token'], censor: '[redacted]' },
  // `service` is set per service by child loggers; the base names the system once.
  base: { system: 'citizen-graph' },
});
