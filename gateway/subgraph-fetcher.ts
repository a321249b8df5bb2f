/**
 * How the gateway calls subgraphs over HTTP: undici's request API on
 * keep-alive connection pools (one per subgraph origin), behind the small
 * fetch-shaped surface RemoteGraphQLDataSource reads. Node's global fetch is
 * the same client wrapped in WHATWG streams, which cost a large share of the
 * gateway's CPU per request (measured: bench/, --gateway-node-args=--cpu-prof).
 */
import { STATUS_CODES } from 'node:http';
import type { RemoteGraphQLDataSource } from '@apollo/gateway';
import { Agent, request } from 'undici';

type Fetcher = RemoteGraphQLDataSource['fetcher'];
type FetcherRequestInit = NonNullable<Parameters<Fetcher>[1]>;
type FetcherResponse = Awaited<ReturnType<Fetcher>>;

export interface SubgraphFetcher {
  fetch(url: string, init?: FetcherRequestInit): Promise<FetcherResponse>;
  close(): Promise<void>;
}

/** Only what RemoteGraphQLDataSource reads: status, one header at a time, and the body once. */
class SubgraphResponse {
  bodyUsed = false;
  readonly redirected = false;
  readonly statusText: string;
  constructor(
    readonly url: string,
    readonly status: number,
    private readonly rawHeaders: Record<string, string | string[] | undefined>,
    private readonly body: string,
  ) {
    this.statusText = STATUS_CODES[status] ?? '';
  }
  get ok() {
    return this.status >= 200 && this.status < 300;
  }
  get headers() {
    const raw = this.rawHeaders;
    const get = (name: string) => {
      const value = raw[name.toLowerCase()];
      return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
    };
    return { get, has: (name: string) => get(name) !== null };
  }
  async text() {
    this.bodyUsed = true;
    return this.body;
  }
  async json(): Promise<unknown> {
    this.bodyUsed = true;
    return JSON.parse(this.body);
  }
}

export function subgraphFetcher(options: { timeoutMs: number; connectionsPerSubgraph?: number }): SubgraphFetcher {
  const dispatcher = new Agent({ connections: options.connectionsPerSubgraph ?? 64, keepAliveTimeout: 4_000 });
  return {
    async fetch(url, init = {}) {
      const response = await request(url, {
        method: (init.method ?? 'POST') as 'POST',
        headers: init.headers,
        body: init.body,
        dispatcher,
        // Per phase (answer started, body flowing); the circuit breaker bounds the whole call (subgraph-circuit.ts).
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
      });
      const body = await response.body.text();
      // The type wants the whole WHATWG Response; RemoteGraphQLDataSource uses only the members above.
      return new SubgraphResponse(url, response.statusCode, response.headers, body) as unknown as FetcherResponse;
    },
    close: () => dispatcher.close(),
  };
}
