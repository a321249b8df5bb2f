import { useTranslation } from '../../i18n/index.ts';
import { Facts, Loading, Problems, Section, Unavailable, fullName, useFormats } from '../../shared/ui.tsx';
import { PERSONAL, type PersonalView, type Subject } from '../queries.ts';
import { usePanel } from '../usePanel.ts';

export function PersonalDataPanel({ subject }: { subject: Subject }) {
  const { t } = useTranslation();
  const { date } = useFormats();
  const { person: c, loading, problems, unavailable } = usePanel<PersonalView>(PERSONAL, subject);
  const address = c?.residence && [c.residence.street, c.residence.postalCode, c.residence.municipality].filter(Boolean).join(', ');
  return (
    <Section title={t('personal.title')} className="personal" source={t('messages:agency.identity')}>
      {unavailable.length > 0 ? (
        <Unavailable agencies={unavailable} />
      ) : (
        <>
          <Problems problems={problems} title={t('problems.panel')} />
          {loading && !c && <Loading what={t('personal.loading')} />}
          {c && (
            <Facts
              items={[
                [t('personal.name'), fullName(c)],
                [t('personal.code'), <code key="id">{c.id}</code>],
                [t('personal.born'), date(c.dateOfBirth)],
                [t('personal.citizenship'), c.citizenship ? t(`country.${c.citizenship}`, { defaultValue: c.citizenship }) : undefined],
                [t('personal.address'), address || undefined],
                [t('personal.email'), c.contact?.email],
                [t('personal.phone'), c.contact?.phone],
                [t('personal.language'), c.preferredLanguage ? t(`languageName.${c.preferredLanguage}`, { defaultValue: c.preferredLanguage }) : undefined],
              ]}
            />
          )}
        </>
      )}
    </Section>
  );
}
