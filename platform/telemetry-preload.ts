/**
 * Loaded with `--import` before a service's own modules, so that OpenTelemetry
 * instruments http, undici, pg and graphql as they load (platform/telemetry.ts).
 * Does nothing unless OTEL_* asks for traces.
 */
import { startTelemetry, telemetryWanted } from './telemetry.ts';

if (telemetryWanted()) {
  const telemetry = await startTelemetry();
  // Spans still buffered are sent before the process exits.
  process.once('beforeExit', () => void telemetry.shutdown());
}
