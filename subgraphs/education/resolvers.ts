import type { SubgraphContext } from '../kit/agency.ts';
import type { EducationLoaders, LearnerRow, StudyRow } from './loaders.ts';

type Context = SubgraphContext<EducationLoaders>;

export const resolvers = {
  Citizen: {
    // Everyone the population register names has an answer here: no studies on record is "not in education",
    // not an unknown person (a null entity would null the whole child in the facts the benefits board is handed).
    __resolveReference: (ref: { id: string }): LearnerRow => ({ id: ref.id }),
    async studies(person: LearnerRow, _: unknown, ctx: Context) {
      const rows = await ctx.loaders.studiesOf.load(person.id);
      return rows.map((row: StudyRow) => ({
        institution: { code: row.institution_code, name: row.institution_name },
        level: row.level.toUpperCase(),
        since: row.since,
        until: row.until,
      }));
    },
    inEducation: async (person: LearnerRow, _: unknown, ctx: Context) => (await ctx.loaders.studiesOf.load(person.id)).some((row) => row.current),
  },
};
