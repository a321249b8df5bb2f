import type { PoolClient } from 'pg';
import { badUserInput } from '../../platform/errors.ts';
import type { SubgraphContext } from '../kit/agency.ts';
import { CITIZEN_COLUMNS, type CitizenRow, type IdentityLoaders } from './loaders.ts';
import { isValidPersonalCode, randomPersonalCode } from '../../platform/personal-code.ts';
import { today } from '../../platform/clock.ts';
import { attestBirth, BIRTH_REGISTERED, type AttestedBirth } from '../../platform/life-event-attestation.ts';

type Context = SubgraphContext<IdentityLoaders>;

const MAX_PAGE = 1000;

const encodeCursor = (id: string) => Buffer.from(id, 'utf8').toString('base64url');
function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^\d{11}$/.test(id)) throw badUserInput('`after` is not a cursor this graph returned');
  return id;
}

interface RegisterBirthInput {
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  sex: 'F' | 'M';
  motherId: string;
  secondParentId?: string | null;
}

function validateBirth(input: RegisterBirthInput, today: string) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(input.dateOfBirth) || Number.isNaN(Date.parse(input.dateOfBirth))) {
    throw badUserInput('dateOfBirth must be a date, YYYY-MM-DD');
  }
  if (input.dateOfBirth > today) throw badUserInput('dateOfBirth cannot be in the future');
  if (!input.givenName.trim() || !input.familyName.trim()) throw badUserInput('givenName and familyName are required');
  if (input.givenName.length > 100 || input.familyName.length > 100) throw badUserInput('names are at most 100 characters');
  for (const id of [input.motherId, input.secondParentId].filter((x): x is string => !!x)) {
    if (!isValidPersonalCode(id)) throw badUserInput(`${id} is not a valid personal code`);
  }
  if (input.secondParentId === input.motherId) throw badUserInput('the second parent must be another person');
}

async function insertChild(client: PoolClient, input: RegisterBirthInput, mother: CitizenRow): Promise<CitizenRow> {
  // Codes are random; retry the rare collision instead of taking a lock on a sequence.
  for (let attempt = 0; attempt < 5; attempt++) {
    const { rows } = await client.query<CitizenRow>(
      `INSERT INTO citizen (id, given_name, family_name, date_of_birth, sex, citizenship,
         municipality, postal_code, street_address, preferred_language)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (id) DO NOTHING
       RETURNING ${CITIZEN_COLUMNS}`,
      [randomPersonalCode(input.sex), input.givenName.trim(), input.familyName.trim(), input.dateOfBirth, input.sex,
        mother.citizenship, mother.municipality, mother.postal_code, mother.street_address, mother.preferred_language],
    );
    if (rows[0]) return rows[0];
  }
  throw new Error('could not allocate a personal code');
}

export const resolvers = {
  Query: {
    me: (_: unknown, __: unknown, ctx: Context) => (ctx.caller.scope.self ? ctx.loaders.citizenById.load(ctx.caller.scope.self) : null),
    citizen: (_: unknown, args: { id: string }, ctx: Context) => ctx.loaders.citizenById.load(args.id),
    async citizens(_: unknown, args: { first: number; after?: string | null }, ctx: Context) {
      if (!Number.isInteger(args.first) || args.first < 1 || args.first > MAX_PAGE) {
        throw badUserInput(`first must be between 1 and ${MAX_PAGE}`);
      }
      const after = args.after ? decodeCursor(args.after) : null;
      const rows = await ctx.db.query<CitizenRow>(
        `SELECT ${CITIZEN_COLUMNS} FROM citizen WHERE ($1::text IS NULL OR id > $1) ORDER BY id LIMIT $2`,
        [after, args.first + 1],
      );
      const page = rows.slice(0, args.first);
      for (const row of page) ctx.loaders.citizenById.prime(row.id, row);
      return {
        edges: page.map((row) => ({ cursor: encodeCursor(row.id), node: row })),
        pageInfo: { hasNextPage: rows.length > args.first, endCursor: page.length ? encodeCursor(page.at(-1)!.id) : null },
      };
    },
  },
  Mutation: {
    async registerBirth(_: unknown, { input }: { input: RegisterBirthInput }, ctx: Context) {
      validateBirth(input, today());
      const parentIds = [input.motherId, input.secondParentId].filter((x): x is string => !!x);
      const parents = await ctx.loaders.citizenById.loadMany(parentIds);
      const [mother, secondParent] = parents;
      if (!mother || mother instanceof Error) throw badUserInput(`no mother ${input.motherId} in the population register`);
      if (input.secondParentId && (!secondParent || secondParent instanceof Error)) {
        throw badUserInput(`no parent ${input.secondParentId} in the population register`);
      }
      const signer = ctx.lifeEvents.signer;
      // Without its key the register could not attest the birth, and no other register would take it.
      if (!signer) throw new Error('the population register has no life-event signing key (LIFE_EVENT_SIGNING_KEY)');
      return ctx.db.transaction(async (client) => {
        const child = await insertChild(client, input, mother);
        // The event id first: the attestation names it, and is written with the event.
        const { rows: [seq] } = await client.query<{ id: string }>(`SELECT nextval(pg_get_serial_sequence('outbox', 'id'))::text AS id`);
        const birth: AttestedBirth = {
          eventId: `identity-outbox:${seq!.id}`,
          childId: child.id,
          motherId: input.motherId,
          secondParentId: input.secondParentId ?? null,
          // The family register records the second parent as father or parent (its own vocabulary).
          secondParentSex: secondParent && !(secondParent instanceof Error) ? secondParent.sex : null,
          dateOfBirth: child.date_of_birth,
        };
        // Signed only here, after the child was inserted and both parents were found: the signature is the register's word.
        const attestation = await attestBirth(birth, signer);
        // The outbox row commits with the child: other agencies learn of the birth exactly when it exists.
        await client.query('INSERT INTO outbox (id, kind, subject_id, payload) VALUES ($1, $2, $3, $4)', [
          seq!.id,
          BIRTH_REGISTERED,
          child.id,
          { childId: birth.childId, motherId: birth.motherId, secondParentId: birth.secondParentId, secondParentSex: birth.secondParentSex,
            dateOfBirth: birth.dateOfBirth, registeredBy: ctx.caller.actor, requestId: ctx.caller.requestId, attestation },
        ]);
        return child;
      });
    },
  },
  Citizen: {
    __resolveReference: (ref: { id: string }, ctx: Context) => ctx.loaders.citizenById.load(ref.id),
    givenName: (c: CitizenRow) => c.given_name,
    familyName: (c: CitizenRow) => c.family_name,
    dateOfBirth: (c: CitizenRow) => c.date_of_birth,
    dateOfDeath: (c: CitizenRow) => c.date_of_death,
    preferredLanguage: (c: CitizenRow) => c.preferred_language,
    residence: (c: CitizenRow) => ({ municipality: c.municipality, postalCode: c.postal_code, street: c.street_address }),
    contact: (c: CitizenRow) => ({ email: c.email, phone: c.phone }),
  },
};
