/**
 * Host process for the gateway under test: ours (with the layers the
 * configuration keeps, in this process or in N node:cluster workers sharing
 * one port), plain @apollo/gateway, or the direct floor. Hive Gateway runs as
 * its own CLI process instead (peers.ts).
 *
 * With several processes, the identity provider stays here in the primary:
 * one provider, one signing key, which every worker discovers; the primary
 * otherwise only accepts connections and hands them to the workers in turn
 * (node:cluster's round-robin, its default on Linux).
 */
import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { startIdentityProvider, type RunningIdentityProvider } from '../../../identity-provider/server.ts';
import { ENGINE_CLIENT } from '../../../offers/engine.ts';
import { metrics } from '../../../platform/metrics.ts';
import { clientsForPolicy } from '../../../identity-provider/clients.ts';
import type { SubgraphName } from '../../../platform/topology.ts';
import { BENCH_ACTOR, BENCH_CASE, BENCH_CLIENT, BENCH_ENTITLEMENT, BENCH_PURPOSE, benchPolicy } from '../bench-policy.ts';
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
    })
  /** Without tokens, plain @apollo/gateway sends subgraphs none (over plain subgraphs). */
  | { kind: 'apollo' | 'direct'; subgraphUrls: Record<SubgraphName, string>; tokens?: Record<string, string> };

/** Where to send requests, and the headers each must carry. */
export interface GatewayHostStarted {
  url: string;
  headers: Record<string, string>;
}

let running: Peer | undefined;
let provider: RunningIdentityProvider | undefined;

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
      // The development provider, with the benchmark policy's own client registered beside the project's.
      const identityProvider = await startIdentityProvider({ port: 0, clients: clientsForPolicy(benchPolicy().clients) });
      provider = identityProvider;
      const gateway = options.processes === 1 ? await startOurGateway(options, identityProvider.issuer) : await startCluster(options, identityProvider.issuer, options.processes);
      running = { url: gateway.url, close: () => gateway.close().then(() => identityProvider.close()) };
      const token = await identityProvider.issue({ sub: BENCH_ACTOR, client: BENCH_CLIENT, acr: 'high', actor: 'staff', entitlements: [BENCH_ENTITLEMENT] });
      return { url: gateway.url, headers: { authorization: `Bearer ${token}`, 'x-purpose': BENCH_PURPOSE, 'x-case-ref': BENCH_CASE } };
    },
    /** A fresh token for the offers engine (a long batch outlives one). */
    engineToken: () => provider!.issue({ sub: ENGINE_CLIENT, client: ENGINE_CLIENT }),
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
