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

export class PolicyError extends Error {
  constructor(readonly problems: string[]) {
    super(`policy is invalid:\n${problems.map((p) => `- ${p}`).join('\n')}`);
    this.name = 'PolicyError';
  }
}

function readFile<T extends z.ZodType>(dir: string, file: string, schema: T, problems: string[]): z.infer<T> | undefined {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(join(dir, file), 'utf8'));
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

/** Parses and validates the files' shape; cross-checks against the schema are in check.ts. */
export function loadPolicy(dir: string = DEFAULT_POLICY_DIR): Policy {
  const problems: string[] = [];
  const categories = readFile(dir, 'categories.yaml', categoriesFile, problems);
  const classification = readFile(dir, 'classification.yaml', classificationFile, problems);
  const purposes = readFile(dir, 'purposes.yaml', purposesFile, problems);
  const clients = readFile(dir, 'clients.yaml', clientsFile, problems);
  if (!categories || !classification || !purposes || !clients) throw new PolicyError(problems);
  return {
    categories: categories.categories,
    classification: classification.classification,
    purposes: purposes.purposes,
    clients: clients.clients,
  };
}
