/**
 * Traces for every service (OpenTelemetry): W3C trace context from the
 * gateway into every subgraph call (undici) and each subgraph's SQL (pg), with
 * the incoming HTTP request and GraphQL execution as spans. Configured by the
 * standard OTEL_* variables, read by the SDK itself (OTEL_EXPORTER_OTLP_ENDPOINT,
 * OTEL_TRACES_EXPORTER, OTEL_SERVICE_NAME, OTEL_TRACES_SAMPLER, OTEL_PROPAGATORS…),
 * and off unless one of them says where traces go: no SDK is even loaded.
 *
 * Instrumentation patches modules as they are loaded, so it starts before the
 * service's own imports: every entry point is run with
 * `--import ./platform/telemetry-preload.ts` (package.json, deploy/entrypoint.sh).
 *
 * Spans never carry values: no SQL parameters, no GraphQL variables or
 * literal values, no request bodies (the same rule as the logs).
 */
import { isSpanContextValid, trace } from '@opentelemetry/api';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';

type Env = Record<string, string | undefined>;

/** True when the environment asks for traces. */
export function telemetryWanted(env: Env = process.env): boolean {
  if (/^true$/i.test(env.OTEL_SDK_DISABLED ?? '')) return false;
  const exporter = env.OTEL_TRACES_EXPORTER?.trim();
  if (exporter) return exporter !== 'none';
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

export interface Telemetry {
  shutdown(): Promise<void>;
}

const PROBES = /^\/(health|ready|metrics)(\?|$)/;

/**
 * Starts the SDK. `spanProcessors` replaces the exporters named by OTEL_* (tests
 * pass an in-memory exporter); everything else still comes from the environment.
 */
export async function startTelemetry(options: { spanProcessors?: SpanProcessor[]; serviceName?: string } = {}): Promise<Telemetry> {
  // Metrics stay with Prometheus (/metrics) and logs with pino: the SDK sends traces only.
  process.env.OTEL_METRICS_EXPORTER ??= 'none';
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  const [{ NodeSDK }, { HttpInstrumentation }, { UndiciInstrumentation }, { PgInstrumentation }, { GraphQLInstrumentation }] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/instrumentation-http'),
    import('@opentelemetry/instrumentation-undici'),
    import('@opentelemetry/instrumentation-pg'),
    import('@opentelemetry/instrumentation-graphql'),
  ]);
  const sdk = new NodeSDK({
    serviceName: options.serviceName ?? process.env.OTEL_SERVICE_NAME ?? 'citizen-graph',
    spanProcessors: options.spanProcessors,
    instrumentations: [
      // Probes every few seconds would drown the traces that matter.
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => PROBES.test(req.url ?? '') }),
      new UndiciInstrumentation(),
      // Statement text only (parameterised: no values), never parameters.
      new PgInstrumentation({ enhancedDatabaseReporting: false }),
      new GraphQLInstrumentation({ allowValues: false, mergeItems: true, ignoreTrivialResolveSpans: true }),
    ],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}

/** The active trace's id (for logs and the audit record), or undefined without tracing. */
export function currentTraceId(): string | undefined {
  const context = trace.getActiveSpan()?.spanContext();
  return context && isSpanContextValid(context) ? context.traceId : undefined;
}
