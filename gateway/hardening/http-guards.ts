/**
 * What the HTTP layer refuses before authentication or GraphQL see a request:
 * POSTs that are not JSON (a browser can send text/plain, form and multipart
 * bodies cross-site without a preflight: refusing them closes CSRF), bodies
 * over the limit, and batched operations (one array, many operations, each
 * with its own cost: a way around every per-operation limit).
 * Mutations over GET are refused by Apollo Server itself (405).
 */
import { createHash } from 'node:crypto';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { sendGraphQLError } from '../http-errors.ts';

const JSON_TYPES = /^application\/(json|graphql-response\+json)\s*(;|$)/i;

export function requireJsonPost(req: Request, res: Response, next: NextFunction): void {
  if (req.method === 'POST' && !JSON_TYPES.test(req.header('content-type') ?? '')) {
    return sendGraphQLError(res, 415, 'BAD_REQUEST', 'send operations as POST with "Content-Type: application/json"');
  }
  if (req.method !== 'POST' && req.method !== 'GET') {
    res.setHeader('allow', 'GET, POST');
    return sendGraphQLError(res, 405, 'BAD_REQUEST', 'use POST (or GET for queries)');
  }
  next();
}

export function jsonBody(maxBodyBytes: number): RequestHandler {
  // strict: only objects and arrays at the top level, as GraphQL over HTTP expects.
  return express.json({ limit: maxBodyBytes, strict: true });
}

/**
 * `x-policy-mode` is `strict` or `lenient`, or absent: anything else
 * (`STRICT`, `reject`) is refused, never read as lenient.
 */
export const POLICY_MODES = ['strict', 'lenient'] as const;
export function requireKnownPolicyMode(req: Request, res: Response, next: NextFunction): void {
  const mode = req.header('x-policy-mode');
  if (mode !== undefined && !(POLICY_MODES as readonly string[]).includes(mode)) {
    return sendGraphQLError(res, 400, 'BAD_REQUEST', 'x-policy-mode must be "strict" or "lenient" (or absent)');
  }
  next();
}

/** `operationName` is a GraphQL name or absent: it is logged, counted and audited, so nothing else may pass as one. */
const NAME = /^[_A-Za-z][_0-9A-Za-z]{0,127}$/;
export function requireOperationName(req: Request, res: Response, next: NextFunction): void {
  const name: unknown = req.method === 'POST' ? (req.body as { operationName?: unknown } | undefined)?.operationName : req.query.operationName;
  if (name !== undefined && name !== null && !(typeof name === 'string' && (name === '' || NAME.test(name)))) {
    return sendGraphQLError(res, 400, 'BAD_REQUEST', '"operationName" must be the name of an operation of the document (a GraphQL name)');
  }
  next();
}

/**
 * An automatic persisted query whose sha256Hash is not its text's: Apollo Server refuses it with an error that has
 * no code (so it would leave as INTERNAL_SERVER_ERROR). Refused here with a stable one. (GET carries the extensions
 * as a JSON string.)
 */
export function checkPersistedQueryHash(req: Request, res: Response, next: NextFunction): void {
  const source = req.method === 'POST' ? (req.body as Record<string, unknown> | undefined) : (req.query as Record<string, unknown>);
  let extensions: unknown = source?.extensions;
  if (typeof extensions === 'string') {
    try {
      extensions = JSON.parse(extensions);
    } catch {
      return next(); // Apollo Server refuses malformed extensions itself (400 BAD_REQUEST)
    }
  }
  const persisted = extensions !== null && typeof extensions === 'object' ? (extensions as { persistedQuery?: unknown }).persistedQuery : undefined;
  const hash = persisted !== null && typeof persisted === 'object' ? (persisted as { sha256Hash?: unknown }).sha256Hash : undefined;
  const query = source?.query;
  if (typeof query === 'string' && persisted !== undefined && (typeof hash !== 'string' || createHash('sha256').update(query).digest('hex') !== hash)) {
    return sendGraphQLError(res, 400, 'PERSISTED_QUERY_HASH_MISMATCH', 'extensions.persistedQuery.sha256Hash is not the SHA-256 of the query text sent with it');
  }
  next();
}

export function refuseBatches(req: Request, res: Response, next: NextFunction): void {
  if (Array.isArray(req.body)) {
    return sendGraphQLError(res, 400, 'BAD_REQUEST', 'batched operations are not accepted: send one operation per request');
  }
  if (req.method === 'POST' && (typeof req.body !== 'object' || req.body === null)) {
    return sendGraphQLError(res, 400, 'BAD_REQUEST', 'the request body must be a JSON object {"query", "variables"?, "operationName"?}');
  }
  next();
}
