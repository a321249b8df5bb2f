/** Stable error codes, the same at the gateway and in every subgraph. */
import { GraphQLError } from 'graphql';
import type { DenialReason } from '../permissions/decide.ts';

export const UNAUTHORIZED = 'UNAUTHORIZED_FIELD_OR_TYPE';

/** Why a denial happened, in words a frontend developer can act on. */
export const DENIAL_MESSAGES: Record<DenialReason, string> = {
  UNKNOWN_PURPOSE: 'the declared purpose is unknown',
  UNCLASSIFIED: 'the field is not classified in the policy, so no purpose may read it',
  NOT_GRANTED: 'the purpose does not grant this field',
  EXPLICITLY_DENIED: 'the purpose explicitly denies this field',
  SUBJECT_OUT_OF_SCOPE: 'the person whose data this is is outside what the purpose reaches',
  ASSURANCE_TOO_LOW: 'the sign-in assurance level is too low for this field',
  UNDECLARED: 'the policy does not say whose data this root field returns, so no purpose may read it',
};

export function unauthorizedField(purpose: string, field: string, reason: DenialReason, path?: readonly (string | number)[]): GraphQLError {
  return new GraphQLError(`Not allowed for purpose "${purpose}": ${field} (${DENIAL_MESSAGES[reason]})`, {
    path,
    extensions: { code: UNAUTHORIZED, purpose, field, reason },
  });
}

export function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
}

export function badUserInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}
