/**
 * The consumers of the population register's life events, both through the
 * gateway like any client. A birth is recorded in the family register
 * (`recordBirth`, purpose life-event-propagation, client life-event-relay)
 * with the population register's attestation as it was written with the
 * event — the family register records only what that signature covers
 * (platform/life-event-attestation.ts). The offers engine evaluates the
 * parents (proactive-eligibility, client offers-engine). Both are idempotent
 * by event id, so a re-delivery changes nothing.
 */
import { ENGINE_CLIENT, ENGINE_PURPOSE, evaluateCitizens } from '../offers/engine.ts';
import { GraphQLCallError, gatewayClient, type TokenSource } from '../offers/gateway-client.ts';
import { PermanentDeliveryError } from './retry.ts';
import type { Consumer } from './relay.ts';
import type { OutboxEvent } from './store.ts';

export const RELAY_CLIENT = 'life-event-relay';
export const RELAY_PURPOSE = 'life-event-propagation';
export { ENGINE_CLIENT };

const RECORD_BIRTH = `mutation RecordBirth($input: RecordBirthInput!) { recordBirth(input: $input) { eventId alreadyRecorded } }`;

interface BirthPayload {
  childId: string;
  motherId: string;
  secondParentId: string | null;
  secondParentSex?: 'F' | 'M' | null;
  dateOfBirth: string;
  attestation?: string;
}

/** Refusals that no retry can change: dead-lettered at once, for an operator to look at. */
const PERMANENT = new Set(['LIFE_EVENT_NOT_ATTESTED', 'LIFE_EVENT_MISMATCH', 'BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED']);

function classify(error: unknown): never {
  if (error instanceof GraphQLCallError && error.codes.some((c) => PERMANENT.has(c))) throw new PermanentDeliveryError(error.message, { cause: error });
  throw error;
}

export interface ConsumerOptions {
  gatewayUrl: string;
  relayToken: TokenSource;
  engineToken: TokenSource;
}

/** The offers engine evaluates a birth's parents from the family register's record of it: that delivery goes first. */
export const CONSUMER_ORDER = { offers: 'family-register' } as const;

const eventRef = (event: OutboxEvent) => `life-event:${event.id}`;

export function lifeEventConsumers(options: ConsumerOptions): Record<'family-register' | 'offers', Consumer> {
  const relay = gatewayClient(options.gatewayUrl, RELAY_PURPOSE, options.relayToken);
  const engine = gatewayClient(options.gatewayUrl, ENGINE_PURPOSE, options.engineToken);
  return {
    'family-register': async (event, signal) => {
      if (event.kind !== 'birth-registered') return;
      const p = event.payload as unknown as BirthPayload;
      await relay.request(RECORD_BIRTH, {
        input: {
          eventId: `identity-outbox:${event.id}`,
          childId: p.childId,
          dateOfBirth: p.dateOfBirth,
          motherId: p.motherId,
          secondParentId: p.secondParentId,
          secondParentRole: p.secondParentId ? (p.secondParentSex === 'M' ? 'FATHER' : 'PARENT') : null,
          attestation: p.attestation,
        },
      }, eventRef(event), signal).catch(classify);
    },
    offers: async (event) => {
      if (event.kind !== 'birth-registered') return;
      const p = event.payload as unknown as BirthPayload;
      await evaluateCitizens(engine, [p.motherId, p.secondParentId].filter((x): x is string => !!x), eventRef(event)).catch(classify);
    },
  };
}
