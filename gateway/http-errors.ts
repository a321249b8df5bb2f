import type { Response } from 'express';

/** A GraphQL-shaped error response for refusals that happen before Apollo Server sees the request. */
export function sendGraphQLError(res: Response, status: number, code: string, message: string): void {
  if (status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
  res.locals.errorCode = code; // for the refusal metrics and log (system/request-observer.ts)
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}
