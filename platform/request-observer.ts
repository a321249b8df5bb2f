/**
 * One Apollo Server plugin for the gateway and every subgraph: a structured
 * log line per request (pino child logger carrying the request id the gateway
 * assigned and signed into the subgraph context), request counts and latency
 * per operation, and — at the gateway — denials per purpose and code.
 * Logged: ids, client, purpose, operation name, codes, timings. Never
 * variables, tokens or results.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { NextFunction, Request, Response } from 'express';
import { logger } from './logger.ts';
import type { CallerContext } from './context-token.ts';
import { labelValue, metrics } from './metrics.ts';

/** Codes that mean "refused by policy or authentication" rather than "failed". */
const DENIAL_CODES = new Set([
  'UNAUTHENTICATED',
  'UNAUTHORIZED_FIELD_OR_TYPE',
  'PURPOSE_NOT_ALLOWED',
  'CASE_REFERENCE_REQUIRED',
  'FORBIDDEN',
  'PERSISTED_QUERY_NOT_IN_LIST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_HASH_MISMATCH',
]);

export function requestObserver<C extends { caller?: CallerContext }>(service: string): ApolloServerPlugin<C> {
  const countDenials = service === 'gateway';
  return {
    async requestDidStart({ contextValue }) {
      const started = performance.now();
      const caller = contextValue.caller;
      const log = logger.child({ service, requestId: caller?.requestId, client: caller?.client, purpose: caller?.purpose });
      return {
        async willSendResponse({ response, operationName, errors }) {
          // The name of the operation that ran, never the name a request claimed (an unresolved one is any text).
          const operation = labelValue(operationName, 'anonymous', 'operation');
          const seconds = (performance.now() - started) / 1000;
          const body = response.body;
          const resultErrors = body.kind === 'single' ? (body.singleResult.errors ?? []) : [];
          const codes = [...(errors ?? []), ...resultErrors].map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
          const outcome = codes.length === 0 ? 'ok' : 'errors';
          metrics.requests.inc({ service, operation, outcome });
          metrics.requestDuration.observe({ service, operation }, seconds);
          if (countDenials) {
            for (const code of new Set(resultErrors.map((e) => String(e.extensions?.code)))) {
              if (DENIAL_CODES.has(code)) metrics.denials.inc({ purpose: labelValue(caller?.purpose, 'none', 'purpose'), code });
            }
          }
          log.info({ operation, status: response.http.status ?? 200, ms: Math.round(seconds * 1000), codes: codes.length ? [...new Set(codes)] : undefined }, 'graphql request');
        },
      };
    },
  };
}

/**
 * For refusals that happen before GraphQL (bad content type, body too large,
 * authentication, purpose): counted and logged when the response is sent.
 */
export function httpRefusalObserver(service: string) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = performance.now();
    res.on('finish', () => {
      const code = res.locals.errorCode as string | undefined;
      if (!code) return;
      const purpose = labelValue(req.header('x-purpose'), 'none', 'purpose');
      metrics.requests.inc({ service, operation: 'none', outcome: 'refused' });
      if (DENIAL_CODES.has(code)) metrics.denials.inc({ purpose, code });
      logger.info({ service, requestId: res.getHeader('x-request-id'), purpose, status: res.statusCode, code, ms: Math.round(performance.now() - started) }, 'request refused');
    });
    next();
  };
}
