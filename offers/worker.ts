/**
 * The life-event worker: the population register's outbox relay with two
 * consumers, both through the gateway. A birth is recorded in the family
 * register (`recordBirth`, purpose life-event-propagation, client
 * life-event-relay), then the offers engine evaluates the parents
 * (proactive-eligibility, client offers-engine). Both are idempotent by event
 * id, so a re-delivery after a crash changes nothing.
 */
import { startOutboxRelay, type OutboxEvent, type RunningRelay } from '../subgraphs/identity/outbox-relay.ts';
import { ENGINE_PURPOSE, evaluateCitizens } from './engine.ts';
import { gatewayClient, type TokenSource } from './gateway-client.ts';

export const RELAY_CLIENT = 'life-event-relay';
export const RELAY_PURPOSE = 'life-event-propagation';

const RECORD_BIRTH = `mutation RecordBirth($input: RecordBirthInput!) { recordBirth(input: $input) { eventId alreadyRecorded } }`;

export interface WorkerOptions {
  identityUrl: string;
  gatewayUrl: string;
  relayToken: TokenSource;
  engineToken: TokenSource;
  pollMs?: number;
  log?: (message: string) => void;
}

interface BirthPayload {
  childId: string;
  motherId: string;
  secondParentId: string | null;
  secondParentSex?: 'F' | 'M' | null;
  dateOfBirth: string;
  attestation?: string;
}

export function startLifeEventWorker(options: WorkerOptions): Promise<RunningRelay> {
  const relay = gatewayClient(options.gatewayUrl, RELAY_PURPOSE, options.relayToken);
  const engine = gatewayClient(options.gatewayUrl, ENGINE_PURPOSE, options.engineToken);
  const eventRef = (event: OutboxEvent) => `life-event:${event.id}`;

  const familyRegister = async (event: OutboxEvent) => {
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
        // The population register's signature, carried as it was written with the event.
        attestation: p.attestation,
      },
    }, eventRef(event));
  };

  const offers = async (event: OutboxEvent) => {
    if (event.kind !== 'birth-registered') return;
    const p = event.payload as unknown as BirthPayload;
    await evaluateCitizens(engine, [p.motherId, p.secondParentId].filter((x): x is string => !!x), eventRef(event));
  };

  return startOutboxRelay({
    identityUrl: options.identityUrl,
    consumers: [familyRegister, offers],
    pollMs: options.pollMs,
    onError: (error, event) => options.log?.(`life-event ${event?.id ?? '-'} not delivered yet: ${(error as Error).message}`),
  });
}
