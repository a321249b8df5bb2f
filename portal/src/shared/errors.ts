/**
 * Turns what the gateway answered into sentences a person can act on, in the
 * reader's language (messages namespace): never a field coordinate, a file or
 * an internal code. An agency that is down is named, so its panel can say so.
 */
import { i18next } from '../i18n/index.ts';

export interface Problem {
  /** Stable code from the gateway (`UNAUTHORIZED_FIELD_OR_TYPE`, …) when there is one. */
  code?: string;
  message: string;
  field?: string;
  /** The agency whose data could not be had (SUBGRAPH_UNAVAILABLE). */
  agency?: string;
}

interface GatewayGraphQLError {
  message: string;
  extensions?: { code?: string; field?: string; reason?: string; purpose?: string; subgraph?: string } & Record<string, unknown>;
}

const t = (key: string, options?: Record<string, unknown>) => i18next.t(key, { ns: 'messages', ...options });

/** A code the catalogue words, or the generic sentence: raw server text never reaches the page. */
const worded = (code: string | undefined) => (code && i18next.exists(`messages:error.${code}`) ? t(`error.${code}`) : t('error.generic'));

function fromGraphQLError(e: GatewayGraphQLError): Problem {
  const x = e.extensions ?? {};
  if (x.code === 'UNAUTHORIZED_FIELD_OR_TYPE') {
    const reason = x.reason && i18next.exists(`messages:denial.${x.reason}`) ? x.reason : 'NOT_GRANTED';
    return { code: x.code, field: x.field, message: t(`denial.${reason}`) };
  }
  if (x.code === 'SUBGRAPH_UNAVAILABLE' && x.subgraph) {
    return { code: x.code, agency: x.subgraph, message: t(`agencyUnavailable.${x.subgraph}`, { defaultValue: t('error.generic') }) };
  }
  return { code: x.code, message: worded(x.code) };
}

/**
 * Apollo Client 4's CombinedGraphQLErrors and ServerError, told apart by the
 * names Apollo gives them, so that this module (and the sign-in page that
 * uses it) does not pull Apollo Client into the first page a person waits for.
 */
const named = (error: unknown, name: string): error is Record<string, unknown> =>
  typeof error === 'object' && error !== null && (error as { name?: unknown }).name === name;

export function describeErrors(error: unknown): Problem[] {
  if (!error) return [];
  if (named(error, 'CombinedGraphQLErrors') && Array.isArray(error.errors)) return (error.errors as GatewayGraphQLError[]).map(fromGraphQLError);
  if (named(error, 'ServerError') && typeof error.bodyText === 'string' && typeof error.statusCode === 'number') {
    // Refusals before execution (token, purpose, case reference) come as HTTP errors with a GraphQL-shaped body.
    try {
      const body = JSON.parse(error.bodyText) as { errors?: GatewayGraphQLError[] };
      if (body.errors?.length) return body.errors.map(fromGraphQLError);
    } catch {
      /* not JSON: fall through */
    }
    if (error.statusCode === 401) return [{ code: 'UNAUTHENTICATED', message: t('error.UNAUTHENTICATED') }];
    return [{ message: t('error.generic') }];
  }
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return [{ code, message: worded(code) }];
  if (error instanceof Error && /fetch|network/i.test(error.message)) return [{ code: 'NETWORK', message: t('error.NETWORK') }];
  return [{ message: t('error.generic') }];
}

/** True when the only problem is that the gateway's schema lacks the queried fields. */
export const isNotInSchema = (problems: Problem[]) => problems.length > 0 && problems.every((p) => p.code === 'GRAPHQL_VALIDATION_FAILED');

/** The agencies a panel could not reach, if any. */
export const unavailableAgencies = (problems: Problem[]) => [...new Set(problems.flatMap((p) => (p.agency ? [p.agency] : [])))];
