/**
 * POST /dev/token {"sub", "client", "acr"?} -> {"token"}: a shortcut to a
 * token of the development identity provider (same issuer, same keys as its
 * sign-in), for scripts, tests and the README's curl examples. The provider
 * checks the request and mints the token; this route only passes it on.
 * Mounted only outside production.
 */
import type { Request, Response } from 'express';
import { sendGraphQLError } from './http-errors.ts';

export function devTokenRoute(providerTokenUrl: string) {
  return async (req: Request, res: Response) => {
    let response: globalThis.Response;
    try {
      response = await fetch(providerTokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(req.body ?? {}),
        signal: AbortSignal.timeout(5_000),
      });
    } catch {
      return sendGraphQLError(res, 503, 'IDENTITY_PROVIDER_UNAVAILABLE', 'the development identity provider does not answer (it starts with `npm start`, or alone with `npm run start:identity-provider`)');
    }
    const body = (await response.json().catch(() => null)) as { token?: unknown; errors?: { message?: unknown }[] } | null;
    if (response.ok && typeof body?.token === 'string') return res.json({ token: body.token });
    if (response.status === 400 && typeof body?.errors?.[0]?.message === 'string') return sendGraphQLError(res, 400, 'BAD_USER_INPUT', body.errors[0].message);
    return sendGraphQLError(res, 503, 'IDENTITY_PROVIDER_UNAVAILABLE', 'the development identity provider did not issue a token');
  };
}
