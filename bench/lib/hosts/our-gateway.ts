/**
 * Our gateway as the benchmark starts it, with the layers a configuration
 * keeps: the same options in the gateway host's own process and in each of its
 * node:cluster workers (hosts/gateway-worker.ts).
 */
import type { JWK } from 'jose';
import { importContextPrivateKey } from '../../../platform/context-keys.ts';
import { TOKEN_AUDIENCE } from '../../../identity-provider/server.ts';
import { discoveredKeySet } from '../../../gateway/auth/authenticate.ts';
import { startGateway, type RunningGateway } from '../../../gateway/server.ts';
import { DEFAULT_CLIENT_LIMITS, hardeningDefaults } from '../../../platform/config.ts';
import type { AgencyName, SubgraphName } from '../../../platform/topology.ts';
import { BENCH_CLIENT, benchPolicy } from '../bench-policy.ts';

export interface OurGatewayOptions {
  subgraphUrls: Record<SubgraphName, string>;
  privateKey: JWK;
  layers: { enforcement: boolean; audit: boolean };
  auditDatabaseUrl: string;
}

/** Starts our gateway on a port of its own (port 0; in a cluster worker, the port all workers share). */
export async function startOurGateway(options: OurGatewayOptions, issuer: string): Promise<RunningGateway> {
  return startGateway({
    port: 0,
    policy: benchPolicy(),
    subgraphUrls: options.subgraphUrls as Record<AgencyName, string>,
    contextSigningKey: await importContextPrivateKey(JSON.stringify(options.privateKey)),
    auth: { key: discoveredKeySet(issuer), issuer, audience: TOKEN_AUDIENCE },
    // The benchmark client asks what the offers engine asks (scenario 3's pages): it gets the engine's limits.
    hardening: { ...hardeningDefaults(false), clientLimits: { ...DEFAULT_CLIENT_LIMITS, [BENCH_CLIENT]: DEFAULT_CLIENT_LIMITS['offers-engine']! } },
    enforcement: options.layers.enforcement,
    audit: options.layers.audit ? { databaseUrl: options.auditDatabaseUrl } : undefined,
  });
}
