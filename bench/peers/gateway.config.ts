/**
 * Hive Gateway, configured for the benchmark: it forwards to each subgraph
 * the context token the benchmark signed for it (subgraphs accept nothing
 * else), so both gateways do the same work against the same subgraphs.
 */
import { defineConfig } from '@graphql-hive/gateway';

const tokens = JSON.parse(process.env.BENCH_CONTEXT_TOKENS ?? '{}') as Record<string, string>;

export const gatewayConfig = defineConfig({
  propagateHeaders: {
    fromClientToSubgraphs: ({ subgraphName }) => ({ 'x-citizen-graph-context': tokens[subgraphName] }),
  },
  disableWebsockets: true,
  logging: 'error',
});
