/**
 * Proactive offers in the graph: the engine's mutations (recording findings,
 * batch runs) and the citizen's (accept, decline/object, contest, opt out,
 * inbox). Citizens act only on their own offers and those of the people they
 * represent (the signed context's scope); anyone else's offer is "not found".
 */
import { GraphQLError } from 'graphql';
import type { SubgraphContext } from '../kit/agency.ts';
import { badUserInput } from '../../platform/errors.ts';
import type { BenefitsLoaders, BeneficiaryRow } from './loaders.ts';
import { recordOffer } from '../../platform/metrics.ts';
import { today } from '../../platform/clock.ts';
import { offersStore, type InboxRow, type OfferRow, type PageFinding, type RunRow, type StoredFact } from './offers-store.ts';
import { amountOf, lawOf, nextStepsOf } from './explain.ts';
import { signPendingMessages } from './inbox-signing.ts';
import { firstPaymentDay } from './payment-schedule.ts';
import { termsOf } from './rules/index.ts';
import { sealOf } from './findings-seal.ts';

type Context = SubgraphContext<BenefitsLoaders>;

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9:._-]{2,99}$/;
const PERSON_ID = /^\d{11}$/;
const AGENCIES = new Set(['identity', 'tax', 'family', 'benefits', 'education']);
const MAX_PAGE = 20_000;
const MAX_REASON = 2_000;

const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : null);

/** The kit's stable codes: NOT_FOUND (not yours, or no such), CONFLICT (already decided, period over). */
export function offerError(code: 'NOT_FOUND' | 'CONFLICT', message: string) {
  return new GraphQLError(message, { extensions: { code } });
}

/** Whose offers the caller may act on: themselves and the people they represent. */
function people(ctx: Context): string[] {
  const { self, represented } = ctx.caller.scope;
  return [...(self ? [self] : []), ...represented];
}

export async function ownOffer(ctx: Context, id: string): Promise<OfferRow> {
  const offer = await offersStore(ctx.db).offerOf(id, people(ctx));
  if (!offer) throw offerError('NOT_FOUND', `no offer ${String(id).slice(0, 20)} of yours`);
  return offer;
}

function run(row: RunRow) {
  return { id: row.id, resumeAfter: row.checkpoint, checkpointPage: row.checkpoint_page, evaluated: row.evaluated, finished: row.finished_at !== null };
}

interface FindingInput {
  citizenId: string;
  programme: string;
  occasion: string;
  amount?: number | null;
  facts: { agency: string; field: string; value: string; key?: string | null; params?: unknown }[];
  child?: string | null;
  sharedWith?: string[] | null;
}

const MESSAGE_KEY = /^[a-z][A-Za-z0-9]*(\.[A-Za-z0-9]+){1,4}$/;
const MAX_PARAMS_BYTES = 2_000;

/** A fact's message: a catalogue key and a small flat object of plain values (or lists of them). */
function validMessage(key: string | null | undefined, params: unknown): Pick<StoredFact, 'key' | 'params'> {
  if (key === null || key === undefined) return {};
  if (!MESSAGE_KEY.test(key)) throw badUserInput('a fact key is a dotted message key such as fact.childBorn');
  const value = params ?? {};
  const plain = (v: unknown) => ['string', 'number', 'boolean'].includes(typeof v);
  if (typeof value !== 'object' || Array.isArray(value) || !Object.values(value).every((v) => plain(v) || (Array.isArray(v) && v.every(plain)))) {
    throw badUserInput('fact params are an object of strings, numbers, booleans or lists of them');
  }
  if (JSON.stringify(value).length > MAX_PARAMS_BYTES) throw badUserInput(`fact params are at most ${MAX_PARAMS_BYTES} characters`);
  return { key, params: value as Record<string, unknown> };
}

function validFinding(input: FindingInput, on: string): PageFinding {
  const terms = termsOf(input.programme, on);
  if (!terms) throw badUserInput(`unknown programme ${input.programme.slice(0, 40)}`);
  if (!PERSON_ID.test(input.citizenId)) throw badUserInput('citizenId must be a personal code');
  if (!input.occasion || input.occasion.length > 100) throw badUserInput('occasion must be 1-100 characters');
  if (input.amount != null && !(Number.isFinite(input.amount) && input.amount >= 0 && input.amount < 1e7)) throw badUserInput('amount must be a non-negative number of euros');
  if (input.facts.length > 20) throw badUserInput('at most 20 facts per finding');
  for (const fact of input.facts) {
    if (!AGENCIES.has(fact.agency) || !/^[A-Z]\w*\.\w+$/.test(fact.field) || fact.value.length > 500) throw badUserInput('a fact names an agency, a field Type.field and a value of at most 500 characters');
  }
  if (input.child != null && !PERSON_ID.test(input.child)) throw badUserInput('child must be a personal code');
  const sharedWith = input.sharedWith ?? [];
  if (sharedWith.length > 3 || !sharedWith.every((id) => PERSON_ID.test(id) && id !== input.citizenId)) throw badUserInput('sharedWith lists at most 3 other personal codes');
  if (sharedWith.length && input.child == null) throw badUserInput('only a per-child finding (with child) is shared');
  return {
    personId: input.citizenId,
    programme: input.programme,
    occasion: input.occasion,
    amount: input.amount ?? null,
    facts: input.facts.map(({ agency, field, value, key, params }) => ({ agency, field, value, ...validMessage(key, params) })),
    automatic: terms.grant === 'automatic',
    objectionDays: terms.objectionDays,
    rule: terms.rule,
    legalSource: terms.source,
    child: input.child ?? null,
    sharedWith,
  };
}

export const offerMutations = {
  async startEvaluationRun(_: unknown, args: { id: string }, ctx: Context) {
    if (!RUN_ID.test(args.id)) throw badUserInput('a run id is 3-100 letters, digits or : . _ -');
    return run(await offersStore(ctx.db).startRun(args.id));
  },
  async finishEvaluationRun(_: unknown, args: { id: string }, ctx: Context) {
    const row = await offersStore(ctx.db).finishRun(args.id);
    if (!row) throw badUserInput(`no evaluation run ${args.id.slice(0, 100)}`);
    return run(row);
  },
  async recordEligibility(
    _: unknown,
    { input }: { input: { runId: string; evaluated: string[]; sealed: string[]; checkpoint?: { page: number; after?: string | null } | null } },
    ctx: Context,
  ) {
    if (!RUN_ID.test(input.runId)) throw badUserInput('a run id is 3-100 letters, digits or : . _ -');
    if (input.evaluated.length > MAX_PAGE || input.sealed.length > MAX_PAGE) throw badUserInput(`at most ${MAX_PAGE} citizens per page`);
    if (!input.evaluated.every((id) => PERSON_ID.test(id))) throw badUserInput('evaluated must be personal codes');
    const on = today();
    // Only what the board found and sealed today is recorded: each evaluated citizen once, with their own seal beside them.
    if (new Set(input.evaluated).size !== input.evaluated.length || input.sealed.length !== input.evaluated.length) {
      throw badUserInput('give each evaluated citizen once, with their sealed eligibility at the same position in sealed');
    }
    const seal = await sealOf(ctx.db);
    const findings = input.evaluated.flatMap((citizenId, i) => seal.open(input.sealed[i]!, citizenId, on).map((f) => validFinding({ ...f, citizenId }, on)));
    if (input.checkpoint && (!Number.isInteger(input.checkpoint.page) || input.checkpoint.page < 0)) throw badUserInput('checkpoint.page must be a page number');
    const counts = await offersStore(ctx.db).recordPage({
      runId: input.runId,
      evaluated: input.evaluated,
      findings,
      checkpoint: input.checkpoint ? { page: input.checkpoint.page, after: input.checkpoint.after ?? null } : undefined,
    });
    await signPendingMessages(ctx.db, ctx.messageSigner, [...new Set(findings.map((f) => f.personId))]);
    const total = { proposed: 0, grantedAutomatically: 0, updated: 0, expired: 0 };
    for (const c of counts) {
      recordOffer(c.programme_code, c.outcome, c.n);
      total[c.outcome === 'granted_automatically' ? 'grantedAutomatically' : c.outcome] += c.n;
    }
    return total;
  },

  async acceptOffer(_: unknown, args: { id: string }, ctx: Context) {
    const offer = await ownOffer(ctx, args.id);
    if (offer.status !== 'proposed') throw offerError('CONFLICT', `the offer is ${offer.status.replace('_', ' ')}, not open for acceptance`);
    const accepted = await offersStore(ctx.db).accept(offer.id, firstPaymentDay(today()));
    if (!accepted) throw offerError('CONFLICT', 'the offer was decided meanwhile');
    await signPendingMessages(ctx.db, ctx.messageSigner, [offer.person_id]);
    recordOffer(offer.programme_code, 'accepted');
    return accepted;
  },
  async declineOffer(_: unknown, args: { id: string }, ctx: Context) {
    const offer = await ownOffer(ctx, args.id);
    const store = offersStore(ctx.db);
    if (offer.status === 'proposed') {
      const declined = await store.decline(offer.id);
      if (!declined) throw offerError('CONFLICT', 'the offer was decided meanwhile');
      await signPendingMessages(ctx.db, ctx.messageSigner, [offer.person_id]);
      recordOffer(offer.programme_code, 'declined');
      return declined;
    }
    if (offer.status === 'granted_automatically') {
      const objected = await store.object(offer.id);
      if (!objected) throw offerError('CONFLICT', `the objection period ended on ${offer.objection_deadline}`);
      await signPendingMessages(ctx.db, ctx.messageSigner, [offer.person_id]);
      recordOffer(offer.programme_code, 'objected');
      return objected;
    }
    throw offerError('CONFLICT', `the offer is ${offer.status.replace('_', ' ')}; nothing to decline`);
  },
  async contestOffer(_: unknown, args: { id: string; reason: string }, ctx: Context) {
    const reason = args.reason.trim();
    if (!reason || reason.length > MAX_REASON) throw badUserInput(`give a reason of 1-${MAX_REASON} characters`);
    const offer = await ownOffer(ctx, args.id);
    const contest = await offersStore(ctx.db).contest(offer.id, offer.person_id, ctx.caller.actor, reason);
    await signPendingMessages(ctx.db, ctx.messageSigner, [offer.person_id]);
    recordOffer(offer.programme_code, 'contested');
    return contest;
  },
  async chooseOfferRecipient(_: unknown, args: { id: string; recipient: string }, ctx: Context) {
    const offer = await ownOffer(ctx, args.id);
    const parties = [offer.person_id, ...offer.shared_with];
    if (offer.child_id === null) throw offerError('CONFLICT', 'only a birth grant lets the parents choose who receives it');
    if (offer.status !== 'proposed') throw offerError('CONFLICT', `the offer is ${offer.status.replace('_', ' ')}, not open`);
    if (!parties.includes(args.recipient)) throw badUserInput('the recipient is one of the child\'s parents named on the offer');
    // The chooser: the signed-in parent (or the parent they represent who is a party to the offer).
    const chooser = people(ctx).find((p) => parties.includes(p))!;
    const chosen = await offersStore(ctx.db).chooseRecipient(offer.id, args.recipient, chooser);
    if (!chosen) throw offerError('CONFLICT', 'the offer was decided meanwhile');
    await signPendingMessages(ctx.db, ctx.messageSigner, [chooser]);
    recordOffer(offer.programme_code, 'recipient_chosen');
    return chosen;
  },
  async withdrawOffer(_: unknown, args: { id: string }, ctx: Context) {
    const offer = await ownOffer(ctx, args.id);
    if (offer.status !== 'proposed') throw offerError('CONFLICT', `the offer is ${offer.status.replace('_', ' ')}, not open`);
    const withdrawn = await offersStore(ctx.db).withdraw(offer.id);
    if (!withdrawn) throw offerError('CONFLICT', 'the offer was decided meanwhile');
    await signPendingMessages(ctx.db, ctx.messageSigner, [offer.person_id]);
    recordOffer(offer.programme_code, 'withdrawn');
    return withdrawn;
  },
  async setProactivePreference(_: unknown, args: { optOut: boolean }, ctx: Context) {
    const self = ctx.caller.scope.self;
    if (!self) throw badUserInput('only a signed-in citizen sets their own preference');
    const { reference } = await offersStore(ctx.db).setOptOut(self, args.optOut);
    await signPendingMessages(ctx.db, ctx.messageSigner, [self]);
    return { optOut: args.optOut, reference };
  },
  async setNotificationPreference(_: unknown, args: { channel: 'PORTAL' | 'EMAIL' | 'POST' }, ctx: Context) {
    const self = ctx.caller.scope.self;
    if (!self) throw badUserInput('only a signed-in citizen sets their own preference');
    const channel = ({ PORTAL: 'portal', EMAIL: 'email', POST: 'post' } as const)[args.channel];
    await offersStore(ctx.db).setNotificationChannel(self, channel);
    return { channel: args.channel };
  },
  async markInboxMessageRead(_: unknown, args: { id: string }, ctx: Context) {
    const row = await offersStore(ctx.db).markRead(args.id, people(ctx));
    if (!row) throw new GraphQLError(`no message ${String(args.id).slice(0, 20)} of yours`, { extensions: { code: 'NOT_FOUND' } });
    return row;
  },
};

export const offerTypes = {
  ProactiveOffer: {
    id: (o: OfferRow) => String(o.id),
    programme: (o: OfferRow, _: unknown, ctx: Context) => ctx.loaders.programmeByCode.load(o.programme_code),
    status: (o: OfferRow) => o.status.toUpperCase(),
    offeredOn: (o: OfferRow) => day(o.created_at),
    decidedOn: (o: OfferRow) => day(o.decided_at),
    objectionDeadline: (o: OfferRow) => o.objection_deadline,
    explanation: async (o: OfferRow, _: unknown, ctx: Context) => {
      const programme = await ctx.loaders.programmeByCode.load(o.programme_code);
      const kind = programme?.kind ?? 'monthly';
      return {
        rule: o.rule,
        legalSource: o.legal_source,
        automatic: o.status === 'granted_automatically' || o.status === 'objected',
        facts: o.facts,
        law: lawOf(o.programme_code),
        amount: amountOf(o, kind),
        nextSteps: nextStepsOf(o, kind, today()),
      };
    },
    reference: (o: OfferRow) => o.reference,
    child: (o: OfferRow) => o.child_id,
    recipient: (o: OfferRow) => o.recipient_id ?? o.person_id,
    decidedBy: (o: OfferRow) => (o.child_id === null ? [o.person_id] : [o.person_id, ...o.shared_with]),
  },
  OfferFact: {
    message: (f: StoredFact) => (f.key ? { key: f.key, params: f.params ?? {} } : null),
  },
  InboxMessage: {
    id: (m: InboxRow) => String(m.id),
    message: (m: InboxRow) => ({ key: m.message_key, params: m.params }),
    receivedOn: (m: InboxRow) => day(m.created_at),
    read: (m: InboxRow) => m.read_at !== null,
    offerId: (m: InboxRow) => (m.offer_id === null ? null : String(m.offer_id)),
    sentByPostOn: (m: InboxRow) => m.posted_on,
    emailedOn: (m: InboxRow) => m.emailed_on,
  },
};

export const offerCitizenFields = {
  proactiveOffers: (person: BeneficiaryRow, _: unknown, ctx: Context) => ctx.loaders.offersOf.load(person.id),
  inbox: (person: BeneficiaryRow, _: unknown, ctx: Context) => ctx.loaders.inboxOf.load(person.id),
  birthGrantGranted: async (person: BeneficiaryRow, _: unknown, ctx: Context) => (await ctx.loaders.birthGrantFor.load(person.id)) !== null,
  proactivePreference: (person: BeneficiaryRow) => ({ optOut: person.proactive_opt_out, reference: null }),
  notificationPreference: (person: BeneficiaryRow) => ({ channel: person.notification_channel.toUpperCase() }),
};
