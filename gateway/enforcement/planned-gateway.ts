/**
 * The gateway's executor, handed the authorization plan's document instead of
 * the client's: Apollo Server's request context stays as the client sent it
 * (its `document` is read-only), and only the query planner and executor see
 * the document with the denied fields removed and the subject keys added.
 * Its query hash carries the plan's signature, so a purpose-filtered document
 * never shares a query plan with another.
 */
import { createHash } from 'node:crypto';
import type { ApolloServerOptionsWithGateway } from '@apollo/server';
import type { GatewayContext } from '../context.ts';

type GatewayInterface = ApolloServerOptionsWithGateway<GatewayContext>['gateway'];
type Executor = NonNullable<Awaited<ReturnType<GatewayInterface['load']>>['executor']>;

export function plannedGateway(gateway: GatewayInterface): GatewayInterface {
  return {
    onSchemaLoadOrUpdate: (callback) => gateway.onSchemaLoadOrUpdate(callback),
    stop: () => gateway.stop(),
    async load(options) {
      const { executor } = await gateway.load(options);
      if (!executor) return { executor };
      const planned: Executor = (requestContext) => {
        const executable = (requestContext.context as Partial<GatewayContext>).executable;
        if (!executable) return executor(requestContext);
        return executor({
          ...requestContext,
          document: executable.document,
          operation: executable.operation,
          queryHash: createHash('sha256').update(`${requestContext.queryHash}\u0000cg\u0000${executable.signature}`).digest('hex'),
        });
      };
      return { executor: planned };
    },
  };
}
