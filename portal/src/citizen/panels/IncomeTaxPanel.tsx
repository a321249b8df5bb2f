import { Facts, Section, date, humanize, money } from '../../shared/ui.tsx';
import type { CitizenView } from '../queries.ts';

export function IncomeTaxPanel({ citizen: c }: { citizen: CitizenView }) {
  const latest = [...(c.taxAssessments ?? [])].sort((a, b) => b.year - a.year)[0];
  const currentJobs = (c.employments ?? []).filter((e) => !e.until);
  return (
    <Section title="Income and tax" className="income">
      <p className="source">Tax and Customs Board</p>
      <Facts
        items={[
          ['Taxable income last year', money(c.annualIncome)],
          ['Insured years (pension)', c.insuredYears?.toString()],
          ['Tax residency', c.taxResidency ? `${humanize(c.taxResidency.status)}, ${c.taxResidency.country}` : undefined],
          ['Employer', currentJobs.length ? currentJobs.map((e) => e.employer.name).join(', ') : 'none'],
        ]}
      />
      {latest ? (
        <div className="assessment">
          <h3>Tax assessment {latest.year}</h3>
          <p>
            Assessed {money(latest.assessedTax)}, withheld {money(latest.withheldTax)}:{' '}
            <strong>{latest.balance >= 0 ? `refund of ${money(latest.balance)}` : `${money(-latest.balance)} to pay`}</strong>{' '}
            <span className="muted">(assessed {date(latest.assessedOn)})</span>
          </p>
        </div>
      ) : (
        <p className="muted">No tax assessment.</p>
      )}
    </Section>
  );
}
