/**
 * Host process for the gateway under test: ours (with the layers the
 * configuration keeps, in this process or in N node:cluster workers sharing
 * one port), plain @apollo/gateway, or the direct floor. Hive Gateway runs as
 * its own CLI process instead (peers.ts).
 *
 * Our gateway trusts the identity provider at `issuer`, which runs in a host
 * of its own (hosts/identity-provider.ts). With several processes, the
 * primary only accepts connections and hands them to the workers in turn
 * (node:cluster's round-robin, its default on Linux).
 */
import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { metrics } from '../../../platform/metrics.ts';
import type { SubgraphName } from '../../../platform/topology.ts';
import { BENCH_CASE, BENCH_PURPOSE } from '../bench-policy.ts';
import { serveHost } from '../child-process.ts';
import { startDirectFloor } from '../direct.ts';
import { startPlainApolloGateway, type Peer } from '../peers.ts';
import { startOurGateway, type OurGatewayOptions } from './our-gateway.ts';
import type { WorkerAnswer, WorkerRequest } from './gateway-worker.ts';

export type GatewayHostOptions =
  | (OurGatewayOptions & {
      kind: 'ours';
      /** gateway processes: 1 runs it here, more run it in cluster workers */
      processes: number;
      /** The identity provider the gateway trusts (hosts/identity-provider.ts). */
      issuer: string;
      /** An access token it issued, for every request the benchmark sends (the offers batch brings the engine's own). */
      bearer?: string;
    })
  /** Without tokens, plain @apollo/gateway sends subgraphs none (over plain subgraphs). */
  | { kind: 'apollo' | 'direct'; subgraphUrls: Record<SubgraphName, string>; tokens?: Record<string, string> };

/** Where to send requests, and the headers each must carry. */
export interface GatewayHostStarted {
  url: string;
  headers: Record<string, string>;
}

let running: Peer | undefined;

/** N workers, each running our gateway; resolves once every one listens on the shared port. */
async function startCluster(options: OurGatewayOptions, issuer: string, processes: number): Promise<Peer> {
  cluster.setupPrimary({ exec: fileURLToPath(new URL('./gateway-worker.ts', import.meta.url)), stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const workers: Worker[] = [];
  const close = async () => {
    await Promise.all(
      workers.filter((w) => !w.isDead()).map((w) => new Promise<void>((resolve) => {
        w.once('exit', () => resolve());
        w.send('close' satisfies WorkerRequest);
      })),
    );
  };
  try {
    const urls = await Promise.all(
      Array.from({ length: processes }, () => {
        const worker = cluster.fork();
        workers.push(worker);
        return new Promise<string>((resolve, reject) => {
          worker.once('exit', (code) => reject(new Error(`gateway worker exited (${code}) before it listened`)));
          worker.on('message', (answer: WorkerAnswer) => {
            if (answer === 'ready') worker.send({ start: { options, issuer } } satisfies WorkerRequest);
            else if ('url' in answer) resolve(answer.url);
            else reject(new Error(answer.error));
          });
        });
      }),
    );
    if (new Set(urls).size !== 1) throw new Error(`gateway workers listen apart (${urls.join(', ')}), not on one shared port`);
    return { url: urls[0]!, close };
  } catch (error) {
    for (const worker of workers) worker.process.kill('SIGKILL');
    throw error;
  }
}

serveHost(
  {
    async start(options: GatewayHostOptions): Promise<GatewayHostStarted> {
      if (options.kind !== 'ours') {
        running = options.kind === 'apollo' ? await startPlainApolloGateway(options.subgraphUrls, options.tokens) : await startDirectFloor(options.subgraphUrls, options.tokens!);
        return { url: running.url, headers: {} };
      }
      const gateway = options.processes === 1 ? await startOurGateway(options, options.issuer) : await startCluster(options, options.issuer, options.processes);
      running = gateway;
      return { url: gateway.url, headers: options.bearer ? { authorization: `Bearer ${options.bearer}`, 'x-purpose': BENCH_PURPOSE, 'x-case-ref': BENCH_CASE } : {} };
    },
    /** This process's gateway metrics (one gateway process: cluster workers keep their own), as prom-client gives them. */
    metrics: async () => ({
      requests: await metrics.requestDuration.get(),
      fetches: await metrics.subgraphFetchDuration.get(),
      auditWrites: await metrics.auditWriteDuration.get(),
    }),
  },
  async () => {
    await running?.close();
  },
);
