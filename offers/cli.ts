/**
 * npm run offers -- --all [--run <id>] [--page-size 1000] [--concurrency 4] [--gateway http://localhost:4000]
 *   Evaluates the whole population through the gateway (purpose proactive-eligibility, client
 *   offers-engine) and records the offers. Resumable: the same --run id continues where it
 *   stopped (default id: one run per day). Prints citizens/s at the end.
 * npm run offers -- --enqueue [--run <id>] [--page-size 1000] [--wait]   (DATABASE_URL_OFFERS set)
 *   Puts a run on the job queue, for the offers workers (`npm run start:offers`, any number) to share;
 *   --wait shows its progress until it is finished.
 * npm run offers -- --status [--run <id>]   (DATABASE_URL_OFFERS set)
 *   A queued run's progress: pages found, pages done, citizens evaluated.
 * Life events (a birth -> offers for the parents) are delivered by the events service: `npm run start:events`.
 */
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { DEFAULT_CONCURRENCY, DEFAULT_PAGE_SIZE, runBatch } from './batch.ts';
import { ENGINE_CLIENT, ENGINE_PURPOSE } from './engine.ts';
import { today } from '../platform/clock.ts';
import { gatewayClient, serviceTokenSource } from './gateway-client.ts';
import { startOffersQueue } from './queue.ts';
import type { RunProgress } from './queue-store.ts';

const usage = 'usage: npm run offers -- --all [--run <id>] [--page-size N] [--concurrency N] [--gateway URL] | --enqueue [--run <id>] [--page-size N] [--wait] | --status [--run <id>]';

const describe = (p: RunProgress) =>
  `run ${p.runId}: ${p.pagesDone}/${p.pages} pages${p.scanned ? '' : ' (still scanning)'}, ${p.citizens.toLocaleString('en')} citizens evaluated` +
  `${p.finished ? ', finished' : ''}${p.lastPageAt ? `, ${Math.round(p.citizens / Math.max(1, (p.lastPageAt.getTime() - p.startedAt.getTime()) / 1000))} citizens/s` : ''}`;

async function main() {
  const { values } = parseArgs({
    options: {
      all: { type: 'boolean' },
      enqueue: { type: 'boolean' },
      status: { type: 'boolean' },
      wait: { type: 'boolean' },
      run: { type: 'string' },
      'page-size': { type: 'string', default: String(DEFAULT_PAGE_SIZE) },
      concurrency: { type: 'string', default: String(DEFAULT_CONCURRENCY) },
      gateway: { type: 'string', default: process.env.GATEWAY_URL ?? 'http://localhost:4000' },
    },
  });
  const graphqlUrl = new URL('/graphql', values.gateway).toString();
  const pageSize = Number(values['page-size']);
  if (values.enqueue || values.status) {
    const databaseUrl = process.env.DATABASE_URL_OFFERS;
    if (!databaseUrl) throw new Error('set DATABASE_URL_OFFERS: the offers job queue\'s database');
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) throw new Error('--page-size must be 1-1000');
    const runId = values.run ?? `offers-batch-${today()}`;
    // Enqueue only: this process takes no page job.
    const queue = await startOffersQueue({ databaseUrl, client: gatewayClient(graphqlUrl, ENGINE_PURPOSE, serviceTokenSource(ENGINE_CLIENT)), concurrency: 0 });
    try {
      if (values.enqueue) console.log((await queue.enqueueRun(runId, pageSize)) ? `run ${runId} enqueued: the offers workers share its pages` : `run ${runId} exists already (it is resumed by its jobs, never restarted): use --run <new id>`);
      for (;;) {
        const progress = await queue.progress(runId);
        if (!progress) throw new Error(`no run ${runId} on the queue`);
        console.log(describe(progress));
        if (!values.wait || progress.finished) break;
        await new Promise((r) => setTimeout(r, 2_000));
      }
    } finally {
      await queue.stop();
    }
    return;
  }
  if (!values.all) throw new Error(usage);
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
