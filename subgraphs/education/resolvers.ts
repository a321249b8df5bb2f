import type { SubgraphContext } from '../kit/agency.ts';
import type { EducationLoaders, LearnerRow, StudyRow } from './loaders.ts';

type Context = SubgraphContext<EducationLoaders>;

export const resolvers = {
  Citizen: {
    __resolveReference: (ref: { id: string }, ctx: Context) => ctx.loaders.learnerById.load(ref.id),
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
