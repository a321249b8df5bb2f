/**
 * The gateways we compare against, on the same subgraphs: plain
 * @apollo/gateway (no project layers; run in a host process, hosts/gateway.ts),
 * and Hive Gateway as its own CLI process (installed on first use into bench/peers).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import type { CryptoKey } from 'jose';
import { readSupergraph } from '../../schema/compose.ts';
import { CONTEXT_HEADER, signContext } from '../../platform/context-token.ts';
import { freePort } from '../../platform/free-port.ts';
import { BENCH_CONTEXT } from './bench-policy.ts';

const PEERS_DIR = fileURLToPath(new URL('../peers', import.meta.url));

export interface Peer {
  url: string;
  /** Its process, when it has one of its own (to read its CPU time). */
  pid?: number;
  close(): Promise<void>;
}

/** Context tokens for each subgraph, signed now (valid for a minute: one benchmark round). */
export async function signBenchTokens(subgraphs: readonly string[], key: CryptoKey): Promise<Record<string, string>> {
  const entries = await Promise.all(subgraphs.map(async (name) => [name, signContext(BENCH_CONTEXT, name, key, { query: '', policyDigest: '' })] as const));
  return Object.fromEntries(entries);
}

export async function startPlainApolloGateway(subgraphUrls: Record<string, string>, tokens: Record<string, string>): Promise<Peer> {
  const server = new ApolloServer({
    gateway: new ApolloGateway({
      supergraphSdl: readSupergraph(),
      buildService: ({ name }) =>
        new (class extends RemoteGraphQLDataSource {
          override willSendRequest({ request }: Parameters<NonNullable<RemoteGraphQLDataSource['willSendRequest']>>[0]) {
            request.http?.headers.set(CONTEXT_HEADER, tokens[name]!);
          }
        })({ url: subgraphUrls[name]! }),
    }),
  });
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
  return { url, close: () => server.stop() };
}

/** Installs Hive Gateway into bench/peers on first use (npm ci from its own lock file); resolves to its CLI. */
export async function ensureHiveInstalled(log: (line: string) => void): Promise<string> {
  const bin = join(PEERS_DIR, 'node_modules', '.bin', 'hive-gateway');
  if (existsSync(bin)) return bin;
  log('installing Hive Gateway into bench/peers (first run only)…');
  const install = spawn('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: PEERS_DIR, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  install.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => install.once('close', resolve));
  if (code !== 0) throw new Error(`could not install Hive Gateway into bench/peers: ${stderr.trim().slice(-500)}`);
  log('Hive Gateway installed');
  return bin;
}

export async function startHiveGateway(bin: string, subgraphUrls: Record<string, string>, tokens: Record<string, string>): Promise<Peer> {
  // The checked-in supergraph names the default ports; point it at this run's subgraphs.
  let sdl = readSupergraph();
  for (const [name, url] of Object.entries(subgraphUrls)) {
    sdl = sdl.replace(new RegExp(`(@join__graph\\(name: "${name}", url: ")[^"]+"`), `$1${url}"`);
  }
  const supergraph = join(mkdtempSync(join(tmpdir(), 'hive-bench-')), 'supergraph.graphql');
  writeFileSync(supergraph, sdl);
  const port = await freePort();
  const child: ChildProcess = spawn(bin, ['supergraph', supergraph, '--port', String(port), '--host', '127.0.0.1', '--config-path', join(PEERS_DIR, 'gateway.config.ts')], {
    cwd: PEERS_DIR,
    env: { ...process.env, BENCH_CONTEXT_TOKENS: JSON.stringify(tokens), NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = `http://127.0.0.1:${port}/graphql`;
  for (let waited = 0; ; waited += 200) {
    if (child.exitCode !== null) throw new Error(`Hive Gateway exited: ${stderr.slice(0, 500)}`);
    const ready = await fetch(`http://127.0.0.1:${port}/healthcheck`).then((r) => r.ok, () => false);
    if (ready) break;
    if (waited > 30_000) throw new Error(`Hive Gateway did not start: ${stderr.slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    pid: child.pid,
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
