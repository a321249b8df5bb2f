/**
 * Host process for the gateway under test: ours (with the layers the
 * configuration keeps), plain @apollo/gateway, or the direct floor. Hive
 * Gateway runs as its own CLI process instead (peers.ts).
 */
import type { JWK } from 'jose';
import { importContextPrivateKey } from '../../../platform/context-keys.ts';
import { startIdentityProvider, TOKEN_AUDIENCE } from '../../../identity-provider/server.ts';
import { clientsForPolicy } from '../../../identity-provider/clients.ts';
import { discoveredKeySet } from '../../../gateway/auth/authenticate.ts';
import { startGateway } from '../../../gateway/server.ts';
import { DEFAULT_CLIENT_LIMITS, hardeningDefaults } from '../../../platform/config.ts';
import type { AgencyName, SubgraphName } from '../../../platform/topology.ts';
import { BENCH_ACTOR, BENCH_CASE, BENCH_CLIENT, BENCH_ENTITLEMENT, BENCH_PURPOSE, benchPolicy } from '../bench-policy.ts';
import { serveHost } from '../child-process.ts';
import { startDirectFloor } from '../direct.ts';
import { startPlainApolloGateway, type Peer } from '../peers.ts';

export type GatewayHostOptions =
  | {
      kind: 'ours';
      subgraphUrls: Record<SubgraphName, string>;
      privateKey: JWK;
      layers: { enforcement: boolean; audit: boolean };
      auditDatabaseUrl: string;
    }
  | { kind: 'apollo' | 'direct'; subgraphUrls: Record<SubgraphName, string>; tokens: Record<string, string> };

/** Where to send requests, and the headers each must carry. */
export interface GatewayHostStarted {
  url: string;
  headers: Record<string, string>;
}

let running: Peer | undefined;

serveHost(
  {
    async start(options: GatewayHostOptions): Promise<GatewayHostStarted> {
      if (options.kind !== 'ours') {
        running = options.kind === 'apollo' ? await startPlainApolloGateway(options.subgraphUrls, options.tokens) : await startDirectFloor(options.subgraphUrls, options.tokens);
        return { url: running.url, headers: {} };
      }
      // The development provider, with the benchmark policy's own client registered beside the project's.
      const identityProvider = await startIdentityProvider({ port: 0, clients: clientsForPolicy(benchPolicy().clients) });
      const gateway = await startGateway({
        port: 0,
        policy: benchPolicy(),
        subgraphUrls: options.subgraphUrls as Record<AgencyName, string>,
        contextSigningKey: await importContextPrivateKey(JSON.stringify(options.privateKey)),
        auth: { key: discoveredKeySet(identityProvider.issuer), issuer: identityProvider.issuer, audience: TOKEN_AUDIENCE },
        // The benchmark client asks what the offers engine asks (scenario 3's pages): it gets the engine's limits.
        hardening: { ...hardeningDefaults(false), clientLimits: { ...DEFAULT_CLIENT_LIMITS, [BENCH_CLIENT]: DEFAULT_CLIENT_LIMITS['offers-engine']! } },
        enforcement: options.layers.enforcement,
        audit: options.layers.audit ? { databaseUrl: options.auditDatabaseUrl } : undefined,
      });
      running = { url: gateway.url, close: () => gateway.close().then(() => identityProvider.close()) };
      const token = await identityProvider.issue({ sub: BENCH_ACTOR, client: BENCH_CLIENT, acr: 'high', actor: 'staff', entitlements: [BENCH_ENTITLEMENT] });
      return { url: gateway.url, headers: { authorization: `Bearer ${token}`, 'x-purpose': BENCH_PURPOSE, 'x-case-ref': BENCH_CASE } };
    },
  },
  async () => {
    await running?.close();
  },
);
