import { Facts, Section, date, fullName, humanize } from '../../shared/ui.tsx';
import type { CitizenView, WardSummary } from '../queries.ts';

/**
 * Family links come as personal codes: the portal may show names and more only
 * for the people the citizen represents (their wards), not for a spouse or an adult child.
 */
export function FamilyPanel({ citizen: c, wards }: { citizen: CitizenView; wards: WardSummary[] }) {
  const wardById = new Map(wards.map((w) => [w.id, w]));
  const others = (refs: { id: string }[] | null) => (refs?.length ? refs.map((r) => r.id).join(', ') : 'none recorded');
  return (
    <Section title="Family" className="family">
      <p className="source">Family register</p>
      <Facts
        items={[
          ['Marital status', c.maritalStatus ? humanize(c.maritalStatus) : undefined],
          ['Partner (personal code)', c.partner?.id ?? 'none recorded'],
          ['Parents (personal codes)', others(c.parents)],
          ['Guardians (personal codes)', others(c.guardians)],
        ]}
      />
      <h3>Children</h3>
      {c.children?.length ? (
        <ul className="people">
          {c.children.map((child) => {
            const ward = wardById.get(child.id);
            return (
              <li key={child.id}>
                {ward ? (
                  <>
                    <a href={`/?actingFor=${encodeURIComponent(ward.id)}`} className="person-link" data-ward={ward.id}>
                      {fullName(ward)}
                    </a>{' '}
                    <span className="muted">born {date(ward.dateOfBirth)}</span> <span className="badge">you represent</span>
                  </>
                ) : (
                  <>
                    <code>{child.id}</code> <span className="muted">(adult or not represented by you)</span>
                  </>
                )}
              </li>
            );
          })}
        </ul>
      ) : (
        <p className="muted">No children recorded.</p>
      )}
      {wards.some((w) => !c.children?.some((child) => child.id === w.id)) && (
        <>
          <h3>Other people you represent</h3>
          <ul className="people">
            {wards
              .filter((w) => !c.children?.some((child) => child.id === w.id))
              .map((w) => (
                <li key={w.id}>
                  <a href={`/?actingFor=${encodeURIComponent(w.id)}`}>{fullName(w)}</a>
                </li>
              ))}
          </ul>
        </>
      )}
    </Section>
  );
}
