/**
 * POST /dev/token {"sub", "client", "acr"?} -> {"token"}: tokens for the demo
 * personas and clients, so the graph can be tried without an identity
 * provider. Mounted only outside production.
 */
import type { Request, Response } from 'express';
import { ACR_LEVELS, type Acr, type Policy } from '../permissions/model.ts';
import { loadPersonas } from '../seed/personas.ts';
import { isValidPersonalCode } from '../platform/personal-code.ts';
import type { DevIssuer } from './auth/dev-issuer.ts';
import { sendGraphQLError } from './http-errors.ts';
import { clientAccepts } from '../permissions/judge.ts';

export function devTokenRoute(issuer: DevIssuer, policy: Policy) {
  const personaIds = new Set(loadPersonas().map((p) => p.id));
  return async (req: Request, res: Response) => {
    const { sub, client, acr } = (req.body ?? {}) as { sub?: unknown; client?: unknown; acr?: unknown };
    // A service client (offers engine, life-event relay) signs in as itself: sub = its client id.
    const isServiceSelf = typeof sub === 'string' && sub === client && clientAccepts(policy, sub, 'service');
    if (typeof sub !== 'string' || (!personaIds.has(sub) && !isValidPersonalCode(sub) && !isServiceSelf)) {
      return sendGraphQLError(res, 400, 'BAD_USER_INPUT', '"sub" must be a demo persona id, a valid personal code, or a service client\'s own id');
    }
    if (typeof client !== 'string' || !policy.clients[client]) {
      return sendGraphQLError(res, 400, 'BAD_USER_INPUT', `"client" must be one of: ${Object.keys(policy.clients).join(', ')}`);
    }
    if (acr !== undefined && !(typeof acr === 'string' && (ACR_LEVELS as readonly string[]).includes(acr))) {
      return sendGraphQLError(res, 400, 'BAD_USER_INPUT', `"acr" must be one of: ${ACR_LEVELS.join(', ')}`);
    }
    res.json({ token: await issuer.issue({ sub, client, acr: acr as Acr | undefined }) });
  };
}
