import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { checkGrant, consentState, type ConsentRecord } from '../../permissions/consent.ts';
import { badUserInput } from '../../platform/errors.ts';
import { subjectsOf } from '../../platform/audit-row.ts';
import { today } from '../../platform/clock.ts';
import type { SubgraphContext } from '../kit/agency.ts';
import type { AccessRow, AuditRow, ConsentRow, TransparencyLoaders } from './loaders.ts';
import { inquiryStore, type InquiryRow } from './inquiries.ts';
import { consentReceipt } from './receipt.ts';

type Context = SubgraphContext<TransparencyLoaders>;

const MAX_PAGE = 100;

/** Cursors are the record's sequence number, opaque to clients; it says nothing about anyone. */
const encodeCursor = (seq: number) => Buffer.from(`seq:${seq}`).toString('base64url');
function decodeCursor(after: string | null | undefined): number | null {
  if (after === null || after === undefined) return null;
  const match = /^seq:(\d{1,18})$/.exec(Buffer.from(after, 'base64url').toString('utf8'));
  if (!match) throw badUserInput('after is not a cursor this field returned');
  return Number(match[1]);
}

function pageSize(first: number | null | undefined, fallback: number): number {
  const size = first ?? fallback;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE) throw badUserInput(`first must be between 1 and ${MAX_PAGE}`);
  return size;
}

function timestamp(value: string | null | undefined, name: string): Date | null {
  if (value === null || value === undefined) return null;
  const date = new Date(value);
  if (Number.isNaN(date.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(value)) throw badUserInput(`${name} must be an ISO 8601 timestamp`);
  return date;
}

function page<R extends { seq: number }, T>(rows: R[], size: number, map: (row: R) => T) {
  const shown = rows.slice(0, size);
  return {
    entries: shown.map(map),
    records: shown.map(map),
    hasNextPage: rows.length > size,
    endCursor: shown.length ? encodeCursor(Number(shown.at(-1)!.seq)) : null,
  };
}

function categoriesOf(ctx: Context, fields: readonly string[]): string[] {
  const categories = new Set<string>();
  for (const field of fields) {
    const [type, name] = field.split('.');
    const category = type && name ? ctx.policy.classification[type]?.[name] : undefined;
    if (category && category !== 'public') categories.add(category);
  }
  return [...categories].sort();
}

/** One read of a person's data as their tracker shows it: their own part of the record only. */
function accessEntry(ctx: Context, row: AccessRow, personId: string) {
  const fields = row.fields ?? [];
  return {
    id: String(row.seq),
    clientId: row.client,
    categories: categoriesOf(ctx, fields.map((f) => f.field)),
    at: row.recorded_at.toISOString(),
    // The name the policy gives the client now; its id if it has since been removed.
    client: ctx.policy.clients[row.client]?.name ?? row.client,
    agencies: [...new Set(fields.map((f) => f.agency))].sort(),
    purpose: row.purpose,
    purposeDescription: ctx.policy.purposes[row.purpose]?.description ?? null,
    legalBasis: row.legal_basis,
    caseReference: row.case_ref,
    fields: fields.map((f) => f.field),
    byYou: row.actor === ctx.caller.actor,
    archived: row.archived,
    consentId: row.consent_id,
    // For DataAccess.proof: which record, whose part of it.
    seq: Number(row.seq),
    subjectId: personId,
  };
}

export function consentRecord(row: ConsentRow): ConsentRecord {
  return {
    id: row.id,
    subject: row.subject_id,
    grantedBy: row.granted_by,
    client: row.client,
    purpose: row.purpose,
    fields: row.fields,
    grantedAt: row.granted_at.toISOString(),
    validUntil: row.valid_until,
    revokedAt: row.revoked_at?.toISOString() ?? null,
  };
}

const STATE: Record<string, string> = { live: 'LIVE', revoked: 'REVOKED', expired: 'EXPIRED', 'policy-asks-more': 'POLICY_CHANGED', 'not-for-this-use': 'POLICY_CHANGED' };

/** Whether the signed-in person may see or withdraw this consent: theirs, given by them, or of a person they represent. */
function mayManage(ctx: Context, row: ConsentRow): boolean {
  const { actor, scope } = ctx.caller;
  return row.subject_id === actor || row.granted_by === actor || scope.represented.includes(row.subject_id);
}

/** A refused grant is the client's input: BAD_USER_INPUT, with the refusal's own name as its reason. */
function consentError(reason: string, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', reason } });
}

const MAX_QUESTION = 2000;
const MAX_ANSWER = 4000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const notFound = (message: string) => new GraphQLError(message, { extensions: { code: 'NOT_FOUND' } });

/** One audit record as the privacy officer sees it (the search, and the record a citizen asked about). */
function auditRecord(row: AuditRow, ctx: Context) {
  return {
    seq: String(row.seq),
    at: row.recorded_at.toISOString(),
    requestId: row.request_id,
    client: row.client,
    clientName: ctx.policy.clients[row.client]?.name ?? null,
    actor: row.actor,
    purpose: row.purpose,
    legalBasis: row.legal_basis,
    caseReference: row.case_ref,
    operationName: row.operation_name,
    operationHash: row.operation_hash,
    outcome: row.outcome,
    archived: row.archived,
    denials: row.denials.map((d) => (d.field ? `${d.code}:${d.field}` : d.code)),
    subjects: subjectsOf(row).map((s) => ({ citizen: { id: s.id }, fields: s.fields.map((f) => `${f.agency}:${f.field}`), consent: s.consent ?? null })),
  };
}

export const resolvers = {
  DataAccess: {
    proof: (entry: { seq: number; subjectId: string }, _: unknown, ctx: Context) => ctx.loaders.proof.load({ seq: entry.seq, subjectId: entry.subjectId }),
    async consent(entry: { consentId: string | null; subjectId: string }, _: unknown, ctx: Context) {
      if (!entry.consentId) return null;
      const row = await ctx.loaders.consentById.load(entry.consentId);
      // Only the consent of the person whose tracker this is.
      return row && row.subject_id === entry.subjectId ? row : null;
    },
  },
  Consent: {
    clientId: (row: ConsentRow) => row.client,
    client: (row: ConsentRow, _: unknown, ctx: Context) => ctx.policy.clients[row.client]?.name ?? row.client,
    purposeDescription: (row: ConsentRow) => row.purpose_description,
    legalBasis: (row: ConsentRow) => row.legal_basis,
    subjectId: (row: ConsentRow) => row.subject_id,
    grantedBy: (row: ConsentRow) => row.granted_by,
    grantedByYou: (row: ConsentRow, _: unknown, ctx: Context) => row.granted_by === ctx.caller.actor,
    categories: (row: ConsentRow, _: unknown, ctx: Context) => categoriesOf(ctx, row.fields),
    grantedAt: (row: ConsentRow) => row.granted_at.toISOString(),
    validUntil: (row: ConsentRow) => row.valid_until,
    revokedAt: (row: ConsentRow) => row.revoked_at?.toISOString() ?? null,
    // The subject's age is the identity register's: a guardian's consent ending at 18 is decided by the gateway at every read.
    state: (row: ConsentRow, _: unknown, ctx: Context) => STATE[consentState(ctx.policy, consentRecord(row), { client: row.client, purpose: row.purpose, today: today() })] ?? 'LIVE',
    receipt: (row: ConsentRow, _: unknown, ctx: Context) => JSON.stringify(consentReceipt(ctx.policy, row)),
    async reads(row: ConsentRow, args: { first?: number | null }, ctx: Context) {
      const rows = await ctx.loaders.readsUnder.load({ consentId: row.id, subjectId: row.subject_id, limit: pageSize(args.first, 10) });
      return rows.map((r) => accessEntry(ctx, r, row.subject_id));
    },
  },
  Mutation: {
    async grantConsent(_: unknown, args: { client: string; purpose: string; validUntil: string; subject?: string | null }, ctx: Context) {
      const subject = args.subject ?? ctx.caller.actor;
      const decision = checkGrant(ctx.policy, {
        client: args.client,
        purpose: args.purpose,
        validUntil: args.validUntil,
        today: today(),
        actor: ctx.caller.actor,
        subject,
        represented: ctx.caller.scope.represented,
      });
      if (!decision.ok) throw consentError(decision.reason, decision.message);
      const purpose = ctx.policy.purposes[args.purpose]!;
      return ctx.loaders.insertConsent({
        id: randomUUID(),
        subjectId: subject,
        grantedBy: ctx.caller.actor,
        client: args.client,
        purpose: args.purpose,
        fields: decision.fields,
        purposeDescription: purpose.description.replace(/\s+/g, ' ').trim(),
        legalBasis: `${purpose.legalBasis.kind}: ${purpose.legalBasis.reference.replace(/\s+/g, ' ').trim()}`,
        validUntil: args.validUntil,
      });
    },
    async revokeConsent(_: unknown, args: { id: string }, ctx: Context) {
      const row = await ctx.loaders.consentById.load(args.id);
      // Someone else's consent is as unknown as a missing one: its existence says nothing.
      if (!row || !mayManage(ctx, row)) throw new GraphQLError('no such consent of yours or of a person you represent', { extensions: { code: 'NOT_FOUND' } });
      return (await ctx.loaders.revokeConsent(row.id, ctx.caller.actor))!;
    },
    async askAboutRead(_: unknown, args: { entryId: string; question: string; about?: string | null }, ctx: Context) {
      const subject = args.about ?? ctx.caller.scope.self;
      // Only the person's own tracker, or that of someone they represent (a parent for a child).
      if (!subject || (subject !== ctx.caller.scope.self && !ctx.caller.scope.represented.includes(subject))) throw notFound('no such entry in your data tracker');
      if (!/^\d{1,18}$/.test(args.entryId)) throw notFound('no such entry in your data tracker');
      const question = args.question.trim();
      if (question.length < 1 || question.length > MAX_QUESTION) throw badUserInput(`question must be 1-${MAX_QUESTION} characters`);
      const row = await inquiryStore(ctx.db).ask(Number(args.entryId), subject, ctx.caller.actor, question);
      if (!row) throw notFound('no such entry in your data tracker');
      return row;
    },
    async answerReadInquiry(_: unknown, args: { id: string; answer: string }, ctx: Context) {
      if (!UUID.test(args.id)) throw notFound('no such question');
      const answer = args.answer.trim();
      if (answer.length < 1 || answer.length > MAX_ANSWER) throw badUserInput(`answer must be 1-${MAX_ANSWER} characters`);
      const result = await inquiryStore(ctx.db).answer(args.id.toLowerCase(), ctx.caller.actor, answer);
      if (result === 'unknown') throw notFound('no such question');
      if (result === 'answered') throw new GraphQLError('this question has been answered already', { extensions: { code: 'CONFLICT' } });
      return result;
    },
  },
  Query: {
    async auditSearch(
      _: unknown,
      args: { subject?: string | null; client?: string | null; purpose?: string | null; consent?: string | null; from?: string | null; to?: string | null; first?: number | null; after?: string | null },
      ctx: Context,
    ) {
      const size = pageSize(args.first, 50);
      const rows = await ctx.loaders.search({
        subject: args.subject,
        client: args.client,
        purpose: args.purpose,
        consent: args.consent,
        from: timestamp(args.from, 'from'),
        to: timestamp(args.to, 'to'),
        beforeSeq: decodeCursor(args.after),
        limit: size + 1,
      });
      return page(rows, size, (row: AuditRow) => auditRecord(row, ctx));
    },
    async readInquiries(_: unknown, args: { answered?: boolean | null; first?: number | null }, ctx: Context) {
      return ctx.loaders.list(args.answered ?? null, pageSize(args.first, 50));
    },
  },
  ReadInquiry: {
    entryId: (q: InquiryRow) => String(q.seq),
    askedAt: (q: InquiryRow) => q.asked_at.toISOString(),
    answeredAt: (q: InquiryRow) => q.answered_at?.toISOString() ?? null,
    citizen: (q: InquiryRow) => ({ id: q.subject_id }),
    entry: async (q: InquiryRow, _: unknown, ctx: Context) => {
      const row = await ctx.loaders.recordBySeq.load(Number(q.seq));
      return row && auditRecord(row, ctx);
    },
  },
  Citizen: {
    // Any citizen has a log (possibly empty): nothing to load to resolve the reference.
    __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
    readInquiries: (person: { id: string }, _: unknown, ctx: Context) => ctx.loaders.inquiriesOf.load(person.id),
    async dataAccessLog(person: { id: string }, args: { first?: number | null; after?: string | null; excludeOwnReads?: boolean | null }, ctx: Context) {
      const size = pageSize(args.first, 20);
      const rows = await ctx.loaders.accessLog.load({
        subjectId: person.id,
        limit: size + 1,
        beforeSeq: decodeCursor(args.after),
        excludeActor: args.excludeOwnReads ? ctx.caller.actor : null,
      });
      return page(rows, size, (row: AccessRow) => accessEntry(ctx, row, person.id));
    },
    consents: (person: { id: string }, _: unknown, ctx: Context) => ctx.loaders.consentsOf.load(person.id),
  },
};
