/** Starts the real services (HTTP, real PostgreSQL) for a test file and talks to the gateway like a portal. */
import { inject } from 'vitest';
import { startServices, type RunningSystem, type ServiceOptions } from '../../system/services.ts';
import type { Acr } from '../../permissions/model.ts';
import { parseSignerKey } from '../../platform/tlog/note.ts';
import { ephemeralAuditLog, type AuditLogSetup } from '../../system/services.ts';

/** The run's audit log key and witness (test/support/global-setup.ts), checkpointing often so tests need not wait. */
export function testAuditLog(overrides: Partial<AuditLogSetup> = {}): AuditLogSetup {
  const keys = inject('auditLog');
  return { signer: parseSignerKey(keys.logKey), witness: { signer: parseSignerKey(keys.witnessKey), dataDir: keys.witnessDir }, intervalMs: 300, tickMs: 100, ...overrides };
}

export interface TestSystem extends RunningSystem {
  token(sub: string, client: string, acr?: Acr, entitlements?: string[]): Promise<string>;
  query<T = Record<string, unknown>>(request: GraphQLCall): Promise<GraphQLResponse<T>>;
}

export interface GraphQLCall {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
  /** Signs in as this subject with this client (a dev token), unless `token` is given. */
  as?: { sub: string; client: string; acr?: Acr; entitlements?: string[] };
  token?: string;
  purpose?: string;
  caseRef?: string;
  headers?: Record<string, string>;
}

export interface GraphQLResponse<T> {
  status: number;
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

export async function startTestSystem(options: Partial<ServiceOptions> = {}): Promise<TestSystem> {
  // Another audit store is another log: it gets a key and a witness of its own (one key signing two trees would be a fork).
  const ownLog = options.databases && options.databases.audit !== inject('databases').audit && options.auditLog === undefined ? ephemeralAuditLog() : undefined;
  const system = await startServices({
    databases: inject('databases'),
    lifeEventKeys: inject('lifeEventKeys'),
    gatewayPort: 0,
    // Births registered by tests stay out of the shared family register unless a test runs the worker.
    lifeEvents: false,
    subgraphPorts: { identity: 0, tax: 0, family: 0, benefits: 0 },
    auditLog: ownLog ? { ...ownLog, intervalMs: 300, tickMs: 100 } : testAuditLog(),
    ...options,
  });
  if (ownLog) {
    const close = system.close;
    system.close = async () => {
      await close();
      ownLog.cleanup();
    };
  }
  const token = (sub: string, client: string, acr?: Acr, entitlements?: string[]) => system.devIssuer.issue({ sub, client, acr, entitlements });
  return {
    ...system,
    token,
    async query<T>(call: GraphQLCall) {
      const headers: Record<string, string> = { 'content-type': 'application/json', ...call.headers };
      const bearer = call.token ?? (call.as ? await token(call.as.sub, call.as.client, call.as.acr, call.as.entitlements) : undefined);
      if (bearer) headers.authorization = `Bearer ${bearer}`;
      if (call.purpose) headers['x-purpose'] = call.purpose;
      if (call.caseRef) headers['x-case-ref'] = call.caseRef;
      const response = await fetch(system.gateway.url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ query: call.query, variables: call.variables, operationName: call.operationName }),
      });
      const body = (await response.json()) as GraphQLResponse<T>;
      return { ...body, status: response.status };
    },
  };
}
