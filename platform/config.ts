/**
 * The one configuration surface of every citizen-graph service: environment
 * variables, validated at start-up. A bad or missing value stops the process
 * with one message naming every variable at fault and what it must be; a
 * value that is a secret (keys, database URLs) is never echoed back.
 * Documented in docs/configuration.md.
 */
import { z } from 'zod';
import { StartupError } from './startup-error.ts';
import type { ClaimMapping } from '../gateway/auth/identity-claims.ts';
import { parseSignerKey, parseVerifierKey, type Signer, type Verifier } from './tlog/note.ts';
import { parseWitnessList, type WitnessEndpoint } from './tlog/witness-list.ts';
import { DEFAULT_SUBGRAPH_PORTS, SUBGRAPH_NAMES, subgraphDatabase, type SubgraphName } from './topology.ts';

export class ConfigurationError extends StartupError {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}\n(see docs/configuration.md)`);
  }
}

type Env = Record<string, string | undefined>;

const port = (name: string, fallback: number) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw === '') return fallback;
      const value = Number(raw);
      if (!Number.isInteger(value) || value < 0 || value > 65535) {
        ctx.addIssue({ code: 'custom', message: `${name} must be a port number 0-65535, not "${raw.slice(0, 20)}"` });
        return z.NEVER;
      }
      return value;
    });

const positiveInt = (name: string, fallback: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw === '') return fallback;
      const value = Number(raw);
      if (!Number.isInteger(value) || value < 1 || value > max) {
        ctx.addIssue({ code: 'custom', message: `${name} must be a whole number between 1 and ${max}, not "${raw.slice(0, 20)}"` });
        return z.NEVER;
      }
      return value;
    });

const flag = (name: string, fallback: boolean) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw === '') return fallback;
      if (/^(1|true|yes|on)$/i.test(raw)) return true;
      if (/^(0|false|no|off)$/i.test(raw)) return false;
      ctx.addIssue({ code: 'custom', message: `${name} must be true or false, not "${raw.slice(0, 20)}"` });
      return z.NEVER;
    });

const list = () =>
  z
    .string()
    .optional()
    .transform((raw) => (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean));

/** Secrets: checked for shape, never repeated in a message. */
const postgresUrl = (name: string) =>
  z.string({ error: `${name} is required: the postgres:// URL of this agency's database` }).refine((raw) => {
    try {
      return ['postgres:', 'postgresql:'].includes(new URL(raw).protocol);
    } catch {
      return false;
    }
  }, `${name} must be a postgres:// or postgresql:// URL (value not shown)`);

const key = (name: string, kind: 'private' | 'public') =>
  z
    .string({ error: `${name} is required: the gateway's Ed25519 ${kind} key for the signed subgraph context, as PEM or JWK JSON` })
    .refine(
      (raw) => (raw.trim().startsWith('{') ? isJson(raw) : raw.includes(`-----BEGIN ${kind === 'private' ? 'PRIVATE' : 'PUBLIC'} KEY-----`)),
      `${name} must be a ${kind === 'private' ? 'PKCS#8' : 'SPKI'} PEM ("-----BEGIN ${kind === 'private' ? 'PRIVATE' : 'PUBLIC'} KEY-----") or a JWK JSON object (value not shown)`,
    );

function isJson(raw: string): boolean {
  try {
    return typeof JSON.parse(raw) === 'object';
  } catch {
    return false;
  }
}

const httpUrl = (name: string) =>
  z.string().refine((raw) => {
    try {
      return ['http:', 'https:'].includes(new URL(raw).protocol);
    } catch {
      return false;
    }
  }, `${name} must be an http(s) URL`);

const commonShape = {
  NODE_ENV: z.enum(['development', 'production', 'test'], { error: 'NODE_ENV must be development, production or test' }).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent' }).optional(),
  HOST: z.string().optional(),
  SHUTDOWN_GRACE_MS: positiveInt('SHUTDOWN_GRACE_MS', 10_000, 300_000),
};

export interface CommonConfig {
  production: boolean;
  host: string;
  shutdownGraceMs: number;
}

function common(parsed: { NODE_ENV?: string; HOST?: string; SHUTDOWN_GRACE_MS: number }): CommonConfig {
  return { production: parsed.NODE_ENV === 'production', host: parsed.HOST || '127.0.0.1', shutdownGraceMs: parsed.SHUTDOWN_GRACE_MS };
}

function parseOrThrow<S extends z.ZodType>(schema: S, env: Env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigurationError(result.error.issues.map((issue) => issue.message));
}

// ---------------------------------------------------------------- audit log keys and witnesses

/** A C2SP note signer key (PRIVATE+KEY+…): a secret, never echoed. */
const signerKey = (name: string) =>
  z.string().refine((raw) => {
    try {
      parseSignerKey(raw);
      return true;
    } catch {
      return false;
    }
  }, `${name} must be a note signer key "PRIVATE+KEY+<name>+<key id>+<key>" (make one with \`npm run audit -- keygen --name <name>\`; value not shown)`);

const verifierKeys = (name: string) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      const keys: Verifier[] = [];
      for (const item of (raw ?? '').split(/[\s,]+/).filter(Boolean)) {
        try {
          keys.push(parseVerifierKey(item));
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: `${name}: "${item.slice(0, 40)}…" is not a verifier key (${(error as Error).message})` });
          return z.NEVER;
        }
      }
      return keys;
    });

const witnessList = z
  .string()
  .optional()
  .transform((raw, ctx) => {
    try {
      return parseWitnessList(raw ?? '');
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `AUDIT_WITNESSES: ${(error as Error).message}` });
      return z.NEVER;
    }
  });

export const DEFAULT_CHECKPOINT_INTERVAL_MS = 5_000;
export const DEFAULT_UNWITNESSED_LIMIT_S = 60;

const auditLogShape = {
  AUDIT_LOG_KEY: signerKey('AUDIT_LOG_KEY').optional(),
  AUDIT_LOG_VERIFIER_KEYS: verifierKeys('AUDIT_LOG_VERIFIER_KEYS'),
  AUDIT_WITNESSES: witnessList,
  AUDIT_WITNESS_QUORUM: positiveInt('AUDIT_WITNESS_QUORUM', 1, 100),
  // At least every 10 s while records arrive (the issue's bound): no larger value is accepted.
  AUDIT_CHECKPOINT_INTERVAL_MS: positiveInt('AUDIT_CHECKPOINT_INTERVAL_MS', DEFAULT_CHECKPOINT_INTERVAL_MS, 10_000),
  AUDIT_UNWITNESSED_LIMIT_S: positiveInt('AUDIT_UNWITNESSED_LIMIT_S', DEFAULT_UNWITNESSED_LIMIT_S, 86_400),
};

export interface AuditLogConfig {
  signer: Signer;
  verifierKeys: Verifier[];
  witnesses: WitnessEndpoint[];
  quorum: number;
  intervalMs: number;
  unwitnessedLimitMs: number;
}

function auditLogConfig(parsed: z.infer<z.ZodObject<typeof auditLogShape>>, problems: string[]): AuditLogConfig | undefined {
  if (!parsed.AUDIT_LOG_KEY) {
    if (parsed.AUDIT_WITNESSES.length) problems.push('AUDIT_WITNESSES needs AUDIT_LOG_KEY: the log signs the checkpoints witnesses cosign');
    return undefined;
  }
  if (parsed.AUDIT_WITNESSES.length === 0) problems.push('AUDIT_LOG_KEY needs AUDIT_WITNESSES: at least one witness outside the audit database');
  if (parsed.AUDIT_WITNESS_QUORUM > parsed.AUDIT_WITNESSES.length) problems.push(`AUDIT_WITNESS_QUORUM (${parsed.AUDIT_WITNESS_QUORUM}) is more than the ${parsed.AUDIT_WITNESSES.length} witnesses named in AUDIT_WITNESSES`);
  return {
    signer: parseSignerKey(parsed.AUDIT_LOG_KEY),
    verifierKeys: parsed.AUDIT_LOG_VERIFIER_KEYS,
    witnesses: parsed.AUDIT_WITNESSES,
    quorum: parsed.AUDIT_WITNESS_QUORUM,
    intervalMs: parsed.AUDIT_CHECKPOINT_INTERVAL_MS,
    unwitnessedLimitMs: parsed.AUDIT_UNWITNESSED_LIMIT_S * 1000,
  };
}

// ---------------------------------------------------------------- gateway

/** Limits on what one operation may ask for (graphql-armor, the cost estimate and the HTTP layer). */
export interface OperationLimits {
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  maxTokens: number;
  /** graphql-armor's shape cost: blind to variables, a first guard against fragment and nesting bombs at validation. */
  maxCost: number;
  /** Request body size, bytes. */
  maxBodyBytes: number;
  /** The estimated records an operation may return, with its coerced variables and list sizes (gateway/hardening/cost.ts). */
  maxEstimatedCost: number;
  /** Records (objects) one response may carry, counted on the result. */
  maxResponseRecords: number;
  /** Bytes of JSON one response may carry. */
  maxResponseBytes: number;
}

/** A client's own limits, replacing the defaults for it (a bounded exception, e.g. the offers engine's page). */
export type ClientLimits = Partial<Pick<OperationLimits, 'maxEstimatedCost' | 'maxResponseRecords' | 'maxResponseBytes'>>;

/** The longest a bearer token may be valid (exp − iat, or exp − now without iat), per actor kind of its client. */
export type TokenLifetimes = Record<string, number>;

export interface HardeningConfig {
  limits: OperationLimits;
  /** Introspection for every client (dev) or none (production) … */
  introspection: boolean;
  /** … and, either way, for these clients. */
  introspectionClients: string[];
  /** "Did you mean …" suggestions in validation errors (they map the schema for an attacker). */
  fieldSuggestions: boolean;
  /** client → path of an Apollo persisted query manifest: that client may run only those operations. */
  safelists: Record<string, string>;
  /** client → its own cost and response limits. */
  clientLimits: Record<string, ClientLimits>;
  /** Assumed size of a list whose field has no estimate of its own (gateway/hardening/list-sizes.ts has them for every list of the graph). */
  defaultListSize: number;
}

export interface ResilienceConfig {
  /** A subgraph call slower than this fails (and counts against its circuit). */
  timeoutMs: number;
  /** Open the circuit when at least this share of recent calls failed … */
  errorThresholdPercent: number;
  /** … among at least this many calls in the rolling window. */
  volumeThreshold: number;
  /** Try one call again after the circuit has been open this long. */
  resetTimeoutMs: number;
}

// maxCost: graphql-armor multiplies a list's cost by a literal `first:` argument, so one page of 1,000 ids
// (the largest page the identity subgraph serves) costs ~20,000; 50,000 admits that and still refuses
// fragment and nesting bombs by orders of magnitude.
// maxEstimatedCost is in records (objects) the operation may return, estimated as Apollo's demand control does:
// a caseworker's page of 50 citizens with their children costs ~550, a privacy officer's page of 50 audit records
// with their subjects ~2,000; householdMembers five levels deep ~37,000 (refused), ten levels ~10^9.
// The response limits count what actually came back; the largest answer a person's client needs (the unified
// view, a page of 50) is a few hundred records and tens of kilobytes.
export const DEFAULT_LIMITS: OperationLimits = {
  maxDepth: 12, maxAliases: 30, maxDirectives: 20, maxTokens: 2_000, maxCost: 50_000, maxBodyBytes: 100_000,
  maxEstimatedCost: 10_000, maxResponseRecords: 10_000, maxResponseBytes: 2_000_000,
};
export const DEFAULT_RESILIENCE: ResilienceConfig = { timeoutMs: 5_000, errorThresholdPercent: 50, volumeThreshold: 5, resetTimeoutMs: 5_000 };

/**
 * The offers engine reads the whole population in pages of 1,000 (offers/batch.ts): its page is estimated at
 * ~126,000 records (every list at its assumed size) and measured at ~7,500 records and ~510 kB on the seed
 * population (test/hardening/cost.test.ts checks both against these limits). Its limits admit that page with
 * some headroom and nothing of another order: a page of 1,000 asking one list level more is refused.
 */
export const DEFAULT_CLIENT_LIMITS: Record<string, ClientLimits> = {
  'offers-engine': { maxEstimatedCost: 150_000, maxResponseRecords: 40_000, maxResponseBytes: 4_000_000 },
};
export const DEFAULT_LIST_SIZE = 10;

/** An hour for everyone: access tokens are short-lived (RFC 9068); clients renew them. */
export const DEFAULT_TOKEN_LIFETIMES: TokenLifetimes = { citizens: 3_600, staff: 3_600, service: 3_600, partner: 3_600 };

export function hardeningDefaults(production: boolean): HardeningConfig {
  return {
    limits: DEFAULT_LIMITS, introspection: !production, introspectionClients: production ? [] : ['graph-explorer'], fieldSuggestions: !production, safelists: {},
    clientLimits: DEFAULT_CLIENT_LIMITS, defaultListSize: DEFAULT_LIST_SIZE,
  };
}

/**
 * An optional variable that holds JSON of one shape: absent or empty is undefined; text that does not
 * parse, or does not fit, is one message naming the variable and the shape.
 */
function jsonVariable<T extends z.ZodType>(shape: T, message: string) {
  return z
    .string()
    .optional()
    .transform((raw, ctx): z.output<T> | undefined => {
      if (raw === undefined || raw === '') return undefined;
      let parsed;
      try {
        parsed = shape.safeParse(JSON.parse(raw));
      } catch {
        parsed = undefined;
      }
      if (!parsed?.success) {
        ctx.addIssue({ code: 'custom', message });
        return z.NEVER;
      }
      return parsed.data;
    });
}

const clientLimit = z.number().int().min(1).max(100_000_000).optional();
const clientLimitsJson = jsonVariable(
  z.record(z.string().regex(/^[a-z][a-z0-9-]*$/), z.strictObject({ maxEstimatedCost: clientLimit, maxResponseRecords: clientLimit, maxResponseBytes: clientLimit })),
  'GRAPHQL_CLIENT_LIMITS must be JSON {"client-id": {"maxEstimatedCost"?, "maxResponseRecords"?, "maxResponseBytes"?: whole numbers}}',
).transform((limits) => limits as Record<string, ClientLimits> | undefined);

const tokenLifetimes = z
  .string()
  .optional()
  .transform((raw, ctx) => {
    const lifetimes: TokenLifetimes = { ...DEFAULT_TOKEN_LIFETIMES };
    for (const item of (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
      const match = /^([a-z]+)=(\d{1,7})$/.exec(item);
      if (!match || Number(match[2]) < 1) {
        ctx.addIssue({ code: 'custom', message: `TOKEN_MAX_LIFETIME_SECONDS must be actors=seconds pairs separated by commas (e.g. citizens=3600,service=900), not "${item.slice(0, 40)}"` });
        return z.NEVER;
      }
      lifetimes[match[1]!] = Number(match[2]);
    }
    return lifetimes;
  });

const safelistEntries = z
  .string()
  .optional()
  .transform((raw, ctx) => {
    const entries: Record<string, string> = {};
    for (const item of (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
      const match = /^([A-Za-z0-9_-]+)=(.+)$/.exec(item);
      if (!match) {
        ctx.addIssue({ code: 'custom', message: `GRAPHQL_SAFELISTS must be client=path/to/manifest.json pairs separated by commas, not "${item.slice(0, 60)}"` });
        return z.NEVER;
      }
      entries[match[1]!] = match[2]!;
    }
    return entries;
  });

/** Tokens and client secrets travel to the provider: TLS, except to a provider on this very machine. */
function secureOrLoopback(raw: string): boolean {
  const url = new URL(raw);
  return url.protocol === 'https:' || ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

/** Where `npm start` (and `npm run start:identity-provider`) runs the development OpenID provider. */
export const DEV_IDENTITY_PROVIDER = 'http://localhost:4020';

const ACR = z.enum(['low', 'substantial', 'high']);
const CLAIM_NAME = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$/);
const claimsMappingJson = jsonVariable(
  z.strictObject({
    acrValues: z.record(z.string().min(1).max(200), ACR).optional(),
    subjectClaim: CLAIM_NAME.optional(),
    subjectPrefix: z.string().min(1).max(10).optional(),
    clientClaim: CLAIM_NAME.optional(),
    actorClaim: CLAIM_NAME.optional(),
    actor: z.enum(['citizen', 'staff', 'service']).optional(),
    entitlementsClaim: CLAIM_NAME.optional(),
  }),
  'AUTH_CLAIMS must be JSON {"acrValues"?: {"<provider value>": "low"|"substantial"|"high"}, "subjectClaim"?, "subjectPrefix"?, "clientClaim"?, "actorClaim"?, "actor"?: "citizen"|"staff"|"service", "entitlementsClaim"?} (docs/configuration.md, "Identity claims")',
).transform((mapping) => (mapping === undefined ? undefined : (Object.freeze(mapping) as ClaimMapping)));

const gatewaySchema = z.object({
  ...commonShape,
  GATEWAY_PORT: port('GATEWAY_PORT', 4000),
  GATEWAY_CONTEXT_PRIVATE_KEY: key('GATEWAY_CONTEXT_PRIVATE_KEY', 'private'),
  ...Object.fromEntries(SUBGRAPH_NAMES.map((name) => [`SUBGRAPH_URL_${name.toUpperCase()}`, httpUrl(`SUBGRAPH_URL_${name.toUpperCase()}`).optional()])),
  DATABASE_URL_AUDIT: postgresUrl('DATABASE_URL_AUDIT').optional(),
  AUTH_ISSUER: httpUrl('AUTH_ISSUER').optional(),
  AUTH_JWKS_URL: httpUrl('AUTH_JWKS_URL').optional(),
  AUTH_AUDIENCE: z.string().min(1).optional(),
  AUTH_CLAIMS: claimsMappingJson,
  DEV_TOKEN_URL: httpUrl('DEV_TOKEN_URL').optional(),
  GRAPHQL_MAX_DEPTH: positiveInt('GRAPHQL_MAX_DEPTH', DEFAULT_LIMITS.maxDepth, 100),
  GRAPHQL_MAX_ALIASES: positiveInt('GRAPHQL_MAX_ALIASES', DEFAULT_LIMITS.maxAliases, 1_000),
  GRAPHQL_MAX_DIRECTIVES: positiveInt('GRAPHQL_MAX_DIRECTIVES', DEFAULT_LIMITS.maxDirectives, 1_000),
  GRAPHQL_MAX_TOKENS: positiveInt('GRAPHQL_MAX_TOKENS', DEFAULT_LIMITS.maxTokens, 100_000),
  GRAPHQL_MAX_COST: positiveInt('GRAPHQL_MAX_COST', DEFAULT_LIMITS.maxCost, 10_000_000),
  GRAPHQL_MAX_BODY_BYTES: positiveInt('GRAPHQL_MAX_BODY_BYTES', DEFAULT_LIMITS.maxBodyBytes, 10_000_000),
  GRAPHQL_MAX_ESTIMATED_COST: positiveInt('GRAPHQL_MAX_ESTIMATED_COST', DEFAULT_LIMITS.maxEstimatedCost, 100_000_000),
  GRAPHQL_MAX_RESPONSE_RECORDS: positiveInt('GRAPHQL_MAX_RESPONSE_RECORDS', DEFAULT_LIMITS.maxResponseRecords, 100_000_000),
  GRAPHQL_MAX_RESPONSE_BYTES: positiveInt('GRAPHQL_MAX_RESPONSE_BYTES', DEFAULT_LIMITS.maxResponseBytes, 1_000_000_000),
  GRAPHQL_DEFAULT_LIST_SIZE: positiveInt('GRAPHQL_DEFAULT_LIST_SIZE', DEFAULT_LIST_SIZE, 100_000),
  GRAPHQL_CLIENT_LIMITS: clientLimitsJson,
  TOKEN_MAX_LIFETIME_SECONDS: tokenLifetimes,
  GRAPHQL_INTROSPECTION: flag('GRAPHQL_INTROSPECTION', false).optional(),
  GRAPHQL_INTROSPECTION_CLIENTS: list().optional(),
  GRAPHQL_FIELD_SUGGESTIONS: flag('GRAPHQL_FIELD_SUGGESTIONS', false).optional(),
  GRAPHQL_SAFELISTS: safelistEntries,
  GRAPHQL_STRICT_BY_DEFAULT: flag('GRAPHQL_STRICT_BY_DEFAULT', false),
  SUBGRAPH_TIMEOUT_MS: positiveInt('SUBGRAPH_TIMEOUT_MS', DEFAULT_RESILIENCE.timeoutMs, 120_000),
  CIRCUIT_ERROR_THRESHOLD_PERCENT: positiveInt('CIRCUIT_ERROR_THRESHOLD_PERCENT', DEFAULT_RESILIENCE.errorThresholdPercent, 100),
  CIRCUIT_VOLUME_THRESHOLD: positiveInt('CIRCUIT_VOLUME_THRESHOLD', DEFAULT_RESILIENCE.volumeThreshold, 10_000),
  CIRCUIT_RESET_MS: positiveInt('CIRCUIT_RESET_MS', DEFAULT_RESILIENCE.resetTimeoutMs, 600_000),
  ...auditLogShape,
});

export interface GatewayConfig extends CommonConfig {
  port: number;
  contextPrivateKey: string;
  subgraphUrls: Record<SubgraphName, string>;
  /** The audit store (application role). Required in production: every read is audited. */
  auditDatabaseUrl?: string;
  /** Checkpoints and witnesses. Required in production with the audit store. */
  auditLog?: AuditLogConfig;
  /** The identity provider (discovery at `issuer`, unless `jwksUrl` names its keys) and how its claims read. */
  auth: { issuer: string; jwksUrl?: string; audience: string; claims: ClaimMapping };
  /** Development only: where POST /dev/token gets its tokens (the development provider's shortcut). */
  devTokenUrl?: string;
  audience: string;
  hardening: HardeningConfig;
  resilience: ResilienceConfig;
  strictByDefault: boolean;
  /** Longest token lifetime per actor kind (permissions/policy/clients.yaml `actors`). */
  tokenLifetimes: TokenLifetimes;
}

export function gatewayConfig(env: Env = process.env): GatewayConfig {
  const parsed = parseOrThrow(gatewaySchema, env) as z.infer<typeof gatewaySchema> & Record<string, string | undefined>;
  const base = common(parsed);
  const problems: string[] = [];
  if (base.production && !parsed.AUTH_ISSUER) {
    problems.push('AUTH_ISSUER is required in production: the identity provider whose tokens the gateway accepts (found through its discovery document)');
  }
  if (base.production && parsed.AUTH_ISSUER && !secureOrLoopback(parsed.AUTH_ISSUER)) problems.push('AUTH_ISSUER must be an https URL in production (plain http only on this machine, 127.0.0.1 or localhost)');
  if (base.production && parsed.DEV_TOKEN_URL) problems.push('DEV_TOKEN_URL is development only: production tokens come from the identity provider alone');
  if (base.production && !parsed.DATABASE_URL_AUDIT) problems.push('DATABASE_URL_AUDIT is required in production: every read is audited');
  if (parsed.AUTH_JWKS_URL && !parsed.AUTH_ISSUER) problems.push('AUTH_JWKS_URL needs AUTH_ISSUER: the issuer whose keys they are');
  const auditLog = auditLogConfig(parsed, problems);
  if (base.production && parsed.DATABASE_URL_AUDIT && !auditLog) problems.push('AUDIT_LOG_KEY and AUDIT_WITNESSES are required in production: the audit log is checkpointed and witnessed outside its database');
  if (problems.length) throw new ConfigurationError(problems);
  const defaults = hardeningDefaults(base.production);
  const audience = parsed.AUTH_AUDIENCE ?? 'citizen-graph';
  return {
    ...base,
    port: parsed.GATEWAY_PORT,
    contextPrivateKey: parsed.GATEWAY_CONTEXT_PRIVATE_KEY,
    subgraphUrls: Object.fromEntries(
      SUBGRAPH_NAMES.map((name) => [name, parsed[`SUBGRAPH_URL_${name.toUpperCase()}`] ?? `http://127.0.0.1:${DEFAULT_SUBGRAPH_PORTS[name]}/graphql`]),
    ) as Record<SubgraphName, string>,
    auditDatabaseUrl: parsed.DATABASE_URL_AUDIT,
    auditLog,
    auth: { issuer: parsed.AUTH_ISSUER ?? DEV_IDENTITY_PROVIDER, jwksUrl: parsed.AUTH_JWKS_URL, audience, claims: parsed.AUTH_CLAIMS ?? {} },
    devTokenUrl: base.production ? undefined : (parsed.DEV_TOKEN_URL ?? (parsed.AUTH_ISSUER ? undefined : `${DEV_IDENTITY_PROVIDER}/dev/token`)),
    audience,
    hardening: {
      limits: {
        maxDepth: parsed.GRAPHQL_MAX_DEPTH,
        maxAliases: parsed.GRAPHQL_MAX_ALIASES,
        maxDirectives: parsed.GRAPHQL_MAX_DIRECTIVES,
        maxTokens: parsed.GRAPHQL_MAX_TOKENS,
        maxCost: parsed.GRAPHQL_MAX_COST,
        maxBodyBytes: parsed.GRAPHQL_MAX_BODY_BYTES,
        maxEstimatedCost: parsed.GRAPHQL_MAX_ESTIMATED_COST,
        maxResponseRecords: parsed.GRAPHQL_MAX_RESPONSE_RECORDS,
        maxResponseBytes: parsed.GRAPHQL_MAX_RESPONSE_BYTES,
      },
      introspection: env.GRAPHQL_INTROSPECTION ? parsed.GRAPHQL_INTROSPECTION! : defaults.introspection,
      introspectionClients: env.GRAPHQL_INTROSPECTION_CLIENTS !== undefined ? parsed.GRAPHQL_INTROSPECTION_CLIENTS! : defaults.introspectionClients,
      fieldSuggestions: env.GRAPHQL_FIELD_SUGGESTIONS ? parsed.GRAPHQL_FIELD_SUGGESTIONS! : defaults.fieldSuggestions,
      safelists: parsed.GRAPHQL_SAFELISTS,
      clientLimits: parsed.GRAPHQL_CLIENT_LIMITS ?? defaults.clientLimits,
      defaultListSize: parsed.GRAPHQL_DEFAULT_LIST_SIZE,
    },
    resilience: {
      timeoutMs: parsed.SUBGRAPH_TIMEOUT_MS,
      errorThresholdPercent: parsed.CIRCUIT_ERROR_THRESHOLD_PERCENT,
      volumeThreshold: parsed.CIRCUIT_VOLUME_THRESHOLD,
      resetTimeoutMs: parsed.CIRCUIT_RESET_MS,
    },
    strictByDefault: parsed.GRAPHQL_STRICT_BY_DEFAULT,
    tokenLifetimes: parsed.TOKEN_MAX_LIFETIME_SECONDS,
  };
}

// ---------------------------------------------------------------- subgraph

export interface SubgraphConfig extends CommonConfig {
  agency: SubgraphName;
  port: number;
  databaseUrl: string;
  poolMax: number;
  contextPublicKey: string;
  /** identity: the key it signs its life events with; family: the population register's public key(s). */
  lifeEventKey?: string;
}

/** Which subgraph needs which life-event key (platform/life-event-attestation.ts). */
const LIFE_EVENT_KEY_VARS: Partial<Record<SubgraphName, { name: string; what: string }>> = {
  identity: { name: 'LIFE_EVENT_SIGNING_KEY', what: "the population register's Ed25519 private key for signing life events, PKCS#8 PEM or JWK JSON" },
  family: { name: 'LIFE_EVENT_VERIFY_KEYS', what: "the population register's Ed25519 public key(s) for verifying life events: SPKI PEM, a JWK, or a JWK Set" },
};

export function subgraphConfig(agency: string | undefined, env: Env = process.env): SubgraphConfig {
  if (!agency || !(SUBGRAPH_NAMES as readonly string[]).includes(agency)) {
    throw new ConfigurationError([`name the subgraph to start: one of ${SUBGRAPH_NAMES.join(', ')} (got "${(agency ?? '').slice(0, 30)}")`]);
  }
  const name = agency as SubgraphName;
  const upper = name.toUpperCase();
  const databaseVar = `DATABASE_URL_${subgraphDatabase(name).toUpperCase()}`;
  const schema = z.object({
    ...commonShape,
    [`SUBGRAPH_PORT_${upper}`]: port(`SUBGRAPH_PORT_${upper}`, DEFAULT_SUBGRAPH_PORTS[name]),
    [databaseVar]: postgresUrl(databaseVar),
    DATABASE_POOL_MAX: positiveInt('DATABASE_POOL_MAX', 10, 500),
    GATEWAY_CONTEXT_PUBLIC_KEY: key('GATEWAY_CONTEXT_PUBLIC_KEY', 'public'),
    ...(LIFE_EVENT_KEY_VARS[name] ? { [LIFE_EVENT_KEY_VARS[name].name]: z.string({ error: `${LIFE_EVENT_KEY_VARS[name].name} is required: ${LIFE_EVENT_KEY_VARS[name].what}` }).min(1) } : {}),
  });
  const parsed = parseOrThrow(schema, env) as Record<string, unknown> & { NODE_ENV?: string; HOST?: string; SHUTDOWN_GRACE_MS: number; DATABASE_POOL_MAX: number; GATEWAY_CONTEXT_PUBLIC_KEY: string };
  return {
    ...common(parsed),
    agency: name,
    port: parsed[`SUBGRAPH_PORT_${upper}`] as number,
    databaseUrl: parsed[databaseVar] as string,
    poolMax: parsed.DATABASE_POOL_MAX,
    contextPublicKey: parsed.GATEWAY_CONTEXT_PUBLIC_KEY,
    lifeEventKey: LIFE_EVENT_KEY_VARS[name] ? (parsed[LIFE_EVENT_KEY_VARS[name].name] as string) : undefined,
  };
}

// ---------------------------------------------------------------- witness

export interface WitnessConfig extends CommonConfig {
  port: number;
  /** The witness's own key (secret). */
  signer?: Signer;
  /** Where it keeps what it cosigned. */
  dataDir?: string;
  /** The logs it witnesses: each log's verifier keys (the key name is the log's origin). */
  logKeys: Verifier[];
}

export const DEFAULT_WITNESS_PORT = 4010;

export function witnessConfig(env: Env = process.env): WitnessConfig {
  const schema = z.object({
    ...commonShape,
    WITNESS_PORT: port('WITNESS_PORT', DEFAULT_WITNESS_PORT),
    WITNESS_KEY: signerKey('WITNESS_KEY').optional(),
    WITNESS_DATA_DIR: z.string().min(1).optional(),
    WITNESS_LOG_KEYS: verifierKeys('WITNESS_LOG_KEYS'),
  });
  const parsed = parseOrThrow(schema, env);
  const base = common(parsed);
  const problems: string[] = [];
  if (parsed.WITNESS_LOG_KEYS.length === 0) problems.push("WITNESS_LOG_KEYS is required: the verifier key(s) of the log(s) this witness cosigns (the audit log's is printed by `npm run audit -- keygen`)");
  if (base.production && !parsed.WITNESS_KEY) problems.push('WITNESS_KEY is required in production');
  if (base.production && !parsed.WITNESS_DATA_DIR) problems.push('WITNESS_DATA_DIR is required in production');
  if (problems.length) throw new ConfigurationError(problems);
  return {
    ...base,
    port: parsed.WITNESS_PORT,
    signer: parsed.WITNESS_KEY ? parseSignerKey(parsed.WITNESS_KEY) : undefined,
    dataDir: parsed.WITNESS_DATA_DIR,
    logKeys: parsed.WITNESS_LOG_KEYS,
  };
}

// ---------------------------------------------------------------- events (life-event relay) and offers

export interface EventsConfig extends CommonConfig {
  port: number;
  identityDatabaseUrl: string;
  /** The gateway's /graphql: consumers deliver through it like any client. */
  gatewayUrl: string;
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  pollMs: number;
}

export const DEFAULT_EVENTS_PORT = 4021;

/** Services that talk to the graph get their tokens by client credentials (serviceClientConfig, OIDC_*). */
const serviceTokenShape = {
  GATEWAY_URL: httpUrl('GATEWAY_URL').optional(),
};

export function eventsConfig(env: Env = process.env): EventsConfig {
  const schema = z.object({
    ...commonShape,
    ...serviceTokenShape,
    EVENTS_PORT: port('EVENTS_PORT', DEFAULT_EVENTS_PORT),
    DATABASE_URL_IDENTITY: postgresUrl('DATABASE_URL_IDENTITY'),
    EVENTS_MAX_ATTEMPTS: positiveInt('EVENTS_MAX_ATTEMPTS', 8, 100),
    EVENTS_RETRY_BASE_MS: positiveInt('EVENTS_RETRY_BASE_MS', 1_000, 3_600_000),
    EVENTS_RETRY_MAX_MS: positiveInt('EVENTS_RETRY_MAX_MS', 600_000, 86_400_000),
    EVENTS_POLL_MS: positiveInt('EVENTS_POLL_MS', 2_000, 600_000),
  });
  const parsed = parseOrThrow(schema, env);
  const base = common(parsed);
  const problems: string[] = [];
  if (base.production && !parsed.GATEWAY_URL) problems.push('GATEWAY_URL is required in production: the gateway the consumers deliver through');
  if (problems.length) throw new ConfigurationError(problems);
  return {
    ...base,
    port: parsed.EVENTS_PORT,
    identityDatabaseUrl: parsed.DATABASE_URL_IDENTITY,
    gatewayUrl: graphqlEndpoint(parsed.GATEWAY_URL ?? 'http://127.0.0.1:4000'),
    maxAttempts: parsed.EVENTS_MAX_ATTEMPTS,
    retryBaseMs: parsed.EVENTS_RETRY_BASE_MS,
    retryMaxMs: parsed.EVENTS_RETRY_MAX_MS,
    pollMs: parsed.EVENTS_POLL_MS,
  };
}

/** GATEWAY_URL may name the gateway's origin or its /graphql: the endpoint either way. */
function graphqlEndpoint(raw: string): string {
  const url = new URL(raw);
  if (!url.pathname.endsWith('/graphql')) url.pathname = `${url.pathname.replace(/\/$/, '')}/graphql`;
  return url.toString();
}

export interface OffersConfig extends CommonConfig {
  port: number;
  queueDatabaseUrl: string;
  gatewayUrl: string;
  /** Page jobs this process works on at once. */
  concurrency: number;
  pageSize: number;
  /** The daily run's cron expression (in the clock's time zone, platform/clock.ts); "off": no schedule. */
  dailyCron: string | undefined;
}

export const DEFAULT_OFFERS_PORT = 4030;

export function offersConfig(env: Env = process.env): OffersConfig {
  const schema = z.object({
    ...commonShape,
    ...serviceTokenShape,
    OFFERS_PORT: port('OFFERS_PORT', DEFAULT_OFFERS_PORT),
    DATABASE_URL_OFFERS: postgresUrl('DATABASE_URL_OFFERS'),
    OFFERS_CONCURRENCY: positiveInt('OFFERS_CONCURRENCY', 2, 64),
    OFFERS_PAGE_SIZE: positiveInt('OFFERS_PAGE_SIZE', 1000, 1000),
    OFFERS_DAILY_CRON: z
      .string()
      .optional()
      .refine((raw) => raw === undefined || raw === 'off' || raw.trim().split(/\s+/).length === 5, 'OFFERS_DAILY_CRON must be a cron expression of five fields (minute hour day month weekday), or "off"'),
  });
  const parsed = parseOrThrow(schema, env);
  const base = common(parsed);
  const problems: string[] = [];
  if (base.production && !parsed.GATEWAY_URL) problems.push('GATEWAY_URL is required in production: the gateway the offers engine reads and records through');
  if (problems.length) throw new ConfigurationError(problems);
  const cron = parsed.OFFERS_DAILY_CRON?.trim();
  return {
    ...base,
    port: parsed.OFFERS_PORT,
    queueDatabaseUrl: parsed.DATABASE_URL_OFFERS,
    gatewayUrl: graphqlEndpoint(parsed.GATEWAY_URL ?? 'http://127.0.0.1:4000'),
    concurrency: parsed.OFFERS_CONCURRENCY,
    pageSize: parsed.OFFERS_PAGE_SIZE,
    dailyCron: cron === 'off' ? undefined : (cron ?? '0 2 * * *'),
  };
}

// ---------------------------------------------------------------- service clients (offers engine, life-event relay, partners)

export interface ServiceClientConfig {
  issuer: string;
  clientId: string;
  secret?: string;
  privateKey?: Record<string, unknown> & { kty: string };
  resource?: string;
  scope?: string;
}

const envName = (clientId: string) => clientId.toUpperCase().replace(/-/g, '_');

/**
 * A service's client credentials for the identity provider's token endpoint:
 * OIDC_ISSUER, and per client OIDC_CLIENT_SECRET_<CLIENT> or
 * OIDC_CLIENT_PRIVATE_KEY_<CLIENT> (a private JWK, for private_key_jwt),
 * e.g. OIDC_CLIENT_SECRET_OFFERS_ENGINE. Outside production, what is not set
 * comes from the development provider (`devFallback`: its clients.yaml).
 */
export function serviceClientConfig(clientId: string, env: Env = process.env, devFallback?: (clientId: string) => { secret: string }): ServiceClientConfig {
  const production = env.NODE_ENV === 'production';
  const problems: string[] = [];
  const name = envName(clientId);
  const issuer = env.OIDC_ISSUER || (production ? undefined : DEV_IDENTITY_PROVIDER);
  if (!issuer) problems.push('OIDC_ISSUER is required in production: the identity provider services get their tokens from');
  else if (!httpUrl('OIDC_ISSUER').safeParse(issuer).success) problems.push('OIDC_ISSUER must be an http(s) URL');
  else if (production && !secureOrLoopback(issuer)) problems.push('OIDC_ISSUER must be an https URL in production (plain http only on this machine, 127.0.0.1 or localhost)');
  const secret = env[`OIDC_CLIENT_SECRET_${name}`] || undefined;
  let privateKey: ServiceClientConfig['privateKey'];
  const rawKey = env[`OIDC_CLIENT_PRIVATE_KEY_${name}`];
  if (rawKey) {
    try {
      const parsed = JSON.parse(rawKey) as unknown;
      if (typeof parsed !== 'object' || parsed === null || typeof (parsed as { kty?: unknown }).kty !== 'string' || !('d' in parsed)) throw new Error('not a private JWK');
      privateKey = parsed as unknown as ServiceClientConfig['privateKey'];
    } catch {
      problems.push(`OIDC_CLIENT_PRIVATE_KEY_${name} must be a private JWK as JSON (value not shown)`);
    }
  }
  if (secret && rawKey) problems.push(`set OIDC_CLIENT_SECRET_${name} or OIDC_CLIENT_PRIVATE_KEY_${name}, not both`);
  if (!secret && !rawKey && (production || !devFallback)) problems.push(`OIDC_CLIENT_SECRET_${name} or OIDC_CLIENT_PRIVATE_KEY_${name} is required: the credentials of client ${clientId} at the identity provider`);
  if (problems.length) throw new ConfigurationError(problems);
  return {
    issuer: issuer!,
    clientId,
    secret: secret ?? (rawKey ? undefined : devFallback!(clientId).secret),
    privateKey,
    resource: env.OIDC_RESOURCE || undefined,
    scope: env.OIDC_SCOPE || undefined,
  };
}
