/** Turns what the gateway answered into sentences a person can act on. */
import { CombinedGraphQLErrors, ServerError } from '@apollo/client/errors';

export interface Problem {
  /** Stable code from the gateway (`UNAUTHORIZED_FIELD_OR_TYPE`, …) when there is one. */
  code?: string;
  message: string;
  field?: string;
}

interface GatewayGraphQLError {
  message: string;
  extensions?: { code?: string; field?: string; reason?: string; purpose?: string } & Record<string, unknown>;
}

function fromGraphQLError(e: GatewayGraphQLError): Problem {
  const x = e.extensions ?? {};
  if (x.code === 'UNAUTHORIZED_FIELD_OR_TYPE') {
    if (x.reason === 'SUBJECT_OUT_OF_SCOPE') {
      return { code: x.code, field: x.field, message: `You may not see this person's data: they are neither you nor someone you represent (${x.field ?? 'field'}).` };
    }
    if (x.reason === 'ASSURANCE_TOO_LOW') {
      return { code: x.code, field: x.field, message: `${x.field ?? 'This field'} needs a stronger sign-in (e.g. ID-card or Mobile-ID).` };
    }
    return { code: x.code, field: x.field, message: `${x.field ?? 'This field'} is not available for the purpose "${x.purpose ?? '?'}".` };
  }
  if (x.code === 'GRAPHQL_VALIDATION_FAILED') return { code: x.code, message: `This gateway does not offer that yet: ${e.message}` };
  return { code: x.code, message: e.message };
}

export function describeErrors(error: unknown): Problem[] {
  if (!error) return [];
  if (CombinedGraphQLErrors.is(error)) return error.errors.map((e) => fromGraphQLError(e as GatewayGraphQLError));
  if (ServerError.is(error)) {
    // Refusals before execution (token, purpose, case reference) come as HTTP errors with a GraphQL-shaped body.
    try {
      const body = JSON.parse(error.bodyText) as { errors?: GatewayGraphQLError[] };
      if (body.errors?.length) return body.errors.map(fromGraphQLError);
    } catch {
      /* not JSON: fall through */
    }
    if (error.statusCode === 401) return [{ code: 'UNAUTHENTICATED', message: 'Your sign-in has expired. Please sign in again.' }];
    return [{ message: `The gateway answered ${error.statusCode}.` }];
  }
  if (error instanceof Error && /fetch|network/i.test(error.message)) {
    return [{ code: 'NETWORK', message: 'The gateway could not be reached. Check your connection and try again.' }];
  }
  return [{ message: error instanceof Error ? error.message : String(error) }];
}

/** True when the only problem is that the gateway's schema lacks the queried fields. */
export const isNotInSchema = (problems: Problem[]) => problems.length > 0 && problems.every((p) => p.code === 'GRAPHQL_VALIDATION_FAILED');
