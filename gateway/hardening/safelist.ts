/**
 * Persisted-operation safelists, per client: a client with a safelist (e.g.
 * the citizen portal, locked to the operations its build produced) may run
 * only the operations of its manifest, by id or by identical text. The
 * manifest is Apollo's persisted query manifest format (what
 * `@apollo/generate-persisted-query-manifest` writes), and the refusals use
 * Apollo's codes, so Apollo client tooling understands them.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { NextFunction, Request, Response } from 'express';
import { z } from 'zod';
import { sendGraphQLError } from '../http-errors.ts';
import type { GatewayContext } from '../context.ts';

const manifestSchema = z.object({
  format: z.literal('apollo-persisted-query-manifest'),
  version: z.literal(1),
  operations: z.array(z.object({ id: z.string().regex(/^[a-f0-9]{64}$/), name: z.string().optional(), type: z.string().optional(), body: z.string() })),
});

export type Safelist = Map<string, string>;

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export function loadSafelist(path: string): Safelist {
  let parsed;
  try {
    parsed = manifestSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  } catch (error) {
    throw new Error(`persisted query manifest ${path} is not a valid Apollo persisted query manifest: ${(error as Error).message.slice(0, 200)}`, { cause: error });
  }
  for (const op of parsed.operations) {
    if (sha256(op.body) !== op.id) throw new Error(`persisted query manifest ${path}: operation ${op.name ?? op.id} has an id that is not the sha256 of its body`);
  }
  return new Map(parsed.operations.map((op) => [op.id, op.body]));
}

interface OperationBody {
  query?: unknown;
  extensions?: { persistedQuery?: { sha256Hash?: unknown } } & Record<string, unknown>;
}

/** After authentication: the client is known. Rewrites the request to the safelisted text. */
export function safelistGuard(safelists: ReadonlyMap<string, Safelist>) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const client = (res.locals.context as GatewayContext | undefined)?.caller.client;
    const safelist = client ? safelists.get(client) : undefined;
    if (!safelist) return next();
    if (req.method !== 'POST') {
      return sendGraphQLError(res, 400, 'PERSISTED_QUERY_NOT_IN_LIST', `client "${client}" may run only its persisted operations, sent by POST`);
    }
    const body = req.body as OperationBody;
    const id = body.extensions?.persistedQuery?.sha256Hash;
    if (id !== undefined) {
      const text = typeof id === 'string' ? safelist.get(id) : undefined;
      if (!text) return sendGraphQLError(res, 400, 'PERSISTED_QUERY_NOT_FOUND', 'no persisted operation has this id');
      if (body.query !== undefined && body.query !== text) return sendGraphQLError(res, 400, 'PERSISTED_QUERY_NOT_IN_LIST', 'the operation text does not match the persisted operation');
      body.query = text;
    } else if (typeof body.query !== 'string' || !safelist.has(sha256(body.query))) {
      return sendGraphQLError(res, 400, 'PERSISTED_QUERY_NOT_IN_LIST', `client "${client}" may run only the operations of its persisted query manifest`);
    }
    // Resolved here: Apollo's automatic persisted queries must not see (and cache) it again.
    if (body.extensions) delete body.extensions.persistedQuery;
    next();
  };
}
