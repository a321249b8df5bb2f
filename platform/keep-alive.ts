/**
 * Idle keep-alive connections of our HTTP servers (gateway and subgraphs)
 * outlive the pools of whoever calls them (undici keeps one 4 s, load
 * balancers about 60 s). With Node's 5 s default the two race: a request sent
 * on a connection the server is just closing fails with ECONNRESET (seen in
 * the benchmark with @apollo/gateway's own fetcher).
 */
import type { Server } from 'node:http';

const IDLE_KEEP_ALIVE_MS = 65_000;

export function keepIdleConnections(server: Server): void {
  server.keepAliveTimeout = IDLE_KEEP_ALIVE_MS;
  // Must exceed keepAliveTimeout, or Node may cut a connection while the next request's headers arrive.
  server.headersTimeout = IDLE_KEEP_ALIVE_MS + 1_000;
}
