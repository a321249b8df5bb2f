import { Section, date, humanize, money } from '../../shared/ui.tsx';
import type { CitizenView } from '../queries.ts';

export function BenefitsPanel({ citizen: c }: { citizen: CitizenView }) {
  const enrolments = c.benefitEnrollments ?? [];
  return (
    <Section title="Benefits" className="benefits">
      <p className="source">Social Insurance Board</p>
      {enrolments.length === 0 ? (
        <p className="muted">No benefits.</p>
      ) : (
        <ul className="enrolments" aria-label="Benefit enrolments">
          {enrolments.map((e) => (
            <li key={e.id} data-programme={e.programme.code}>
              <span className="enrolment-name">{e.programme.name}</span>{' '}
              <span className={`badge status-${e.status.toLowerCase()}`}>{humanize(e.status)}</span>
              <br />
              <span className="muted">
                since {date(e.since)}
                {e.until ? `, until ${date(e.until)}` : ''}
                {e.monthlyAmount ? ` · ${money(e.monthlyAmount)} a month` : ''}
              </span>
            </li>
          ))}
        </ul>
      )}
      {c.benefitPayments?.length ? (
        <details>
          <summary>Latest payments</summary>
          <table>
            <caption className="visually-hidden">Latest benefit payments</caption>
            <thead>
              <tr>
                <th scope="col">Paid on</th>
                <th scope="col">Benefit</th>
                <th scope="col" className="num">
                  Amount
                </th>
              </tr>
            </thead>
            <tbody>
              {c.benefitPayments.map((p) => (
                <tr key={p.id}>
                  <td>{date(p.paidOn)}</td>
                  <td>{p.programme.name}</td>
                  <td className="num">{money(p.amount)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      ) : null}
    </Section>
  );
}
