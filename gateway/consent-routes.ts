/**
 * GET /portal/consent-request: what a partner's redirect to the consent page
 * asks for (`?client=&purpose=&return=`), checked against the policy
 * (permissions/consent.ts consentRequest) before the page shows anything or
 * the person signs in. Policy text only, no personal data: no token needed,
 * as the person has not signed in yet when the page opens.
 */
import type { Express } from 'express';
import { consentRequest, MAX_CONSENT_DAYS } from '../permissions/consent.ts';
import type { Policy } from '../permissions/model.ts';

const MESSAGES = {
  UNKNOWN_CLIENT: 'no such partner is registered',
  NOT_CONSENT_BASED: 'this partner does not ask for consent for this purpose',
  RETURN_URL_NOT_REGISTERED: 'the return address is not one the partner registered',
} as const;

export function mountConsentRoutes(app: Express, policy: Policy): void {
  app.get('/portal/consent-request', (req, res) => {
    const text = (name: string) => (typeof req.query[name] === 'string' ? (req.query[name] as string).slice(0, 2_000) : '');
    const answer = consentRequest(policy, text('client'), text('purpose'), text('return'));
    res.setHeader('cache-control', 'no-store');
    if (!answer.ok) {
      res.status(400).json({ errors: [{ message: MESSAGES[answer.reason], extensions: { code: 'BAD_USER_INPUT', reason: answer.reason } }] });
      return;
    }
    res.json({ ...answer.request, maxDays: MAX_CONSENT_DAYS });
  });
}
