/**
 * Births reported by the population register (through the life-event relay)
 * become the family register's records: parentage, parental guardianship until
 * the 18th birthday, the parents' life events, the child's civil status and
 * household (the mother's). One transaction, idempotent by event id: the relay
 * delivers at least once. Only births the population register attests are
 * recorded, exactly as attested (platform/life-event-attestation.ts): anything
 * else is refused with LIFE_EVENT_NOT_ATTESTED or LIFE_EVENT_MISMATCH.
 */
import type { SubgraphContext } from '../kit/agency.ts';
import { GraphQLError } from 'graphql';
import { badUserInput } from '../../platform/errors.ts';
import { AttestationError, birthMismatch, LIFE_EVENT_MISMATCH, verifyBirth, type ClaimedBirth } from '../../platform/life-event-attestation.ts';
import type { FamilyLoaders } from './loaders.ts';

type Context = SubgraphContext<FamilyLoaders>;

export interface RecordBirthInput extends ClaimedBirth {
  /** The population register's signature over the event (platform/life-event-attestation.ts). */
  attestation: string;
}

const PERSON_ID = /^\d{11}$/;

export async function recordBirth(_: unknown, { input }: { input: RecordBirthInput }, ctx: Context) {
  if (!/^[A-Za-z0-9:._-]{1,100}$/.test(input.eventId)) throw badUserInput('eventId must be 1-100 letters, digits or : . _ -');
  for (const id of [input.childId, input.motherId, input.secondParentId].filter((x): x is string => !!x)) {
    if (!PERSON_ID.test(id)) throw badUserInput(`${id.slice(0, 20)} is not a personal code`);
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(input.dateOfBirth) || Number.isNaN(Date.parse(input.dateOfBirth))) throw badUserInput('dateOfBirth must be YYYY-MM-DD');
  // Only what the population register recorded and signed: the event, the child, the mother, the second parent, the date.
  try {
    const attested = await verifyBirth(input.attestation, ctx.lifeEvents.verifier);
    const differs = birthMismatch(attested, input);
    if (differs) throw new AttestationError(LIFE_EVENT_MISMATCH, `${differs} is not what the population register recorded for this event`, differs);
  } catch (error) {
    if (error instanceof AttestationError) throw new GraphQLError(error.message, { extensions: { code: error.code, ...(error.field ? { field: error.field } : {}) } });
    throw error;
  }
  const parents: [string, string][] = [[input.motherId, 'mother']];
  if (input.secondParentId) parents.push([input.secondParentId, input.secondParentRole === 'FATHER' ? 'father' : 'parent']);

  return ctx.db.transaction(async (client) => {
    const { rowCount } = await client.query(
      `INSERT INTO processed_life_event (event_id, kind) VALUES ($1, 'birth') ON CONFLICT (event_id) DO NOTHING`,
      [input.eventId],
    );
    if (rowCount === 0) return { eventId: input.eventId, alreadyRecorded: true };
    const ids = parents.map(([id]) => id);
    const roles = parents.map(([, role]) => role);
    // Set-based: every parent in one statement per table.
    await client.query(
      `INSERT INTO parentage (parent_id, child_id, parent_role) SELECT p, $2, r FROM unnest($1::text[], $3::text[]) AS u(p, r)
       ON CONFLICT DO NOTHING`,
      [ids, input.childId, roles],
    );
    await client.query(
      `INSERT INTO guardianship (guardian_id, ward_id, basis, since, until)
       SELECT p, $2, 'parent', $3::date, ($3::date + interval '18 years')::date FROM unnest($1::text[]) AS p ON CONFLICT DO NOTHING`,
      [ids, input.childId, input.dateOfBirth],
    );
    await client.query(
      `INSERT INTO life_event (person_id, kind, occurred_on, related_person_id)
       SELECT p, 'birth', $3::date, $2 FROM unnest($1::text[]) AS p
       UNION ALL SELECT $2, 'birth', $3::date, NULL`,
      [ids, input.childId, input.dateOfBirth],
    );
    await client.query(`INSERT INTO civil_status (person_id, marital_status) VALUES ($1, 'single') ON CONFLICT DO NOTHING`, [input.childId]);
    await client.query(
      `INSERT INTO household_member (person_id, household_id)
       SELECT $1, household_id FROM household_member WHERE person_id = $2 ON CONFLICT DO NOTHING`,
      [input.childId, input.motherId],
    );
    return { eventId: input.eventId, alreadyRecorded: false };
  });
}
