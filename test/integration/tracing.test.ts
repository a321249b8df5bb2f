/**
 * Traces (platform/telemetry.ts) with an in-memory exporter: one unified-view
 * query is one trace, from the gateway's HTTP span through its calls to each
 * agency's subgraph (W3C traceparent over real HTTP) down to that agency's SQL;
 * the audit record and log lines carry the trace id; and tracing stays off
 * unless OTEL_* asks for it.
 *
 * The SDK starts before the system's modules load (instrumentation patches
 * them as they load), so the system is imported dynamically after it.
 */
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTelemetry, telemetryWanted, type Telemetry } from '../../platform/telemetry.ts';

const exporter = new InMemorySpanExporter();
let telemetry: Telemetry;
let system: Awaited<ReturnType<typeof import('../support/system.ts')['startTestSystem']>>;
let foundation: typeof import('../support/foundation-policy.ts');

beforeAll(async () => {
  telemetry = await startTelemetry({ spanProcessors: [new SimpleSpanProcessor(exporter)], serviceName: 'citizen-graph-test' });
  const { startTestSystem } = await import('../support/system.ts');
  foundation = await import('../support/foundation-policy.ts');
  system = await startTestSystem({ policy: foundation.foundationPolicy() });
});
afterAll(async () => {
  await system?.close();
  await telemetry?.shutdown();
});

const attr = (span: ReadableSpan, ...names: string[]) => names.map((n) => span.attributes[n]).find((v) => v !== undefined);
const portOf = (url: string) => Number(new URL(url).port);
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

describe('one trace per request, across services', () => {
  it('a unified-view query is one trace: gateway → every agency subgraph it asks → that agency\'s SQL; the audit record names the trace', async () => {
    const id = (await import('../../seed/personas.ts')).citizenPersonas()[0]!.id;
    exporter.reset();
    const requestId = `trace-test-${Date.now()}`;
    const result = await system.query({
      ...foundation.foundationCall,
      query: `query($id: ID!) { citizen(id: $id) { ${foundation.UNIFIED_VIEW} } }`,
      variables: { id },
      headers: { 'x-request-id': requestId },
    });
    expect(result.errors).toBeUndefined();

    const gatewayPort = system.gateway.port;
    const isGatewayRequest = (s: ReadableSpan) => s.kind === 1 && Number(attr(s, 'net.host.port', 'server.port')) === gatewayPort && String(attr(s, 'http.target', 'url.path')).startsWith('/graphql');
    let root: ReadableSpan | undefined;
    for (const deadline = Date.now() + 5_000; !root && Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
      root = exporter.getFinishedSpans().find(isGatewayRequest);
    }
    expect(root, 'the gateway\'s span for POST /graphql').toBeDefined();
    const traceId = root!.spanContext().traceId;
    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
    const descendsFrom = (span: ReadableSpan, ancestor: ReadableSpan) => {
      for (let p = parentOf(span); p; p = byId.get(p) && parentOf(byId.get(p)!)) if (p === ancestor.spanContext().spanId) return true;
      return false;
    };
    // The gateway's own work is in the trace: GraphQL execution and its SQL on the audit store.
    expect(spans.some((s) => s.name.startsWith('graphql.') && descendsFrom(s, root!))).toBe(true);

    for (const agency of ['identity', 'tax', 'family', 'benefits'] as const) {
      const port = portOf(system.subgraphs[agency].url);
      const served = spans.filter((s) => s.kind === 1 && Number(attr(s, 'net.host.port', 'server.port')) === port);
      expect(served.length, `${agency} subgraph spans in the gateway's trace`).toBeGreaterThan(0);
      for (const s of served) expect(descendsFrom(s, root!), `${agency} under the gateway`).toBe(true);
      // Its call came over HTTP from the gateway's client span (traceparent).
      expect(served.some((s) => byId.get(parentOf(s) ?? '')?.kind === 2)).toBe(true);
      // Its execution (compiled, subgraphs/kit/compiled-execution.ts) is a span of the operation it ran.
      expect(spans.some((s) => /^query( |$)/.test(s.name) && attr(s, 'graphql.operation.type') === 'query' && served.some((srv) => descendsFrom(s, srv))), `${agency}'s execution span`).toBe(true);
      const sql = spans.filter((s) => s.name.startsWith('pg.query') && served.some((srv) => descendsFrom(s, srv)));
      expect(sql.length, `${agency}'s SQL under its subgraph span`).toBeGreaterThan(0);
      for (const s of sql) expect(attr(s, 'db.name', 'db.namespace'), `${agency}'s SQL on its own database`).toBe(new URL(inject('databases')[agency]).pathname.slice(1));
      // Spans carry statements, never values.
      for (const s of sql) expect(JSON.stringify(s.attributes)).not.toContain(id);
    }

    const pg = (await import('pg')).default;
    const audit = new pg.Client({ connectionString: inject('databases').audit });
    await audit.connect();
    try {
      const { rows } = await audit.query<{ trace_id: string | null }>('SELECT trace_id FROM audit_record WHERE request_id = $1', [requestId]);
      expect(rows).toEqual([{ trace_id: traceId }]);
    } finally {
      await audit.end();
    }
  });

  it('a log line written inside a traced request carries its trace and span id; outside one, neither', async () => {
    const { traceFields } = await import('../../platform/logger.ts');
    expect(traceFields()).toEqual({});
    await trace.getTracer('test').startActiveSpan('work', async (span) => {
      expect(traceFields()).toEqual({ trace_id: span.spanContext().traceId, span_id: span.spanContext().spanId });
      span.end();
    });
  });
});

describe('configuration', () => {
  it('is off unless OTEL_* names where traces go, and OTEL_SDK_DISABLED wins', () => {
    expect(telemetryWanted({})).toBe(false);
    expect(telemetryWanted({ OTEL_SERVICE_NAME: 'gateway' })).toBe(false);
    expect(telemetryWanted({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(false);
    expect(telemetryWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(telemetryWanted({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
    expect(telemetryWanted({ OTEL_TRACES_EXPORTER: 'console' })).toBe(true);
    expect(telemetryWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' })).toBe(false);
  });
});
