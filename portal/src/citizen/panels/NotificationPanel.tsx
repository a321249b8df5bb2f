/** How the board's messages reach the citizen: the portal only, the portal and e-mail, or paper letters. */
import { gql } from '@apollo/client';
import { useMutation, useQuery } from '@apollo/client/react';
import { useId, useState } from 'react';
import { useTranslation } from '../../i18n/index.ts';
import { describeErrors, unavailableAgencies } from '../../shared/errors.ts';
import { dataOf } from '../../shared/graphql.ts';
import { Problems, Section, Unavailable, useFocusOnShow } from '../../shared/ui.tsx';

const PREFERENCE = gql`
  query PortalNotificationPreference {
    me {
      id
      notificationPreference {
        channel
      }
    }
  }
`;
const SET = gql`
  mutation PortalSetNotificationPreference($channel: NotificationChannel!) {
    setNotificationPreference(channel: $channel) {
      channel
    }
  }
`;

type Channel = 'PORTAL' | 'EMAIL' | 'POST';
const CHANNELS: Channel[] = ['PORTAL', 'EMAIL', 'POST'];

export function NotificationPanel() {
  const { t } = useTranslation();
  const legend = useId();
  const result = useQuery(PREFERENCE);
  const current = dataOf<{ me: { notificationPreference: { channel: Channel } | null } | null }>(result)?.me?.notificationPreference?.channel;
  const [chosen, setChosen] = useState<Channel>();
  const [save, saving] = useMutation(SET, { refetchQueries: ['PortalNotificationPreference'], awaitRefetchQueries: true });
  const [saved, setSaved] = useState<Channel>();
  const ref = useFocusOnShow<HTMLParagraphElement>(saved);
  const problems = describeErrors(result.error);
  const unavailable = unavailableAgencies(problems);
  const value = chosen ?? current ?? 'PORTAL';
  return (
    <Section title={t('notify.title')} className="notify">
      {unavailable.length > 0 ? (
        <Unavailable agencies={unavailable} />
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void save({ variables: { channel: value } }).then((r) => r.data && setSaved(value));
          }}
        >
          <fieldset aria-describedby={legend}>
            <legend>{t('notify.legend')}</legend>
            <p id={legend} className="muted small-text">
              {t('notify.help')}
            </p>
            {CHANNELS.map((c) => (
              <div className="inline-field" key={c}>
                <input type="radio" id={`channel-${c}`} name="channel" value={c} checked={value === c} onChange={() => setChosen(c)} />
                <label htmlFor={`channel-${c}`}>{t(`notify.channel.${c}`)}</label>
              </div>
            ))}
          </fieldset>
          <button type="submit" disabled={saving.loading}>
            {t('notify.save')}
          </button>
          {saved && (
            <p ref={ref} tabIndex={-1} role="status" className="ok">
              {t('notify.saved', { channel: t(`notify.channel.${saved}`) })}
            </p>
          )}
          <Problems problems={[...problems, ...describeErrors(saving.error)]} title={t('notify.notSaved')} />
        </form>
      )}
    </Section>
  );
}
