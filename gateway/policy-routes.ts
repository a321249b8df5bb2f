/**
 * GET /policy/*: the privacy console's views of the policy the gateway
 * enforces — the purposes × categories matrix, clients, `policy check`, a
 * field search and a purpose's explanation. Computed by the same modules as
 * the CLI (matrix.ts, explain.ts, check.ts, who-may-read.ts), over the policy
 * and supergraph this gateway runs with.
 *
 * Not personal data, but the policy is the privacy office's working material:
 * only a signed-in user of a client that may declare `privacy-oversight`, at
 * that purpose's assurance, may read it. No case reference is asked for: no
 * citizen is reached.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { checkPolicyAgainstFields } from '../permissions/check.ts';
import { acrAtLeast } from '../permissions/decide.ts';
import { explainPurpose } from '../permissions/explain.ts';
import { buildMatrix } from '../permissions/matrix.ts';
import type { Policy } from '../permissions/model.ts';
import { listSchemaFields } from '../permissions/schema-fields.ts';
import { searchFields, whoMayRead } from '../permissions/who-may-read.ts';
import { readSupergraph } from '../schema/compose.ts';
import { AuthenticationError, authenticate, type TokenKey } from './auth/authenticate.ts';
import { sendGraphQLError } from './http-errors.ts';

export const OVERSIGHT_PURPOSE = 'privacy-oversight';

export interface PolicyRouteOptions {
  policy: Policy;
  auth: { key: TokenKey; issuer: string; audience: string };
}

export function policyRoutes({ policy, auth }: PolicyRouteOptions): express.Router {
  const fields = listSchemaFields(readSupergraph());
  const known = new Set(fields.readable);
  const router = express.Router();

  router.use(async (req: Request, res: Response, next: NextFunction) => {
    try {
      const identity = await authenticate(req.header('authorization'), auth.key, auth);
      const client = Object.hasOwn(policy.clients, identity.client) ? policy.clients[identity.client] : undefined;
      const purpose = policy.purposes[OVERSIGHT_PURPOSE];
      if (!client || !purpose || !client.purposes.includes(OVERSIGHT_PURPOSE)) {
        return sendGraphQLError(res, 403, 'PURPOSE_NOT_ALLOWED', `the policy views are for clients that may use purpose "${OVERSIGHT_PURPOSE}"`);
      }
      if (!acrAtLeast(identity.acr, purpose.acr)) {
        return sendGraphQLError(res, 403, 'PURPOSE_NOT_ALLOWED', `purpose "${OVERSIGHT_PURPOSE}" needs sign-in assurance "${purpose.acr}" (this sign-in: "${identity.acr}")`);
      }
      res.setHeader('cache-control', 'no-store');
      next();
    } catch (error) {
      if (error instanceof AuthenticationError) return sendGraphQLError(res, 401, 'UNAUTHENTICATED', error.message);
      next(error);
    }
  });

  router.get('/matrix', (_req, res) => {
    res.json(buildMatrix(policy, fields));
  });

  router.get('/clients', (_req, res) => {
    res.json({
      clients: Object.entries(policy.clients).map(([id, client]) => ({
        id,
        name: client.name,
        description: client.description.replace(/\s+/g, ' ').trim(),
        actors: client.actors,
        purposes: client.purposes.map((p) => ({ id: p, acr: policy.purposes[p]?.acr, subjects: policy.purposes[p]?.subjects ?? [] })),
      })),
    });
  });

  router.get('/check', (_req, res) => {
    const problems = checkPolicyAgainstFields(policy, fields);
    res.json({ ok: !problems.some((p) => p.severity === 'error'), problems });
  });

  router.get('/fields', (req, res) => {
    const q = typeof req.query.q === 'string' ? req.query.q.slice(0, 100) : '';
    res.json({ fields: searchFields(fields, q) });
  });

  router.get('/fields/:field', (req, res) => {
    const field = req.params.field;
    if (!known.has(field)) return sendGraphQLError(res, 404, 'BAD_USER_INPUT', `${field.slice(0, 100)} is not a field of the graph; search with /policy/fields?q=`);
    res.json(whoMayRead(policy, field));
  });

  router.get('/purposes/:id', (req, res) => {
    const id = req.params.id;
    if (!Object.hasOwn(policy.purposes, id)) return sendGraphQLError(res, 404, 'BAD_USER_INPUT', `unknown purpose "${id.slice(0, 64)}"`);
    const { purpose, ...rest } = explainPurpose(policy, fields, id);
    res.json({ ...rest, description: purpose.description.replace(/\s+/g, ' ').trim(), legalBasis: purpose.legalBasis, subjects: purpose.subjects, acr: purpose.acr, mutations: purpose.mutations });
  });

  return router;
}
