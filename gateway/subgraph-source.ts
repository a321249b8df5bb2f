/**
 * Every request the gateway sends to a subgraph carries a context token signed
 * for that subgraph alone (its name is the audience), goes through that
 * subgraph's circuit breaker and is given up after the configured timeout
 * (subgraph-fetcher.ts, and the breaker's own timer).
 */
import { RemoteGraphQLDataSource } from '@apollo/gateway';
import type { CryptoKey, KeyObject } from 'jose';
import { CONTEXT_HEADER, signContext, type ContextSigningKey } from '../platform/context-token.ts';
import { DEFAULT_RESILIENCE, type ResilienceConfig } from '../platform/config.ts';
import type { GatewayContext } from './context.ts';
import { subgraphCircuit, type SubgraphCircuit } from './resilience/subgraph-circuit.ts';
import type { SubgraphFetcher } from './subgraph-fetcher.ts';

export class SignedSubgraphSource extends RemoteGraphQLDataSource<GatewayContext> {
  private readonly subgraphName: string;
  readonly circuit: SubgraphCircuit;

  constructor(
    config: { name: string; url: string },
    private readonly signingKey: CryptoKey | KeyObject | ContextSigningKey,
    fetcher: SubgraphFetcher,
    resilience: ResilienceConfig = DEFAULT_RESILIENCE,
    /** The policy's digest (permissions/digest.ts): the subgraph refuses a call judged under another policy. */
    private readonly policyDigest = '',
  ) {
    super({ url: config.url, fetcher: fetcher.fetch });
    this.subgraphName = config.name;
    this.circuit = subgraphCircuit(config.name, resilience);
  }

  override async willSendRequest({ request, context }: Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>['willSendRequest']>>[0]) {
    const representations = request.variables?.representations;
    if (context?.handOver && Array.isArray(representations)) {
      // Before signing: the context token binds the variables exactly as they are sent.
      request.variables = { ...request.variables, representations: context.handOver(representations) };
    }
    if (context?.caller) {
      // Bound to this call: its operation and variables exactly as they are sent (the subgraph digests what it receives).
      const call = { query: request.query ?? '', variables: request.variables, policyDigest: this.policyDigest };
      request.http?.headers.set(CONTEXT_HEADER, signContext(context.caller, this.subgraphName, this.signingKey, call));
      request.http?.headers.set('x-request-id', context.caller.requestId);
    }
  }

  override process(...args: Parameters<RemoteGraphQLDataSource<GatewayContext>['process']>) {
    return this.circuit.call(() => super.process(...args));
  }
}
