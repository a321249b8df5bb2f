/**
 * The gateways we compare against, on the same subgraphs: plain
 * @apollo/gateway (no project layers; run in a host process, hosts/gateway.ts),
 * and Hive Gateway as its own CLI process, with its default runtime or with the
 * router runtime (both installed on first use into bench/peers).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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
  const entries = await Promise.all(subgraphs.map(async (name) => [name, signContext(BENCH_CONTEXT, name, key, { body: '', policyDigest: '' })] as const));
  return Object.fromEntries(entries);
}

/** Plain @apollo/gateway; without tokens (over plain subgraphs) it sends subgraphs nothing but the query, as a team without our security would. */
export async function startPlainApolloGateway(subgraphUrls: Record<string, string>, tokens?: Record<string, string>): Promise<Peer> {
  const server = new ApolloServer({
    gateway: new ApolloGateway({
      supergraphSdl: readSupergraph(),
      buildService: ({ name }) =>
        tokens
          ? new (class extends RemoteGraphQLDataSource {
              override willSendRequest({ request }: Parameters<NonNullable<RemoteGraphQLDataSource['willSendRequest']>>[0]) {
                request.http?.headers.set(CONTEXT_HEADER, tokens[name]!);
              }
            })({ url: subgraphUrls[name]! })
          : new RemoteGraphQLDataSource({ url: subgraphUrls[name]! }),
    }),
  });
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
  return { url, close: () => server.stop() };
}

/**
 * Installs Hive Gateway and its router runtime into bench/peers on first use (npm ci from its own lock file),
 * and again when bench/peers/package.json names a package an earlier install lacks; resolves to its CLI.
 */
export async function ensureHiveInstalled(log: (line: string) => void): Promise<string> {
  const bin = join(PEERS_DIR, 'node_modules', '.bin', 'hive-gateway');
  const { dependencies } = JSON.parse(readFileSync(join(PEERS_DIR, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  if (existsSync(bin) && Object.keys(dependencies).every((name) => existsSync(join(PEERS_DIR, 'node_modules', name, 'package.json')))) return bin;
  log('installing Hive Gateway and its router runtime into bench/peers (first run only)…');
  const install = spawn('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: PEERS_DIR, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  install.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => install.once('close', resolve));
  if (code !== 0) throw new Error(`could not install Hive Gateway into bench/peers: ${stderr.trim().slice(-500)}`);
  log('Hive Gateway installed');
  return bin;
}

/** Hive Router's query planner, a native addon: mapped into the process exactly when the router runtime runs. */
const ROUTER_PLANNER_ADDON = 'hive_router_query_planner';

/**
 * Fails unless the gateway runs the runtime asked for: after one operation (the runtime loads the planner with
 * the supergraph), the planner's addon is in the process's memory map with the router runtime, and absent without it.
 */
async function checkRuntime(child: ChildProcess, url: string, runtime: HiveRuntime): Promise<void> {
  await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) }).then((r) => r.text());
  let maps: string;
  try {
    maps = readFileSync(`/proc/${child.pid}/maps`, 'utf8');
  } catch {
    return; // not Linux: nothing to read it from
  }
  if (maps.includes(ROUTER_PLANNER_ADDON) !== (runtime === 'router')) {
    throw new Error(`Hive Gateway should run its ${runtime} runtime, but Hive Router's query planner is ${runtime === 'router' ? 'not ' : ''}loaded`);
  }
}

/** Hive Gateway's two runtimes: its default (stitching, JavaScript query planner), and the router runtime (Rust query planner, its own executor). */
export type HiveRuntime = 'default' | 'router';
const HIVE_CONFIG: Record<HiveRuntime, string> = { default: 'gateway.config.ts', router: 'gateway.router.config.ts' };

export async function startHiveGateway(bin: string, subgraphUrls: Record<string, string>, tokens: Record<string, string>, runtime: HiveRuntime): Promise<Peer> {
  // The checked-in supergraph names the default ports; point it at this run's subgraphs.
  let sdl = readSupergraph();
  for (const [name, url] of Object.entries(subgraphUrls)) {
    sdl = sdl.replace(new RegExp(`(@join__graph\\(name: "${name}", url: ")[^"]+"`), `$1${url}"`);
  }
  const supergraph = join(mkdtempSync(join(tmpdir(), 'hive-bench-')), 'supergraph.graphql');
  writeFileSync(supergraph, sdl);
  const port = await freePort();
  const child: ChildProcess = spawn(bin, ['supergraph', supergraph, '--port', String(port), '--host', '127.0.0.1', '--config-path', join(PEERS_DIR, HIVE_CONFIG[runtime])], {
    cwd: PEERS_DIR,
    // HIVE_ROUTER_RUNTIME, if the shell has it, would switch the default configuration to the router runtime too.
    env: { ...process.env, HIVE_ROUTER_RUNTIME: undefined, BENCH_CONTEXT_TOKENS: JSON.stringify(tokens), NODE_ENV: 'production' },
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
  await checkRuntime(child, url, runtime).catch((error: Error) => {
    child.kill('SIGKILL');
    throw error;
  });
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
