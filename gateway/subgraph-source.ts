/**
 * Every request the gateway sends to a subgraph carries a context token signed
 * for that subgraph alone (its name is the audience).
 */
import { RemoteGraphQLDataSource } from '@apollo/gateway';
import type { CryptoKey, KeyObject } from 'jose';
import { CONTEXT_HEADER, signContext } from '../subgraphs/kit/context-token.ts';
import type { GatewayContext } from './context.ts';

export class SignedSubgraphSource extends RemoteGraphQLDataSource<GatewayContext> {
  private readonly subgraphName: string;

  constructor(
    config: { name: string; url: string },
    private readonly signingKey: CryptoKey | KeyObject,
  ) {
    super({ url: config.url });
    this.subgraphName = config.name;
  }

  override async willSendRequest({ request, context }: Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>['willSendRequest']>>[0]) {
    if (context?.caller) {
      request.http?.headers.set(CONTEXT_HEADER, await signContext(context.caller, this.subgraphName, this.signingKey));
      request.http?.headers.set('x-request-id', context.caller.requestId);
    }
  }
}
