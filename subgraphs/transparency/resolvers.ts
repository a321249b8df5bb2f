import { badUserInput } from '../../platform/errors.ts';
import type { SubgraphContext } from '../kit/agency.ts';
import type { AccessRow, AuditRow, TransparencyLoaders } from './loaders.ts';

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
      return page(rows, size, (row: AuditRow) => ({
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
      }));
    },
  },
  Citizen: {
    // Any citizen has a log (possibly empty): nothing to load to resolve the reference.
    __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
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
