/**
 * Structured JSON logs (pino). Never log request bodies, tokens or personal
 * data: log codes, ids and what an operator needs to act. With tracing on
 * (platform/telemetry.ts), every line logged inside a request carries its
 * `trace_id` and `span_id`, so a log line leads to the request's trace.
 */
import { isSpanContextValid, trace } from '@opentelemetry/api';
import { pino } from 'pino';

/** The active span's ids, the fields every line logged inside a traced request carries. */
export function traceFields(): { trace_id?: string; span_id?: string } {
  const context = trace.getActiveSpan()?.spanContext();
  return context && isSpanContextValid(context) ? { trace_id: context.traceId, span_id: context.spanId } : {};
}

export const logger = pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' || process.env.VITEST ? 'warn' : 'info'),
  redact: { paths: ['req.headers.authorization', 'headers.authorization', '*.token'], censor: '[redacted]' },
  // `service` is set per service by child loggers; the base names the system once.
  base: { system: 'citizen-graph' },
  mixin: traceFields,
});
