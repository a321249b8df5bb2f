/**
 * Callers pool connections to the gateway and the subgraphs; a server that
 * drops an idle one first races the caller's next request (ECONNRESET, seen
 * with @apollo/gateway's fetcher after Node's 5 s default).
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem, type TestSystem } from '../support/system.ts';

let system: TestSystem;
beforeAll(async () => {
  system = await startTestSystem();
}, 60_000);
afterAll(async () => {
  await system?.close();
});

/** Sends one keep-alive request on a raw socket and resolves once its response has arrived. */
function openIdleConnection(url: string): Promise<{ socket: Socket; closed: () => boolean }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    let closed = false;
    const socket = connect(Number(port), hostname === 'localhost' ? '127.0.0.1' : hostname, () => {
      socket.write(`GET /health HTTP/1.1\r\nHost: ${hostname}\r\nConnection: keep-alive\r\n\r\n`);
    });
    socket.on('close', () => (closed = true));
    socket.on('error', reject);
    socket.once('data', (chunk) => {
      expect(chunk.toString()).toMatch(/^HTTP\/1\.1 200/);
      resolve({ socket, closed: () => closed });
    });
  });
}

describe('idle keep-alive connections', () => {
  it('the gateway and a subgraph keep an idle connection open well past Node\'s 5 s default', async () => {
    const idle = await Promise.all([openIdleConnection(system.gateway.url), openIdleConnection(system.subgraphs.tax.url)]);
    await new Promise((resolve) => setTimeout(resolve, 6_500));
    for (const { socket, closed } of idle) {
      expect(closed()).toBe(false);
      socket.destroy();
    }
  }, 20_000);
});
