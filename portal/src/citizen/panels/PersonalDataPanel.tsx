import { Facts, Section, date, fullName } from '../../shared/ui.tsx';
import type { CitizenView } from '../queries.ts';

export function PersonalDataPanel({ citizen: c }: { citizen: CitizenView }) {
  const address = c.residence && [c.residence.street, c.residence.postalCode, c.residence.municipality].filter(Boolean).join(', ');
  return (
    <Section title="Personal data" className="personal">
      <p className="source">Population register</p>
      <Facts
        items={[
          ['Name', fullName(c)],
          ['Personal code', <code key="id">{c.id}</code>],
          ['Date of birth', date(c.dateOfBirth)],
          ['Citizenship', c.citizenship],
          ['Address', address || undefined],
          ['E-mail', c.contact?.email],
          ['Phone', c.contact?.phone],
          ['Preferred language', c.preferredLanguage],
        ]}
      />
    </Section>
  );
}
