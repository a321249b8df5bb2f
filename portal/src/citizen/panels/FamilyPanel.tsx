import { useTranslation } from '../../i18n/index.ts';
import { Facts, Loading, Problems, Section, Unavailable, fullName, useFormats } from '../../shared/ui.tsx';
import { FAMILY, type FamilyView, type Subject, type WardSummary } from '../queries.ts';
import { usePanel } from '../usePanel.ts';

/**
 * Family links come as personal codes: the portal may show names and more only
 * for the people the citizen represents (their wards), not for a spouse or an adult child.
 */
export function FamilyPanel({ subject, wards }: { subject: Subject; wards: WardSummary[] }) {
  const { t } = useTranslation();
  const { date } = useFormats();
  const { person: c, loading, problems, unavailable } = usePanel<FamilyView>(FAMILY, subject);
  const wardById = new Map(wards.map((w) => [w.id, w]));
  const codes = (refs: { id: string }[] | null | undefined) => (refs?.length ? refs.map((r) => r.id).join(', ') : t('family.noneRecorded'));
  return (
    <Section title={t('family.title')} className="family" source={t('messages:agency.family')}>
      {unavailable.length > 0 ? (
        <Unavailable agencies={unavailable} />
      ) : (
        <>
          <Problems problems={problems} title={t('problems.panel')} />
          {loading && !c && <Loading what={t('family.loading')} />}
          {c && (
            <>
              <Facts
                items={[
                  [t('family.maritalStatus'), c.maritalStatus ? t(`marital.${c.maritalStatus}`, { defaultValue: c.maritalStatus }) : undefined],
                  [t('family.partner'), c.partner?.id ?? t('family.noneRecorded')],
                  [t('family.parents'), codes(c.parents)],
                  [t('family.guardians'), codes(c.guardians)],
                ]}
              />
              <h3>{t('family.children')}</h3>
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
                            <span className="muted">{t('family.bornOn', { date: date(ward.dateOfBirth) })}</span> <span className="badge">{t('family.youRepresent')}</span>
                          </>
                        ) : (
                          <>
                            <code>{child.id}</code> <span className="muted">{t('family.notRepresented')}</span>
                          </>
                        )}
                      </li>
                    );
                  })}
                </ul>
              ) : (
                <p className="muted">{t('family.noChildren')}</p>
              )}
            </>
          )}
        </>
      )}
    </Section>
  );
}
