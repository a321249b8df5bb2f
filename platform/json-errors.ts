/**
 * Every service answers errors in JSON, GraphQL-shaped, never with Express's
 * HTML pages (which also carry the stack trace of a failed body parse
 * outside production): unknown paths get a coded 404, malformed or oversized
 * bodies a coded 400/413, anything else a neutral 500.
 */
import type { NextFunction, Request, Response } from 'express';

function send(res: Response, status: number, code: string, message: string): void {
  res.locals.errorCode = code; // for the refusal metrics and log (platform/request-observer.ts)
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

export function jsonNotFound(_req: Request, res: Response): void {
  send(res, 404, 'NOT_FOUND', 'nothing here: the graph is at /graphql');
}

export function jsonErrors(error: Error & { status?: number; statusCode?: number; type?: string }, _req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) return next(error);
  if (error.type === 'entity.parse.failed') return send(res, 400, 'BAD_REQUEST', 'the request body is not valid JSON');
  if (error.type === 'entity.too.large') return send(res, 413, 'BAD_REQUEST', 'the request body is too large');
  const status = error.status ?? error.statusCode;
  if (status === 404) return send(res, 404, 'NOT_FOUND', 'nothing here');
  if (status && status >= 400 && status < 500) return send(res, status, 'BAD_REQUEST', 'the request could not be processed');
  send(res, 500, 'INTERNAL_SERVER_ERROR', 'the request could not be processed');
}
