/**
 * npm run offers -- --all [--run <id>] [--page-size 1000] [--concurrency 4] [--gateway http://localhost:4000]
 *   Evaluates the whole population through the gateway (purpose proactive-eligibility, client
 *   offers-engine) and records the offers. Resumable: the same --run id continues where it
 *   stopped (default id: one run per day). Prints citizens/s at the end.
 * npm run offers -- --worker   (DATABASE_URL_IDENTITY set)
 *   Runs the life-event worker (identity outbox -> family register -> offers for the parents).
 */
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { DEFAULT_CONCURRENCY, DEFAULT_PAGE_SIZE, runBatch } from './batch.ts';
import { ENGINE_CLIENT, ENGINE_PURPOSE, today } from './engine.ts';
import { gatewayClient, serviceTokenSource } from './gateway-client.ts';
import { RELAY_CLIENT, startLifeEventWorker } from './worker.ts';

const usage = 'usage: npm run offers -- --all [--run <id>] [--page-size N] [--concurrency N] [--gateway URL] | --worker';

async function main() {
  const { values } = parseArgs({
    options: {
      all: { type: 'boolean' },
      worker: { type: 'boolean' },
      run: { type: 'string' },
      'page-size': { type: 'string', default: String(DEFAULT_PAGE_SIZE) },
      concurrency: { type: 'string', default: String(DEFAULT_CONCURRENCY) },
      gateway: { type: 'string', default: process.env.GATEWAY_URL ?? 'http://localhost:4000' },
    },
  });
  const graphqlUrl = new URL('/graphql', values.gateway).toString();
  if (values.worker) {
    const identityUrl = process.env.DATABASE_URL_IDENTITY;
    if (!identityUrl) throw new Error('set DATABASE_URL_IDENTITY (the population register whose outbox the worker relays)');
    const worker = await startLifeEventWorker({
      identityUrl,
      gatewayUrl: graphqlUrl,
      relayToken: serviceTokenSource(RELAY_CLIENT),
      engineToken: serviceTokenSource(ENGINE_CLIENT),
      log: (line) => console.error(line),
    });
    console.log('life-event worker running');
    const stop = () => void worker.stop().then(() => process.exit(0));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    return;
  }
  if (!values.all) throw new Error(usage);
  const pageSize = Number(values['page-size']);
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) throw new Error('--page-size must be 1-1000');
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new Error('--concurrency must be 1-64');
  const runId = values.run ?? `offers-batch-${today()}`;

  const client = gatewayClient(graphqlUrl, ENGINE_PURPOSE, serviceTokenSource(ENGINE_CLIENT));
  const bar = new cliProgress.SingleBar(
    { format: 'offers |{bar}| {value}/{total} citizens ({scan}) | {rate}/s | ETA {eta_formatted}', hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  bar.start(pageSize, 0, { rate: 0, scan: 'scanning' });
  const abort = new AbortController();
  process.once('SIGINT', () => {
    abort.abort();
    console.error('\ninterrupted: the run resumes from its checkpoint with the same --run id');
  });
  const result = await runBatch(client, {
    runId,
    pageSize,
    concurrency,
    signal: abort.signal,
    onProgress: (p) => {
      bar.setTotal(Math.max(p.known, p.evaluated));
      bar.update(p.evaluated, { rate: Math.round(p.evaluated / ((Date.now() - started) / 1000)), scan: p.scanned ? 'scanned' : 'scanning' });
    },
  }).finally(() => bar.stop());
  if (result.alreadyFinished) {
    console.log(`run ${runId} had already finished; use --run <new id> to evaluate again`);
    return;
  }
  const seconds = result.elapsedMs / 1000;
  console.log(
    `run ${runId}${result.resumedFromPage > 0 ? ` (resumed at page ${result.resumedFromPage})` : ''}: ${result.evaluated.toLocaleString('en')} citizens in ${seconds.toFixed(1)} s = ` +
      `${Math.round(result.evaluated / seconds).toLocaleString('en')} citizens/s; proposed ${result.proposed}, granted automatically ${result.grantedAutomatically}, ` +
      `updated ${result.updated}, expired ${result.expired}${result.finished ? '' : ' (not finished)'}`,
  );
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exitCode = 1;
});
