/**
 * A caseworker answers contests (GDPR art. 22(3)): the queue, each contest
 * with its offer and the facts it rests on, and the decisions uphold and
 * reject. Only the `contest-review` purpose grants these fields and
 * mutations (the gateway and the shield judge that, and audit every call);
 * the decision is recorded with the caseworker's staff id, and the person is
 * told the outcome in their inbox, signed by the board.
 */
import type { SubgraphContext } from '../kit/agency.ts';
import { badUserInput } from '../../platform/errors.ts';
import { today } from '../../platform/clock.ts';
import { recordOffer } from '../../platform/metrics.ts';
import type { BenefitsLoaders } from './loaders.ts';
import { offersStore, type ContestRow } from './offers-store.ts';
import { offerError } from './offer-resolvers.ts';
import { signPendingMessages } from './inbox-signing.ts';
import { firstPaymentDay } from './payment-schedule.ts';

type Context = SubgraphContext<BenefitsLoaders>;

const MAX_QUEUE = 100;
const MAX_REASON = 2_000;
const STATUS = { QUEUED: 'queued', IN_REVIEW: 'in_review', RESOLVED: 'resolved' } as const;
const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : null);

function staffOnly(ctx: Context): string {
  // The purpose's actors are staff; a caseworker's decision names them.
  if (ctx.caller.scope.self !== undefined || !ctx.caller.actor) throw offerError('NOT_FOUND', 'no such contest');
  return ctx.caller.actor;
}

async function openContest(ctx: Context, id: string): Promise<ContestRow> {
  const contest = await offersStore(ctx.db).contestById(id);
  if (!contest) throw offerError('NOT_FOUND', `no contest ${String(id).slice(0, 20)}`);
  if (contest.status === 'resolved') throw offerError('CONFLICT', `the contest was decided on ${day(contest.decided_at)}`);
  return contest;
}

export const contestQueries = {
  async contestQueue(_: unknown, args: { status?: keyof typeof STATUS | null; first?: number | null }, ctx: Context) {
    const first = args.first ?? 20;
    if (!Number.isInteger(first) || first < 1 || first > MAX_QUEUE) throw badUserInput(`first must be between 1 and ${MAX_QUEUE}`);
    return offersStore(ctx.db).contests(STATUS[args.status ?? 'QUEUED'], first);
  },
};

export const contestMutations = {
  async upholdContest(_: unknown, args: { id: string; note?: string | null }, ctx: Context) {
    const caseworker = staffOnly(ctx);
    const note = args.note?.trim() || null;
    if (note && note.length > MAX_REASON) throw badUserInput(`a note is at most ${MAX_REASON} characters`);
    const contest = await openContest(ctx, args.id);
    const store = offersStore(ctx.db);
    const [offer] = await store.offersById([String(contest.offer_id)]);
    const decided = await store.decideContest(contest.id, 'upheld', note, caseworker);
    if (!decided) throw offerError('CONFLICT', 'the contest was decided meanwhile');
    // An offer open when the contest was upheld is granted: enrolled as if the person had accepted it, with their receipt.
    // (One closed before it was reopened by the decision, for the person to decide again.)
    if (offer?.status === 'proposed') await store.accept(offer.id, firstPaymentDay(today()));
    await signPendingMessages(ctx.db, ctx.messageSigner, [contest.person_id]);
    if (offer) recordOffer(offer.programme_code, 'contest_upheld');
    return decided;
  },
  async rejectContest(_: unknown, args: { id: string; reason: string }, ctx: Context) {
    const caseworker = staffOnly(ctx);
    const reason = args.reason.trim();
    if (!reason || reason.length > MAX_REASON) throw badUserInput(`give the person a reason of 1-${MAX_REASON} characters`);
    const contest = await openContest(ctx, args.id);
    const decided = await offersStore(ctx.db).decideContest(contest.id, 'rejected', reason, caseworker);
    if (!decided) throw offerError('CONFLICT', 'the contest was decided meanwhile');
    await signPendingMessages(ctx.db, ctx.messageSigner, [contest.person_id]);
    const [offer] = await offersStore(ctx.db).offersById([String(contest.offer_id)]);
    if (offer) recordOffer(offer.programme_code, 'contest_rejected');
    return decided;
  },
};

export const contestTypes = {
  OfferContest: {
    id: (c: ContestRow) => String(c.id),
    offerId: (c: ContestRow) => String(c.offer_id),
    status: (c: ContestRow) => c.status.toUpperCase(),
    reference: (c: ContestRow) => c.reference ?? `contest-${c.id}`,
    citizen: (c: ContestRow) => ({ id: c.person_id }),
    offer: (c: ContestRow, _: unknown, ctx: Context) => ctx.loaders.offerById.load(String(c.offer_id)),
    contestedOn: (c: ContestRow) => day(c.created_at),
    decision: (c: ContestRow) =>
      c.outcome === null
        ? null
        : { outcome: c.outcome.toUpperCase(), reason: c.decision_reason, decidedOn: day(c.decided_at), decidedBy: c.decided_by, reference: c.decision_reference },
  },
};
