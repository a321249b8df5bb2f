import type { SubgraphContext } from '../kit/agency.ts';
import { recordBirth } from './life-event-intake.ts';
import type { FamilyLoaders, LinkRow } from './loaders.ts';

type Context = SubgraphContext<FamilyLoaders>;
type LinkLoader = FamilyLoaders[keyof Omit<FamilyLoaders, 'civilStatusById' | 'lifeEventsOf'>];

/** Other people are returned as references; their own agencies resolve their fields. */
const people = (pick: (loaders: FamilyLoaders) => LinkLoader) => async (person: { id: string }, _: unknown, ctx: Context) =>
  (await pick(ctx.loaders).load(person.id)).map((link: LinkRow) => ({ id: link.other }));

export const resolvers = {
  Mutation: { recordBirth },
  Citizen: {
    // Everyone the population register names has an answer here: no record is no relatives, never a null entity
    // (which would take the whole person out of the facts the gateway hands another agency for @requires).
    __resolveReference: async (ref: { id: string }, ctx: Context) => (await ctx.loaders.civilStatusById.load(ref.id)) ?? { id: ref.id },
    // Relatives reach here as bare references ({ id }) when this subgraph resolves them itself: load, never assume a row.
    async maritalStatus(person: { id: string }, _: unknown, ctx: Context) {
      return (await ctx.loaders.civilStatusById.load(person.id))?.marital_status.toUpperCase() ?? null;
    },
    parents: people((l) => l.parentsOf),
    children: people((l) => l.childrenOf),
    householdMembers: people((l) => l.householdOf),
    guardians: people((l) => l.guardiansOf),
    wards: people((l) => l.wardsOf),
    async partner(person: { id: string }, _: unknown, ctx: Context) {
      const [link] = await ctx.loaders.partnerOf.load(person.id);
      return link ? { id: link.other } : null;
    },
    async lifeEvents(person: { id: string }, _: unknown, ctx: Context) {
      const events = await ctx.loaders.lifeEventsOf.load(person.id);
      return events.map((event) => ({
        kind: event.kind.toUpperCase(),
        date: event.occurred_on,
        relatedCitizen: event.related_person_id ? { id: event.related_person_id } : null,
      }));
    },
  },
};
