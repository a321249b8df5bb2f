/**
 * Every request the gateway sends to a subgraph carries a context token signed
 * for that subgraph alone (its name is the audience) and bound to the request
 * body byte for byte, goes through that subgraph's circuit breaker and is
 * given up after the configured timeout (subgraph-fetcher.ts, and the
 * breaker's own timer).
 */
import { randomUUID } from 'node:crypto';
import { RemoteGraphQLDataSource } from '@apollo/gateway';
import type { CryptoKey, KeyObject } from 'jose';
import { CONTEXT_HEADER, signContext, type CallerContext, type ContextSigningKey } from '../platform/context-token.ts';
import { DEFAULT_RESILIENCE, type ResilienceConfig } from '../platform/config.ts';
import type { GatewayContext } from './context.ts';
import { subgraphCircuit, type SubgraphCircuit } from './resilience/subgraph-circuit.ts';
import type { SubgraphFetcher } from './subgraph-fetcher.ts';

const AWAITING_SIGNATURE_MAX = 10_000;

type FetcherInit = NonNullable<Parameters<RemoteGraphQLDataSource['fetcher']>[1]>;

export class SignedSubgraphSource extends RemoteGraphQLDataSource<GatewayContext> {
  private readonly subgraphName: string;
  readonly circuit: SubgraphCircuit;
  /**
   * The body is serialised after willSendRequest, by Apollo's own sendRequest, and the token binds that body:
   * willSendRequest leaves a one-time handle in the header and the fetcher signs the body it is given. Bounded:
   * a call that never reached the fetcher (it failed before) is forgotten, oldest first. A handle serves one send:
   * automatic persisted queries (two sends per call) stay off. A Map, not lru-cache: that one refills its whole
   * preallocated store whenever its last entry is deleted, which here is most calls (3.4% of the gateway's busy time).
   */
  private readonly awaitingSignature = new Map<string, CallerContext>();

  constructor(
    config: { name: string; url: string },
    private readonly signingKey: CryptoKey | KeyObject | ContextSigningKey,
    fetcher: SubgraphFetcher,
    resilience: ResilienceConfig = DEFAULT_RESILIENCE,
    /** The policy's digest (permissions/digest.ts): the subgraph refuses a call judged under another policy. */
    private readonly policyDigest = '',
  ) {
    super({ url: config.url });
    this.fetcher = (url, init) => fetcher.fetch(url, init && this.signed(init));
    this.subgraphName = config.name;
    this.circuit = subgraphCircuit(config.name, resilience);
  }

  override async willSendRequest({ request, context }: Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>['willSendRequest']>>[0]) {
    const representations = request.variables?.representations;
    if (context?.handOver && Array.isArray(representations)) {
      request.variables = { ...request.variables, representations: context.handOver(representations) };
    }
    if (context?.caller) {
      const handle = randomUUID();
      this.awaitingSignature.set(handle, context.caller);
      if (this.awaitingSignature.size > AWAITING_SIGNATURE_MAX) this.awaitingSignature.delete(this.awaitingSignature.keys().next().value!);
      request.http?.headers.set(CONTEXT_HEADER, handle);
      request.http?.headers.set('x-request-id', context.caller.requestId);
    }
  }

  private signed(init: FetcherInit): FetcherInit {
    const headers = init.headers;
    const handle = headers?.[CONTEXT_HEADER];
    if (headers === undefined || handle === undefined) return init;
    const caller = this.awaitingSignature.get(handle);
    this.awaitingSignature.delete(handle);
    // Fail closed: a call whose caller is unknown here is not sent at all (the gateway answers it as a failed fetch).
    if (!caller || typeof init.body !== 'string') throw new Error(`call to ${this.subgraphName} without its caller`);
    return { ...init, headers: { ...headers, [CONTEXT_HEADER]: signContext(caller, this.subgraphName, this.signingKey, { body: init.body, policyDigest: this.policyDigest }) } };
  }

  override process(...args: Parameters<RemoteGraphQLDataSource<GatewayContext>['process']>) {
    return this.circuit.call(() => super.process(...args));
  }
}
