/**
 * After a start, the proactive offers of the day are evaluated for the whole
 * population in the background, through the gateway like any batch — so the
 * demo personas find their offers in the portal. Idempotent and resumable:
 * one run per day, continued where an interrupted start left it.
 */
import { runBatch } from '../offers/batch.ts';
import { ENGINE_CLIENT, ENGINE_PURPOSE } from '../offers/engine.ts';
import { today } from '../platform/clock.ts';
import { gatewayClient } from '../offers/gateway-client.ts';
import { devServiceCredentials } from '../identity-provider/clients.ts';
import { clientCredentialsTokenSource } from '../platform/service-token.ts';
import type { RunningSystem } from './services.ts';

export function evaluateOffersInBackground(system: RunningSystem, log: (line: string) => void): Promise<void> {
  const runId = `offers-batch-${today()}`;
  const client = gatewayClient(system.gateway.url, ENGINE_PURPOSE, clientCredentialsTokenSource({ issuer: system.identityProvider.issuer, ...devServiceCredentials(ENGINE_CLIENT) }));
  let lastReport = 0;
  return runBatch(client, {
    runId,
    onProgress: ({ evaluated }) => {
      if (Date.now() - lastReport > 5_000) {
        lastReport = Date.now();
        log(`proactive offers: ${evaluated.toLocaleString('en')} citizens evaluated…`);
      }
    },
  }).then(
    (result) =>
      log(
        result.alreadyFinished
          ? `proactive offers: today's evaluation (${runId}) is done`
          : `proactive offers: ${result.evaluated.toLocaleString('en')} citizens evaluated in ${(result.elapsedMs / 1000).toFixed(1)} s; ${result.proposed} proposed, ${result.grantedAutomatically} granted automatically`,
      ),
    (error: Error) => log(`proactive offers: evaluation stopped (${error.message}); \`npm run offers -- --all\` resumes it`),
  );
}
