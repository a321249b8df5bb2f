/**
 * A transparency-log witness (c2sp.org/tlog-witness): its own key, its own
 * storage (witness/store.ts), nothing shared with the log it watches.
 *
 *   POST /add-checkpoint           the protocol's call: old size, consistency proof, checkpoint → cosignature
 *   GET  /checkpoint?origin=<log>  the latest checkpoint it cosigned, with its cosignature (for verifiers;
 *                                  the protocol leaves monitor retrieval open, this is the simplest form)
 *   GET  /health, /ready, /metrics
 *
 * Requests are decided one at a time: checking the old size against the
 * stored one and storing the new one are atomic, as the protocol requires.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { toBase64 } from '../platform/tlog/merkle.ts';
import { formatVerifierKey, signNote, type Signer } from '../platform/tlog/note.ts';
import { listen } from '../platform/listen.ts';
import { logger } from '../platform/logger.ts';
import { registry } from '../platform/metrics.ts';
import { decideAddCheckpoint, type WitnessedLog } from './decide.ts';
import type { WitnessStore } from './store.ts';

export interface WitnessOptions {
  signer: Signer;
  logs: readonly WitnessedLog[];
  store: WitnessStore;
  port: number;
  host?: string;
  /** Seconds since the epoch (tests move it). */
  now?: () => number;
}

export interface RunningWitness {
  url: string;
  port: number;
  /** The witness's verifier key (what a citizen's verifier is configured with). */
  verifierKey: string;
  close(): Promise<void>;
}

const MAX_BODY = 64 * 1024;

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        resolve(undefined);
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8') {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export async function startWitness(options: WitnessOptions): Promise<RunningWitness> {
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(work: () => T): Promise<T> => {
    const next = queue.then(work);
    queue = next.catch(() => {});
    return next;
  };

  const addCheckpoint = (body: string) =>
    serially(() => {
      const decision = decideAddCheckpoint(body, options.logs, (origin) => options.store.latest(origin));
      if (decision.status !== 200) return decision;
      const { checkpoint } = decision;
      const text = checkpoint.note.slice(0, checkpoint.note.lastIndexOf('\n\n') + 1);
      const cosignature = signNote(text, options.signer, now());
      options.store.save({ origin: checkpoint.origin, size: checkpoint.size, root: toBase64(checkpoint.root), note: checkpoint.note + cosignature });
      return { status: 200 as const, cosignature };
    });

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://witness');
    void (async () => {
      try {
        if (req.method === 'GET' && url.pathname === '/metrics') return send(res, 200, await registry.metrics(), registry.contentType);
        if (req.method === 'GET' && (url.pathname === '/health' || url.pathname === '/ready')) return send(res, 200, '{"status":"ok","service":"witness"}', 'application/json');
        if (req.method === 'GET' && url.pathname === '/checkpoint') {
          const head = options.store.latest(url.searchParams.get('origin') ?? '');
          return head ? send(res, 200, head.note) : send(res, 404, 'no checkpoint of that log has been cosigned here\n');
        }
        if (url.pathname !== '/add-checkpoint') return send(res, 404, 'not found\n');
        if (req.method !== 'POST') return send(res, 405, 'POST only\n');
        const body = await readBody(req);
        if (body === undefined) return send(res, 413, 'the request is too large\n');
        const result = await addCheckpoint(body);
        if (result.status === 200) return send(res, 200, result.cosignature);
        logger.warn({ service: 'witness', status: result.status, reason: result.reason }, 'checkpoint refused');
        if (result.status === 409 && 'size' in result) return send(res, 409, `${result.size}\n`, 'text/x.tlog.size');
        return send(res, result.status, `${result.reason}\n`);
      } catch (error) {
        logger.error({ service: 'witness', err: { message: (error as Error).message } }, 'witness request failed');
        if (!res.headersSent) send(res, 500, 'the witness could not process the request\n');
      }
    })();
  });
  const port = await listen(server, options.port, options.host ?? '127.0.0.1', 'WITNESS_PORT');
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    verifierKey: formatVerifierKey(options.signer),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
