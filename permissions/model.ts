/**
 * The policy model privacy officers edit (as YAML under permissions/policy/),
 * validated with zod so that a typo is a clear error at load time, never a
 * silently ignored rule.
 */
import { z } from 'zod';

export const ACR_LEVELS = ['low', 'substantial', 'high'] as const;
export type Acr = (typeof ACR_LEVELS)[number];

/**
 * Who a purpose reaches: the actor, the people the actor is guardian of,
 * anyone (with a case reference), or only the people whose consent for this
 * client and purpose is live (permissions/consent.ts).
 */
export const SUBJECT_SCOPES = ['self', 'represented', 'any', 'consented'] as const;
export type SubjectScope = (typeof SUBJECT_SCOPES)[number];

/** Marks a field that carries no personal data. */
export const PUBLIC = 'public';

const categoryName = z
  .string()
  .regex(/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$/, 'a category is lower-case words joined by dots, e.g. financial.income');
const fieldCoordinate = z
  .string()
  .regex(/^[A-Z][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/, 'a field is written Type.field, e.g. Citizen.annualIncome');
const identifier = z.string().regex(/^[a-z][a-z0-9-]*$/, 'an id is lower-case words joined by dashes');
/** A role an identity provider vouches for in a staff token's `entitlements` claim: `agency:role`. */
export const ENTITLEMENT_PATTERN = /^[a-z][a-z0-9-]*:[a-z][a-z0-9-]*$/;
const entitlement = z.string().regex(ENTITLEMENT_PATTERN, 'an entitlement is agency:role in lower case, e.g. sib:caseworker');

/**
 * Who signs in through a client: citizens as themselves (personal code),
 * staff (civil servants, with an entitlement per purpose), a service of an
 * agency acting as itself, or a partner organisation's system (outside the
 * state, signing in as itself like a service).
 */
export const CLIENT_ACTORS = ['citizens', 'staff', 'service', 'partner'] as const;
export type ClientActors = (typeof CLIENT_ACTORS)[number];

export const categoriesFile = z
  .object({
    categories: z.record(
      categoryName,
      z.strictObject({
        description: z.string().min(1),
        /** Reading this category needs at least this assurance, whatever the purpose says. */
        minAcr: z.enum(ACR_LEVELS).optional(),
        /**
         * Readable as a reference to another person wherever the relationship
         * holding it is readable (a child's code in my own family record),
         * whatever that person's relation to the actor. Only for keys.
         */
        referable: z.boolean().optional(),
      }),
    ),
  })
  .strict();

const typeName = z.string().regex(/^[A-Z][A-Za-z0-9_]*$/, 'a type name starts with a capital letter');
const fieldName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a field name is a GraphQL name');

/** Whose data a root field returns (see classification.yaml, `roots`). */
const argumentPath = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/, 'an argument, or an input field of one: `input.motherId`');
/**
 * `{ names: [...] }` lists the arguments (or input fields, `input.motherId`; a list names everyone in it) naming the
 * people a call is about: for a mutation, whose data it writes, recorded as the subjects of its audit records.
 */
export const rootSubjectSchema = z.union([z.enum(['actor', 'anyone', 'nobody']), z.strictObject({ argument: fieldName }), z.strictObject({ names: z.array(argumentPath).min(1) })]);
export type RootSubject = z.infer<typeof rootSubjectSchema>;

/** How a field outside a person's record carries that person's personal code (see classification.yaml, `disguised`). */
export const disguiseSchema = z.enum(['plain', 'base64url']);
export type Disguise = z.infer<typeof disguiseSchema>;

/** Type -> field -> category (or `public`); the subject types and their key fields; whose data each root field returns. */
export const classificationFile = z
  .object({
    subjects: z.record(typeName, fieldName).default({}),
    roots: z.record(fieldCoordinate, rootSubjectSchema).default({}),
    disguised: z.record(fieldCoordinate, disguiseSchema).default({}),
    classification: z.record(typeName, z.record(z.string(), z.union([z.literal(PUBLIC), categoryName]))),
  })
  .strict();

const selection = z.strictObject({
  categories: z.array(categoryName).default([]),
  fields: z.array(fieldCoordinate).default([]),
});

export const purposeSchema = z.strictObject({
  description: z.string().min(1),
  legalBasis: z.strictObject({
    kind: z.enum(['statute', 'consent', 'contract', 'public-task']),
    reference: z.string().min(1),
  }),
  subjects: z.array(z.enum(SUBJECT_SCOPES)).min(1),
  acr: z.enum(ACR_LEVELS),
  read: selection,
  deny: selection.default({ categories: [], fields: [] }),
  mutations: z.array(z.string().regex(/^[a-z][A-Za-z0-9]*$/)).default([]),
  /** The entitlement a staff member's token must carry to use this purpose; without one, no staff may. */
  entitlement: entitlement.optional(),
  /** Internal purposes are used by the platform itself (e.g. resolving whom an actor represents); no client may declare them. */
  internal: z.boolean().default(false),
});

export const purposesFile = z.object({ purposes: z.record(identifier, purposeSchema) }).strict();

export const clientsFile = z
  .object({
    clients: z.record(
      identifier,
      z.strictObject({
        name: z.string().min(1),
        description: z.string().min(1),
        /** Who signs in through it (one kind, or a list for a development tool such as the explorer); tokens of any other kind are refused. */
        actors: z.union([z.enum(CLIENT_ACTORS), z.array(z.enum(CLIENT_ACTORS)).min(1)]),
        purposes: z.array(identifier).min(1),
        /**
         * Where the consent page may send a citizen back to (a partner's own
         * pages): exact URLs, so the page can never be made an open redirect.
         */
        returnUrls: z.array(z.string().url().regex(/^https?:\/\//, 'a return URL is http(s)')).optional(),
      }),
    ),
  })
  .strict();

export type Purpose = z.infer<typeof purposeSchema>;
export type Client = z.infer<typeof clientsFile>['clients'][string];

export function clientActors(client: Pick<Client, 'actors'>): readonly ClientActors[] {
  return typeof client.actors === 'string' ? [client.actors] : client.actors;
}

export interface Policy {
  categories: z.infer<typeof categoriesFile>['categories'];
  classification: z.infer<typeof classificationFile>['classification'];
  /** Subject type -> the field holding its person's personal code. */
  subjectTypes: Record<string, string>;
  /** `Query.field` -> whose data it returns; `Mutation.field` -> whose data it writes. */
  roots: Record<string, RootSubject>;
  /** `Type.field` outside a subject's record whose value is a person's code (a cursor): the audit names that person. */
  disguised?: Record<string, Disguise>;
  purposes: Record<string, Purpose>;
  clients: Record<string, Client>;
}

/** The subject type of the shipped policy (tests and tools that walk from a citizen). */
export const SUBJECT_TYPE = 'Citizen';
