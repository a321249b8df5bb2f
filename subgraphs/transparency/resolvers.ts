import { badUserInput } from '../../platform/errors.ts';
import type { SubgraphContext } from '../kit/agency.ts';
import { GraphQLError } from 'graphql';
import type { AccessRow, AuditRow, TransparencyLoaders } from './loaders.ts';
import { inquiryStore, type InquiryRow } from './inquiries.ts';

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
    subjects: row.subjects.map((s) => ({ citizen: { id: s.id }, fields: s.fields.map((f) => `${f.agency}:${f.field}`) })),
  };
}

export const resolvers = {
  DataAccess: {
    proof: (entry: { seq: number; subjectId: string }, _: unknown, ctx: Context) => ctx.loaders.proof.load({ seq: entry.seq, subjectId: entry.subjectId }),
  },
  Query: {
    async auditSearch(
      _: unknown,
      args: { subject?: string | null; client?: string | null; purpose?: string | null; from?: string | null; to?: string | null; first?: number | null; after?: string | null },
      ctx: Context,
    ) {
      const size = pageSize(args.first, 50);
      const rows = await ctx.loaders.search({
        subject: args.subject,
        client: args.client,
        purpose: args.purpose,
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
  Mutation: {
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
      return page(rows, size, (row: AccessRow) => {
        const fields = row.fields ?? [];
        const categories = new Set<string>();
        for (const f of fields) {
          const [type, name] = f.field.split('.');
          const category = type && name ? ctx.policy.classification[type]?.[name] : undefined;
          if (category && category !== 'public') categories.add(category);
        }
        return {
          id: String(row.seq),
          clientId: row.client,
          categories: [...categories].sort(),
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
          // For DataAccess.proof: which record, whose part of it.
          seq: Number(row.seq),
          subjectId: person.id,
        };
      });
    },
  },
};
