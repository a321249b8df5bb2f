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

/** Type -> field -> category (or `public`). */
export const classificationFile = z
  .object({
    classification: z.record(
      z.string().regex(/^[A-Z][A-Za-z0-9_]*$/, 'a type name starts with a capital letter'),
      z.record(z.string(), z.union([z.literal(PUBLIC), categoryName])),
    ),
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
        /** Whether the client's users are citizens (sub = personal code) or staff. */
        actors: z.enum(['citizens', 'staff', 'service', 'partner']),
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

export interface Policy {
  categories: z.infer<typeof categoriesFile>['categories'];
  classification: z.infer<typeof classificationFile>['classification'];
  purposes: Record<string, Purpose>;
  clients: Record<string, Client>;
}

/** The type whose records are personal data about a subject; its key names the subject. */
export const SUBJECT_TYPE = 'Citizen';
