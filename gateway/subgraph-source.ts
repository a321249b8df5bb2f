/**
 * Every request the gateway sends to a subgraph carries a context token signed
 * for that subgraph alone (its name is the audience), goes through that
 * subgraph's circuit breaker and is aborted after the configured timeout.
 */
import { RemoteGraphQLDataSource } from '@apollo/gateway';
import type { CryptoKey, KeyObject } from 'jose';
import { CONTEXT_HEADER, signContext } from '../subgraphs/kit/context-token.ts';
import { DEFAULT_RESILIENCE, type ResilienceConfig } from '../system/config.ts';
import type { GatewayContext } from './context.ts';
import { subgraphCircuit, type SubgraphCircuit } from './resilience/subgraph-circuit.ts';

type Fetcher = RemoteGraphQLDataSource['fetcher'];

export class SignedSubgraphSource extends RemoteGraphQLDataSource<GatewayContext> {
  private readonly subgraphName: string;
  readonly circuit: SubgraphCircuit;

  constructor(
    config: { name: string; url: string },
    private readonly signingKey: CryptoKey | KeyObject,
    resilience: ResilienceConfig = DEFAULT_RESILIENCE,
  ) {
    // Node's fetch with a per-call deadline: a hung agency must not hold a client's request.
    const fetcher = ((url: string, init: RequestInit) => fetch(url, { ...init, signal: AbortSignal.timeout(resilience.timeoutMs) })) as unknown as Fetcher;
    super({ url: config.url, fetcher });
    this.subgraphName = config.name;
    this.circuit = subgraphCircuit(config.name, resilience);
  }

  override async willSendRequest({ request, context }: Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>['willSendRequest']>>[0]) {
    if (context?.caller) {
      request.http?.headers.set(CONTEXT_HEADER, await signContext(context.caller, this.subgraphName, this.signingKey));
      request.http?.headers.set('x-request-id', context.caller.requestId);
    }
  }

  override process(...args: Parameters<RemoteGraphQLDataSource<GatewayContext>['process']>) {
    return this.circuit.call(() => super.process(...args));
  }
}
