/**
 * Host process for the development identity provider our gateway trusts in a
 * benchmark: a process of its own, as deployed (system/start-identity-provider.ts).
 * In the gateway's process it would be measured as the gateway: oidc-provider
 * keeps its request context in an AsyncLocalStorage, and once that has run,
 * Node 20 calls promise hooks on every promise of the process (a microbenchmark
 * of promise-heavy code here: about 5× slower with them on).
 *
 * Commands: `start` answers `{ issuer }`; `issue` mints a token for the claims given
 * (the benchmark's caseworker, or the offers engine for a long batch).
 */
import type { MintRequest } from '../../../identity-provider/provider.ts';
import { startIdentityProvider, type RunningIdentityProvider } from '../../../identity-provider/server.ts';
import { clientsForPolicy } from '../../../identity-provider/clients.ts';
import { benchPolicy } from '../bench-policy.ts';
import { serveHost } from '../child-process.ts';

export interface IdentityProviderHostStarted {
  issuer: string;
}

let provider: RunningIdentityProvider | undefined;

serveHost(
  {
    async start(): Promise<IdentityProviderHostStarted> {
      // The development provider, with the benchmark policy's own client registered beside the project's.
      provider = await startIdentityProvider({ port: 0, clients: clientsForPolicy(benchPolicy().clients) });
      return { issuer: provider.issuer };
    },
    issue: (claims: MintRequest) => provider!.issue(claims),
  },
  async () => {
    await provider?.close();
  },
);
