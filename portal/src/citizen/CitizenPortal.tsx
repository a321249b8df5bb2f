/**
 * The citizen portal: sign-in, then one view of the person across agencies
 * (each panel its own query, SignedInPortal.tsx). The sign-in page is what a
 * person on a slow line waits for, so it carries no GraphQL client: the
 * signed-in part loads after sign-in (and is fetched ahead while the person
 * chooses). Client `citizen-portal`, purpose `self-service`. Estonian by default.
 */
import { Suspense, lazy, useEffect } from 'react';
import { useTranslation } from '../i18n/index.ts';
import { SignIn } from '../shared/SignIn.tsx';
import { SessionEnding, SignedOut, useSessionLifecycle } from '../shared/session-lifecycle.tsx';
import { Frame, Loading } from '../shared/ui.tsx';

export const PORTAL_CLIENT = 'citizen-portal';

const loadSignedIn = () => import('./SignedInPortal.tsx');
const SignedInPortal = lazy(loadSignedIn);

export default function CitizenPortal() {
  const { t } = useTranslation();
  const { session, state, secondsLeft, extend, signOut: endSession, signInAgain } = useSessionLifecycle('portal');
  // While the person picks how to sign in, fetch the rest of the portal.
  useEffect(() => {
    const idle = setTimeout(() => void loadSignedIn(), 200);
    return () => clearTimeout(idle);
  }, []);

  const signOut = () => {
    history.replaceState(null, '', '/');
    endSession();
  };

  if (state === 'expired') {
    return (
      <Frame title={t('portal.name')} documentTitle={t('session.signedOutHeading')}>
        <SignedOut onSignInAgain={signInAgain} />
      </Frame>
    );
  }
  if (!session) {
    return (
      <Frame title={t('portal.name')} documentTitle={t('portal.signInTitle')}>
        <SignIn
          heading={t('portal.signInHeading')}
          intro={t('portal.signInIntro')}
          client={PORTAL_CLIENT}
          app="portal"
        />
      </Frame>
    );
  }
  return (
    <>
      {state === 'ending' && <SessionEnding secondsLeft={secondsLeft} onExtend={extend} />}
      <Suspense fallback={<Loading what={t('portal.loadingData')} />}>
        <SignedInPortal session={session} onSignOut={signOut} />
      </Suspense>
    </>
  );
}
