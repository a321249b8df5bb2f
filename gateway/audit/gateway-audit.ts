/** The gateway's audit: the writer, the auditor enforcement calls, and the record of request-level refusals. */
import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import type { Policy } from '../../permissions/model.ts';
import { logger } from '../../platform/logger.ts';
import type { Identity } from '../auth/authenticate.ts';
import { fieldOwners } from './field-owners.ts';
import { requestAuditor, type RequestAuditor } from './request-audit.ts';
import { AuditUnavailable, createAuditWriter, type AuditWriter } from './writer.ts';
import { startCheckpointer, type CheckpointOptions, type Checkpointer } from './checkpointer.ts';

export interface GatewayAudit {
  auditor: RequestAuditor;
  /** Records a refusal that happened before the operation was looked at (unknown purpose, missing case reference). */
  refusal(identity: Identity, req: Request, code: string): Promise<void>;
  /** Checkpoints and witnessing, when configured. */
  checkpointer?: Checkpointer;
  close(): Promise<void>;
}

/**
 * The witness gate in front of the writer: a record of personal data served is
 * refused (so the data is) while records go unwitnessed past the limit;
 * refusals are still recorded, they release nothing.
 */
function witnessGated(writer: AuditWriter, checkpointer: Checkpointer): AuditWriter {
  return {
    write: (content) => (content.outcome === 'served' && !checkpointer.mayServe() ? Promise.reject(new AuditUnavailable()) : writer.write(content)),
    stats: writer.stats,
    close: () => writer.close(),
  };
}

export async function startAudit(policy: Policy, supergraphSdl: string, databaseUrl: string, checkpoints?: CheckpointOptions): Promise<GatewayAudit> {
  const checkpointer = checkpoints ? await startCheckpointer(databaseUrl, checkpoints) : undefined;
  const written = createAuditWriter({ databaseUrl });
  const writer = checkpointer ? witnessGated(written, checkpointer) : written;
  const auditor = requestAuditor(policy, fieldOwners(supergraphSdl), writer);
  return {
    auditor,
    async refusal(identity, req, code) {
      const body = (req.body ?? {}) as { query?: unknown; operationName?: unknown };
      const requestId = requestIdOf(req);
      try {
        await auditor.record({
          caller: {
            actor: identity.sub,
            client: identity.client,
            // What was declared, cut short and reduced to the characters an id may have: a refused header is
            // evidence of an attempt, never text the log stores verbatim (control characters, markup, a NUL).
            purpose: declared(req.header('x-purpose'), 64) || '(none)',
            caseRef: declared(req.header('x-case-ref'), 100) || undefined,
            requestId,
          },
          operationName: typeof body.operationName === 'string' ? declared(body.operationName, 200) : null,
          source: typeof body.query === 'string' ? body.query : undefined,
          errors: [{ extensions: { code } }],
        });
      } catch {
        // The response is a refusal without data either way; the operator must know the attempt went unrecorded.
        logger.error({ code, requestId }, 'audit of a refused request failed');
      }
    },
    checkpointer,
    async close() {
      await writer.close();
      await checkpointer?.close();
    },
  };
}

/** A client-supplied id as the audit keeps it: trimmed, bounded, anything but id characters shown as '?'. */
export function declared(value: string | undefined, max: number): string {
  return (value ?? '').trim().slice(0, max).replace(/[^A-Za-z0-9:/._-]/g, '?');
}

const REQUEST_ID = /^[A-Za-z0-9._-]{8,100}$/;
function requestIdOf(req: Request): string {
  const header = req.header('x-request-id');
  return header && REQUEST_ID.test(header) ? header : randomUUID();
}
