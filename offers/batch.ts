/**
 * The whole population, page by page: a cheap scan runs ahead collecting page
 * cursors, so that several full pages (facts of every citizen) are fetched,
 * evaluated and recorded at once. Each page is recorded in one mutation,
 * together with the run's checkpoint: the end of the longest run of finished
 * pages from the start. An interrupted run resumes there; pages after it are
 * simply recorded again (recording is idempotent).
 */
import { recordFindings, type Recorded } from './engine.ts';
import { PAGE_QUERY, SCAN_QUERY, sealsOf, type Evaluated } from './facts.ts';
import { GraphQLCallError, type GatewayClient } from './gateway-client.ts';

export interface BatchOptions {
  runId: string;
  /** Citizens per page (the identity subgraph serves at most 1,000). */
  pageSize?: number;
  /** Pages fetched and recorded at the same time. */
  concurrency?: number;
  /** Stop after this many pages (tests of resuming). */
  maxPages?: number;
  onProgress?: (progress: BatchProgress) => void;
  signal?: AbortSignal;
}

export interface BatchProgress {
  evaluated: number;
  pages: number;
  /** Citizens known to exist so far (the scan runs ahead), final once `scanned`. */
  known: number;
  scanned: boolean;
}

export interface BatchResult extends Recorded {
  runId: string;
  evaluated: number;
  pages: number;
  resumedFromPage: number;
  alreadyFinished: boolean;
  finished: boolean;
  elapsedMs: number;
}


interface Page {
  index: number;
  after: string | null;
  /** Citizens in it, known from the scan only as "up to pageSize". */
}

/**
 * A page is retried a few times when an agency was briefly unavailable (pool
 * exhausted, restart): fetching is read-only and recording is idempotent.
 */
async function withRetry<T>(work: () => Promise<T>, attempts = 4): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const transient = error instanceof GraphQLCallError ? error.codes.includes('SUBGRAPH_UNAVAILABLE') || error.status >= 502 : error instanceof TypeError;
      if (!transient || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt));
    }
  }
}

/**
 * The gateway takes request bodies up to GRAPHQL_MAX_BODY_BYTES (100 kB by
 * default): a page is recorded in chunks of citizens (each with its own seal,
 * so expiry stays per citizen) of at most CHUNK_CHARACTERS (a household with
 * many findings has a long seal),
 * the checkpoint travelling with the last chunk, after the others succeeded.
 */
const CHUNK_CHARACTERS = 85_000;
export function chunksOf(sealed: readonly string[], limit = CHUNK_CHARACTERS): [start: number, end: number][] {
  const chunks: [number, number][] = [];
  let start = 0;
  let size = 0;
  for (let i = 0; i < sealed.length; i++) {
    const length = sealed[i]!.length + 20; // the id and the JSON around both
    if (i > start && size + length > limit) {
      chunks.push([start, i]);
      start = i;
      size = 0;
    }
    size += length;
  }
  chunks.push([start, sealed.length]);
  return chunks;
}
async function recordInChunks(client: GatewayClient, runId: string, ids: string[], sealed: string[], checkpoint?: { page: number; after: string | null }): Promise<Recorded> {
  const total: Recorded = { proposed: 0, grantedAutomatically: 0, updated: 0, expired: 0 };
  const chunks = chunksOf(sealed);
  for (const [index, [start, end]] of chunks.entries()) {
    const last = index === chunks.length - 1;
    const recorded = await withRetry(() => recordFindings(client, runId, ids.slice(start, end), sealed.slice(start, end), last ? checkpoint : undefined));
    for (const key of Object.keys(total) as (keyof Recorded)[]) total[key] += recorded[key];
  }
  return total;
}

/**
 * One page, start to end: the board's sealed findings for its citizens
 * through the gateway, handed back to be recorded (with the run's checkpoint, when given). The unit of
 * work of this in-process batch and of a page job on the queue (offers/queue.ts).
 * Idempotent: recording a page again changes nothing.
 */
export async function evaluatePage(
  client: GatewayClient,
  runId: string,
  page: { after: string | null; pageSize: number },
  checkpoint?: { page: number; after: string | null },
): Promise<{ evaluated: number; recorded: Recorded }> {
  const { citizens } = await withRetry(() => client.request<{ citizens: { edges: { node: Evaluated }[] } }>(PAGE_QUERY, { first: page.pageSize, after: page.after }, runId));
  const { ids, sealed } = sealsOf(citizens.edges.map((e) => e.node));
  const recorded = await recordInChunks(client, runId, ids, sealed, checkpoint);
  return { evaluated: ids.length, recorded };
}

/** The cursors of a population's pages, one cheap request each: where page n+1 starts (`after`), in order. */
export async function scanPage(client: GatewayClient, runId: string, after: string | null, pageSize: number): Promise<{ endCursor: string | null; hasNextPage: boolean }> {
  const { citizens } = await withRetry(() => client.request<{ citizens: { pageInfo: { hasNextPage: boolean; endCursor: string | null } } }>(SCAN_QUERY, { first: pageSize, after }, runId));
  return citizens.pageInfo;
}

export const START_RUN = `mutation Start($id: ID!) { startEvaluationRun(id: $id) { resumeAfter checkpointPage finished } }`;
export const FINISH_RUN = `mutation Finish($id: ID!) { finishEvaluationRun(id: $id) { finished } }`;

/** One page of citizens per gateway request, and this many pages in flight (the benchmark's scenario 3 uses both). */
export const DEFAULT_PAGE_SIZE = 1000;
export const DEFAULT_CONCURRENCY = 4;

export async function runBatch(client: GatewayClient, options: BatchOptions): Promise<BatchResult> {
  const started = Date.now();
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const { runId } = options;
  const totals: Recorded = { proposed: 0, grantedAutomatically: 0, updated: 0, expired: 0 };

  const { startEvaluationRun: run } = await client.request<{ startEvaluationRun: { resumeAfter: string | null; checkpointPage: number; finished: boolean } }>(
    START_RUN, { id: runId }, runId,
  );
  const base = { runId, evaluated: 0, pages: 0, resumedFromPage: run.checkpointPage + 1 };
  if (run.finished) return { ...totals, ...base, alreadyFinished: true, finished: true, elapsedMs: Date.now() - started };

  // Scan: cursors of the pages ahead. `afterOf[i]` is where page i starts.
  const firstIndex = run.checkpointPage + 1;
  const afterOf = new Map<number, string | null>([[firstIndex, run.resumeAfter]]);
  let scanEnd: number | undefined; // index one past the last page
  let scanError: unknown;
  const waiters: (() => void)[] = [];
  const wake = () => waiters.splice(0).forEach((w) => w());
  const limit = options.maxPages === undefined ? Infinity : firstIndex + options.maxPages;

  const scan = (async () => {
    let index = firstIndex;
    let after = run.resumeAfter;
    try {
      while (index < limit && !options.signal?.aborted) {
        const { citizens } = await client.request<{ citizens: { pageInfo: { hasNextPage: boolean; endCursor: string | null } } }>(
          SCAN_QUERY, { first: pageSize, after }, runId,
        );
        if (!citizens.pageInfo.endCursor) break; // an empty page: nothing from here on
        index += 1;
        after = citizens.pageInfo.endCursor;
        afterOf.set(index, after);
        wake();
        if (!citizens.pageInfo.hasNextPage) break;
      }
    } catch (error) {
      scanError = error;
    } finally {
      scanEnd = index;
      wake();
    }
  })();

  // Pages finished, to move the checkpoint over the contiguous prefix.
  const done = new Set<number>();
  let frontier = firstIndex - 1;
  let checkpointed = frontier;
  let next = firstIndex;
  let evaluated = 0;
  let pages = 0;

  const nextPage = async (): Promise<Page | undefined> => {
    for (;;) {
      if (options.signal?.aborted) return undefined;
      if (afterOf.has(next + 1) || (scanEnd !== undefined && next < scanEnd)) {
        const index = next++;
        return { index, after: afterOf.get(index) ?? null };
      }
      if (scanEnd !== undefined) return undefined;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };

  const worker = async () => {
    for (let page = await nextPage(); page; page = await nextPage()) {
      // The checkpoint this page may claim: itself plus every finished page right before it.
      let claim = frontier;
      while (claim + 1 === page.index || done.has(claim + 1)) claim += 1;
      const checkpoint = claim > frontier ? { page: claim, after: afterOf.get(claim + 1) ?? null } : undefined;
      const { evaluated: inPage, recorded } = await evaluatePage(client, runId, { after: page.after, pageSize }, checkpoint);
      if (checkpoint) checkpointed = Math.max(checkpointed, checkpoint.page);
      done.add(page.index);
      while (done.has(frontier + 1)) frontier += 1;
      // Pages finishing out of order can move the frontier past every claim made: record it on its own
      // (the store keeps the greatest checkpoint, so racing writes cannot move it back).
      if (frontier > checkpointed) {
        const reached = frontier;
        checkpointed = reached;
        await recordInChunks(client, runId, [], [], { page: reached, after: afterOf.get(reached + 1) ?? null });
      }
      for (const key of Object.keys(totals) as (keyof Recorded)[]) totals[key] += recorded[key];
      evaluated += inPage;
      pages += 1;
      options.onProgress?.({ evaluated, pages, known: (afterOf.size - 1) * pageSize, scanned: scanEnd !== undefined });
    }
  };

  await Promise.all([scan, ...Array.from({ length: concurrency }, worker)]);
  if (scanError) throw scanError;
  const finished = !options.signal?.aborted && options.maxPages === undefined;
  if (finished) await client.request(FINISH_RUN, { id: runId }, runId);
  return { ...totals, ...base, evaluated, pages, alreadyFinished: false, finished, elapsedMs: Date.now() - started };
}
