/**
 * Cross-checks a policy against the composed supergraph: the shape of the
 * files is load.ts's job, whether they fit the graph and each other is this
 * module's. Pure: `checkPolicy` returns every problem instead of stopping at
 * the first, so a privacy officer fixes a change in one pass.
 */
import { categoryCovers, classify } from './decide.ts';
import { DEFAULT_POLICY_DIR, loadPolicy, POLICY_FILES, PolicyError, type PolicyFile } from './load.ts';
import { actorsMayUse } from './judge.ts';
import { clientActors, PUBLIC, type Policy, type Purpose } from './model.ts';
import { listSchemaFields, readSupergraphSdl, SUPERGRAPH_PATH, type SchemaFields } from './schema-fields.ts';
import { didYouMean } from './suggest.ts';

/** Errors make the policy unusable (the CLI exits non-zero); warnings are for review. */
export type Severity = 'error' | 'warning';

export type ProblemCode =
  | 'INVALID_POLICY_FILE'
  | 'INVALID_SCHEMA'
  | 'UNCLASSIFIED_FIELD'
  | 'UNKNOWN_TYPE'
  | 'UNKNOWN_FIELD'
  | 'MUTATION_CLASSIFIED'
  | 'MUTATION_AS_FIELD'
  | 'UNKNOWN_CATEGORY'
  | 'MISSING_PARENT_CATEGORY'
  | 'UNKNOWN_MUTATION'
  | 'UNKNOWN_PURPOSE'
  | 'INTERNAL_PURPOSE_IN_CLIENT'
  | 'CONTRADICTION'
  | 'SHADOWED_GRANT'
  | 'UNUSED_PURPOSE'
  | 'WEAK_LEGAL_BASIS'
  | 'PURPOSE_CLOSED_TO_CLIENT'
  | 'UNDECLARED_ROOT_FIELD'
  | 'UNKNOWN_ROOT_FIELD'
  | 'UNKNOWN_ROOT_ARGUMENT'
  | 'UNKNOWN_DISGUISED_FIELD'
  | 'PUBLIC_DISGUISED_FIELD'
  | 'UNKNOWN_SUBJECT_TYPE'
  | 'PUBLIC_SUBJECT_FIELD'
  | 'PARTNER_ON_PUBLIC_BASIS'
  | 'CONSENT_SCOPE';

export interface Problem {
  severity: Severity;
  /** Stable, for tools and tests; the message is for people. */
  code: ProblemCode;
  /** Where to fix it: a policy file, or the supergraph when that cannot be read. */
  file: PolicyFile | 'supergraph';
  message: string;
}

const error = (code: ProblemCode, file: Problem['file'], message: string): Problem => ({ severity: 'error', code, file, message });
const warning = (code: ProblemCode, file: Problem['file'], message: string): Problem => ({ severity: 'warning', code, file, message });

/** Legal bases that can cover people who never dealt with the controller (GDPR art. 6(1)(c)/(e)). */
const BASES_FOR_ANY_SUBJECT: readonly Purpose['legalBasis']['kind'][] = ['statute', 'public-task'];

const isCategory = (policy: Policy, name: string) => Object.hasOwn(policy.categories, name);

function checkCategories(policy: Policy): Problem[] {
  const problems: Problem[] = [];
  for (const name of Object.keys(policy.categories)) {
    const dot = name.lastIndexOf('.');
    if (dot < 0) continue;
    const parent = name.slice(0, dot);
    if (!isCategory(policy, parent)) {
      problems.push(
        error('MISSING_PARENT_CATEGORY', 'categories.yaml', `category ${name} has no parent: add ${parent} to categories.yaml, so that the whole branch can be granted`),
      );
    }
  }
  return problems;
}

function unknownCategory(policy: Policy, file: PolicyFile, where: string, category: string): Problem {
  return error(
    'UNKNOWN_CATEGORY',
    file,
    `${where} ${category}, which is not a category in categories.yaml${didYouMean(category, Object.keys(policy.categories))}`,
  );
}

function checkClassification(policy: Policy, fields: SchemaFields): Problem[] {
  const problems: Problem[] = [];
  for (const field of fields.readable) {
    if (classify(policy, field) === undefined) {
      problems.push(
        error('UNCLASSIFIED_FIELD', 'classification.yaml', `${field} is not classified: add it to classification.yaml (a category from categories.yaml, or public)`),
      );
    }
  }
  for (const [type, entries] of Object.entries(policy.classification)) {
    const schemaFields = fields.byType.get(type);
    if (type === fields.mutationType) {
      problems.push(
        error('MUTATION_CLASSIFIED', 'classification.yaml', `${type} is the mutation root and is not classified: grant mutations by name in a purpose's mutations`),
      );
    } else if (!schemaFields) {
      problems.push(
        error('UNKNOWN_TYPE', 'classification.yaml', `classification of type ${type}, which is not in the supergraph${didYouMean(type, fields.byType.keys())}`),
      );
    }
    for (const [name, category] of Object.entries(entries)) {
      if (schemaFields && !schemaFields.includes(name)) {
        problems.push(
          error(
            'UNKNOWN_FIELD',
            'classification.yaml',
            `classification of ${type}.${name}, which is not a field of ${type} in the supergraph${didYouMean(name, schemaFields)}`,
          ),
        );
      }
      if (category !== PUBLIC && !isCategory(policy, category)) {
        problems.push(unknownCategory(policy, 'classification.yaml', `${type}.${name} is classified as`, category));
      }
    }
  }
  return problems;
}

/** A `Type.field` named in a purpose's read/deny that the schema does not have. */
function checkFieldReference(fields: SchemaFields, purposeId: string, verb: string, field: string): Problem | undefined {
  const type = field.slice(0, field.indexOf('.'));
  if (type === fields.mutationType) {
    return error(
      'MUTATION_AS_FIELD',
      'purposes.yaml',
      `purpose ${purposeId} ${verb} field ${field}: mutations are granted by name, e.g. mutations: [${field.slice(type.length + 1)}]`,
    );
  }
  if (fields.readable.includes(field)) return undefined;
  return error(
    'UNKNOWN_FIELD',
    'purposes.yaml',
    `purpose ${purposeId} ${verb} field ${field}, which is not in the supergraph${didYouMean(field, fields.readable)}`,
  );
}

/** Whether the purpose's deny list covers a classified field. */
function deniedByPurpose(policy: Policy, purpose: Purpose, field: string): boolean {
  const category = classify(policy, field);
  if (purpose.deny.fields.includes(field)) return true;
  return category !== undefined && category !== PUBLIC && purpose.deny.categories.some((d) => categoryCovers(d, category));
}

function checkContradictions(policy: Policy, fields: SchemaFields, id: string, purpose: Purpose): Problem[] {
  const problems: Problem[] = [];
  const { read, deny } = purpose;
  for (const category of read.categories.filter((c) => deny.categories.includes(c))) {
    problems.push(error('CONTRADICTION', 'purposes.yaml', `purpose ${id} both reads and denies category ${category}: remove one of them`));
  }
  for (const field of read.fields.filter((f) => deny.fields.includes(f))) {
    problems.push(error('CONTRADICTION', 'purposes.yaml', `purpose ${id} both reads and denies field ${field}: remove one of them`));
  }

  // Grants a deny makes pointless: not wrong (deny wins), but a reviewer
  // reading only the `read` list would be misled.
  for (const category of read.categories.filter((c) => !deny.categories.includes(c))) {
    const broader = deny.categories.find((d) => categoryCovers(d, category));
    if (broader) {
      problems.push(
        warning('SHADOWED_GRANT', 'purposes.yaml', `purpose ${id} reads category ${category} but denies ${broader}, which covers it: the grant has no effect`),
      );
      continue;
    }
    const covered = fields.readable.filter((f) => {
      const c = classify(policy, f);
      return c !== undefined && c !== PUBLIC && categoryCovers(category, c);
    });
    if (covered.length > 0 && covered.every((f) => deniedByPurpose(policy, purpose, f))) {
      problems.push(
        warning('SHADOWED_GRANT', 'purposes.yaml', `purpose ${id} reads category ${category} but denies every field in it: the grant has no effect`),
      );
    }
  }
  for (const field of read.fields.filter((f) => !deny.fields.includes(f))) {
    if (deniedByPurpose(policy, purpose, field)) {
      problems.push(
        warning('SHADOWED_GRANT', 'purposes.yaml', `purpose ${id} reads field ${field} but denies its category (${classify(policy, field)}): the grant has no effect`),
      );
    }
  }
  return problems;
}

function checkPurposes(policy: Policy, fields: SchemaFields): Problem[] {
  const problems: Problem[] = [];
  const usedByClients = new Set(Object.values(policy.clients).flatMap((client) => client.purposes));
  for (const [id, purpose] of Object.entries(policy.purposes)) {
    for (const [verb, selection] of [
      ['reads', purpose.read],
      ['denies', purpose.deny],
    ] as const) {
      for (const category of selection.categories) {
        if (!isCategory(policy, category)) problems.push(unknownCategory(policy, 'purposes.yaml', `purpose ${id} ${verb} category`, category));
      }
      for (const field of selection.fields) {
        const problem = checkFieldReference(fields, id, verb, field);
        if (problem) problems.push(problem);
      }
    }
    for (const mutation of purpose.mutations) {
      if (!fields.mutations.includes(mutation)) {
        const where = fields.mutationType ? `a field of ${fields.mutationType}` : 'a mutation (the supergraph has none)';
        problems.push(
          error('UNKNOWN_MUTATION', 'purposes.yaml', `purpose ${id} may call mutation ${mutation}, which is not ${where}${didYouMean(mutation, fields.mutations)}`),
        );
      }
    }
    problems.push(...checkContradictions(policy, fields, id, purpose));
    if (purpose.subjects.includes('any') && !BASES_FOR_ANY_SUBJECT.includes(purpose.legalBasis.kind)) {
      problems.push(
        warning(
          'WEAK_LEGAL_BASIS',
          'purposes.yaml',
          `purpose ${id} reaches any person (subjects: any) on a legal basis of kind ${purpose.legalBasis.kind}: only a statute or a public task covers people who were never asked`,
        ),
      );
    }
    problems.push(...checkConsentScope(id, purpose));
    if (!purpose.internal && !usedByClients.has(id)) {
      problems.push(warning('UNUSED_PURPOSE', 'purposes.yaml', `purpose ${id} is not used by any client in clients.yaml`));
    }
  }
  return problems;
}

/**
 * Consent and the `consented` subject scope go together, both ways: consent
 * covers only the people who gave it (and only while it is live), and
 * `consented` means nothing without a consent to look up.
 */
function checkConsentScope(id: string, purpose: Purpose): Problem[] {
  const consentBased = purpose.legalBasis.kind === 'consent';
  const usesConsented = purpose.subjects.includes('consented');
  if (consentBased && (!usesConsented || purpose.subjects.length !== 1)) {
    return [
      error(
        'CONSENT_SCOPE',
        'purposes.yaml',
        `purpose ${id} is based on consent, so it must reach only the people who consented: subjects: [consented] (it has [${purpose.subjects.join(', ')}])`,
      ),
    ];
  }
  if (usesConsented && !consentBased) {
    return [
      error('CONSENT_SCOPE', 'purposes.yaml', `purpose ${id} reaches consented subjects, so its legal basis must be of kind consent (it is ${purpose.legalBasis.kind})`),
    ];
  }
  return [];
}

function checkClients(policy: Policy): Problem[] {
  const problems: Problem[] = [];
  for (const [id, client] of Object.entries(policy.clients)) {
    for (const purposeId of client.purposes) {
      const purpose = Object.hasOwn(policy.purposes, purposeId) ? policy.purposes[purposeId] : undefined;
      if (!purpose) {
        problems.push(
          error(
            'UNKNOWN_PURPOSE',
            'clients.yaml',
            `client ${id} uses purpose ${purposeId}, which is not in purposes.yaml${didYouMean(purposeId, Object.keys(policy.purposes))}`,
          ),
        );
      } else if (purpose.internal) {
        problems.push(
          error('INTERNAL_PURPOSE_IN_CLIENT', 'clients.yaml', `client ${id} uses internal purpose ${purposeId}: internal purposes are for the platform only`),
        );
      } else {
        const actors = clientActors(client);
        // Nobody signing in through this client could use the purpose (the gateway would refuse each of them): a mistake either way.
        if (!actors.some((kind) => actorsMayUse(kind, purpose))) {
          problems.push(
            error(
              'PURPOSE_CLOSED_TO_CLIENT',
              'clients.yaml',
              `client ${id} (for ${actors.join(', ')}) uses purpose ${purposeId}, which none of them may use: citizens never reach anyone (subjects: any), staff need the purpose's entitlement (entitlement: <agency:role>)`,
            ),
          );
        }
        // A partner is outside the state: it may rest on the person's consent or a contract with them, never on a public task.
        if (actors.includes('partner') && BASES_FOR_ANY_SUBJECT.includes(purpose.legalBasis.kind)) {
          problems.push(
            error('PARTNER_ON_PUBLIC_BASIS', 'clients.yaml', `client ${id} is a partner's and uses purpose ${purposeId}, whose legal basis is ${purpose.legalBasis.kind}: partners may use consent or contract purposes only`),
          );
        }
      }
    }
  }
  return problems;
}

/** Whose data each root field returns, and which types are a person's records: declared for every root field, of real fields. */
function checkSubjects(policy: Policy, fields: SchemaFields): Problem[] {
  const problems: Problem[] = [];
  const file = 'classification.yaml';
  for (const [type, key] of Object.entries(policy.subjectTypes)) {
    const names = fields.byType.get(type);
    if (!names) {
      problems.push(error('UNKNOWN_SUBJECT_TYPE', file, `subject type ${type} is not a type of the schema${didYouMean(type, [...fields.byType.keys()])}`));
      continue;
    }
    if (!names.includes(key)) problems.push(error('UNKNOWN_SUBJECT_TYPE', file, `subject type ${type} has no field ${key} to name its person${didYouMean(key, names)}`));
    for (const name of names) {
      // Public is "readable for anyone under any purpose": never true of a field of a person's record.
      if (classify(policy, `${type}.${name}`) === PUBLIC) {
        problems.push(error('PUBLIC_SUBJECT_FIELD', file, `${type}.${name} is public, but ${type} is a subject type: every field of a person's record is that person's data`));
      }
    }
  }
  const roots = fields.rootArguments ?? new Map<string, string[]>();
  for (const coordinate of roots.keys()) {
    if (fields.mutationType !== undefined && coordinate.startsWith(`${fields.mutationType}.`)) continue;
    if (!Object.hasOwn(policy.roots, coordinate)) {
      problems.push(
        error('UNDECLARED_ROOT_FIELD', file, `root field ${coordinate} is not in roots: say whose data it returns (actor, anyone, { argument: … } or nobody); until then every purpose is refused it`),
      );
    }
  }
  for (const [coordinate, subject] of Object.entries(policy.roots)) {
    const args = roots.get(coordinate);
    if (!args) {
      problems.push(error('UNKNOWN_ROOT_FIELD', file, `roots lists ${coordinate}, which is not a root field of the schema${didYouMean(coordinate, [...roots.keys()])}`));
    } else if (typeof subject === 'object' && 'names' in subject) {
      for (const path of subject.names) {
        const argument = path.split('.')[0]!;
        if (!args.includes(argument)) problems.push(error('UNKNOWN_ROOT_ARGUMENT', file, `roots says ${coordinate} is about the person named by ${path}, but it has no argument ${argument}${didYouMean(argument, args)}`));
      }
    } else if (typeof subject === 'object' && !args.includes(subject.argument)) {
      problems.push(error('UNKNOWN_ROOT_ARGUMENT', file, `roots says ${coordinate} returns the person named by argument ${subject.argument}, which it does not have${didYouMean(subject.argument, args)}`));
    }
  }
  for (const coordinate of Object.keys(policy.disguised ?? {})) {
    if (!fields.readable.includes(coordinate)) {
      problems.push(error('UNKNOWN_DISGUISED_FIELD', file, `disguised lists ${coordinate}, which is not a field of the schema${didYouMean(coordinate, fields.readable)}`));
    } else if (classify(policy, coordinate) === PUBLIC) {
      problems.push(error('PUBLIC_DISGUISED_FIELD', file, `${coordinate} is public, but disguised says its value is a person's personal code`));
    }
  }
  return problems;
}

/** Every problem of a parsed policy against already-listed schema fields. */
export function checkPolicyAgainstFields(policy: Policy, fields: SchemaFields): Problem[] {
  return [...checkCategories(policy), ...checkClassification(policy, fields), ...checkSubjects(policy, fields), ...checkPurposes(policy, fields), ...checkClients(policy)];
}

const firstLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0];

/** Every problem of a parsed policy against a supergraph SDL. */
export function checkPolicy(policy: Policy, supergraphSdl: string): Problem[] {
  let fields: SchemaFields;
  try {
    fields = listSchemaFields(supergraphSdl);
  } catch (e) {
    return [error('INVALID_SCHEMA', 'supergraph', `the supergraph is not a valid supergraph: ${firstLine(e)}`)];
  }
  return checkPolicyAgainstFields(policy, fields);
}

/** load.ts reports shape problems as "file: path: message"; keep the file for grouping. */
function fromPolicyError(message: string): Problem {
  const file = POLICY_FILES.find((f) => message.startsWith(`${f}:`)) ?? 'categories.yaml';
  return error('INVALID_POLICY_FILE', file, message);
}

export interface CheckResult {
  /** Undefined when the files could not be parsed; `problems` then says why. */
  policy: Policy | undefined;
  /** Undefined when the supergraph could not be read. */
  fields: SchemaFields | undefined;
  problems: Problem[];
}

/** Loads the policy files and the supergraph, and checks one against the other. */
export function loadAndCheck(dir: string = DEFAULT_POLICY_DIR, supergraphPath: string = SUPERGRAPH_PATH): CheckResult {
  let policy: Policy | undefined;
  const problems: Problem[] = [];
  try {
    policy = loadPolicy(dir);
  } catch (e) {
    if (!(e instanceof PolicyError)) throw e;
    problems.push(...e.problems.map(fromPolicyError));
  }
  let fields: SchemaFields | undefined;
  try {
    fields = listSchemaFields(readSupergraphSdl(supergraphPath));
  } catch (e) {
    problems.push(error('INVALID_SCHEMA', 'supergraph', `cannot read the supergraph ${supergraphPath}: ${firstLine(e)}`));
  }
  if (policy && fields) problems.push(...checkPolicyAgainstFields(policy, fields));
  return { policy, fields, problems };
}
