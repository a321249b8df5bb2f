/**
 * Reads the policy files under permissions/policy/ and validates their shape.
 * A malformed policy is refused with every problem named by file and path:
 * a service never starts on a policy it cannot read exactly.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { categoriesFile, classificationFile, clientsFile, purposesFile, type Policy } from './model.ts';

export const DEFAULT_POLICY_DIR = fileURLToPath(new URL('./policy', import.meta.url));

/** The four files a policy is made of, in the order problems are reported. */
export const POLICY_FILES = ['categories.yaml', 'classification.yaml', 'purposes.yaml', 'clients.yaml'] as const;
export type PolicyFile = (typeof POLICY_FILES)[number];

/**
 * The text of each policy file, or an Error when it could not be read. Lets a
 * policy come from somewhere other than a directory (e.g. `git show REF:…`
 * when the CLI compares two versions of the policy).
 */
export type PolicySources = Record<PolicyFile, string | Error>;

export class PolicyError extends Error {
  constructor(readonly problems: string[]) {
    super(`policy is invalid:\n${problems.map((p) => `- ${p}`).join('\n')}`);
    this.name = 'PolicyError';
  }
}

function parseFile<T extends z.ZodType>(file: PolicyFile, source: string | Error, schema: T, problems: string[]): z.infer<T> | undefined {
  let raw: unknown;
  try {
    if (source instanceof Error) throw source;
    raw = parseYaml(source);
  } catch (error) {
    problems.push(`${file}: ${(error as Error).message.split('\n')[0]}`);
    return undefined;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    return undefined;
  }
  return parsed.data;
}

/**
 * A copy without Object.prototype. Purpose and client ids arrive in request
 * headers and tokens, so `policy.purposes[id]` must find nothing for
 * "constructor" or "toString" instead of an inherited function.
 */
function dictionary<T>(record: Record<string, T>): Record<string, T> {
  return Object.assign(Object.create(null) as Record<string, T>, record);
}

/** Parses and validates the files' shape; cross-checks against the schema are in check.ts. */
export function parsePolicy(sources: PolicySources): Policy {
  const problems: string[] = [];
  const categories = parseFile('categories.yaml', sources['categories.yaml'], categoriesFile, problems);
  const classification = parseFile('classification.yaml', sources['classification.yaml'], classificationFile, problems);
  const purposes = parseFile('purposes.yaml', sources['purposes.yaml'], purposesFile, problems);
  const clients = parseFile('clients.yaml', sources['clients.yaml'], clientsFile, problems);
  if (!categories || !classification || !purposes || !clients) throw new PolicyError(problems);
  return deepFreeze({
    categories: dictionary(categories.categories),
    classification: dictionary(
      Object.fromEntries(Object.entries(classification.classification).map(([type, fields]) => [type, dictionary(fields)])),
    ),
    subjectTypes: dictionary(classification.subjects),
    roots: dictionary(classification.roots),
    disguised: dictionary(classification.disguised),
    purposes: dictionary(purposes.purposes),
    clients: dictionary(clients.clients),
  });
}

/** A loaded policy never changes (decisions are cached per policy object); derive a new one to vary it. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function readSource(path: string): string | Error {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    return error as Error;
  }
}

/** Reads the four files from `dir`; a missing or unreadable file is a PolicyError like any other problem. */
export function loadPolicy(dir: string = DEFAULT_POLICY_DIR): Policy {
  const sources = Object.fromEntries(POLICY_FILES.map((file) => [file, readSource(join(dir, file))])) as PolicySources;
  return parsePolicy(sources);
}
