import { z } from 'zod';
import { addMonths, addYears, isAlive, receiving } from './common.ts';
import type { Fact, Rule } from './types.ts';

const params = z.strictObject({
  pensionAge: z.number().int().positive(),
  offerMonthsBefore: z.number().int().nonnegative(),
  minInsuredYears: z.number().int().nonnegative(),
});

/** Offered a year before pension age to people with enough insured years who do not receive it yet. */
export const oldAgePension: Rule<z.infer<typeof params>> = {
  programme: 'old-age-pension',
  grant: 'offer',
  law: { country: 'EE', act: 'statePensionInsuranceAct', section: '7', modelled: false },
  params,
  needs: ['Citizen.id', 'Citizen.dateOfBirth', 'Citizen.dateOfDeath', 'Citizen.insuredYears', 'Citizen.benefitEnrollments', 'Enrollment.programme', 'Enrollment.status', 'Programme.code'],
  evaluate(facts, p, today) {
    if (!isAlive(facts) || !facts.dateOfBirth || (facts.insuredYears ?? 0) < p.minInsuredYears) return [];
    const pensionDay = addYears(facts.dateOfBirth, p.pensionAge);
    if (today < addMonths(pensionDay, -p.offerMonthsBefore)) return [];
    if (receiving(facts.enrolments, 'old-age-pension') !== null) return [];
    return [{
      programme: 'old-age-pension',
      occasion: `pension-age:${pensionDay}`,
      // The amount is calculated from the whole insurance record when the pension is granted.
      amount: null,
      facts: <Fact[]>[
        { agency: 'identity', field: 'Citizen.dateOfBirth', value: `reaches pension age ${p.pensionAge} on ${pensionDay}`, key: 'fact.reachesPensionAge', params: { age: p.pensionAge, on: pensionDay } },
        { agency: 'tax', field: 'Citizen.insuredYears', value: `at least ${p.minInsuredYears} insured years`, key: 'fact.insuredYearsAtLeast', params: { count: p.minInsuredYears } },
        { agency: 'benefits', field: 'Citizen.benefitEnrollments', value: 'not receiving old-age pension', key: 'fact.notReceiving', params: { programme: 'old-age-pension' } },
      ],
    }];
  },
};
