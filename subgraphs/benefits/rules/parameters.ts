/**
 * The rules' parameters (parameters.yaml), each entry with its source and the
 * day it applies from, checked at start-up against each rule's own zod
 * schema: a typo stops the service with one message naming every programme,
 * entry and key at fault (never a NaN amount at run time).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';
import { StartupError } from '../../../platform/startup-error.ts';
import type { Rule } from './types.ts';

const entry = z.strictObject({
  // YAML reads an unquoted date as a string here (core schema), kept as ISO.
  validFrom: z.union([z.string().regex(/^\d{4}-\d{2}-\d{2}$/), z.date()]).transform((v) => (typeof v === 'string' ? v : v.toISOString().slice(0, 10))),
  source: z.string().min(1),
  values: z.record(z.string(), z.unknown()),
});
const file = z.record(z.string(), z.array(entry).min(1));

export interface ParameterEntry<Values = Record<string, unknown>> {
  validFrom: string;
  source: string;
  values: Values;
}
export type ParameterFile = Readonly<Record<string, readonly ParameterEntry[]>>;

/**
 * The agency's parameter file; BENEFITS_PARAMETERS_FILE names another (a
 * deployment mounting its own, or a test) — read once per path.
 */
const OWN_FILE = fileURLToPath(new URL('./parameters.yaml', import.meta.url));
export function parametersPath(): string {
  return process.env.BENEFITS_PARAMETERS_FILE || OWN_FILE;
}

function describe(issue: z.core.$ZodIssue): string[] {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => `unknown key "${[...path, key].join('.')}"`);
  const at = path.length ? `"${path.join('.')}"` : 'the entry';
  return [`${at}: ${issue.message}`];
}

/** Every problem of a parameter file against the rules, as one message per problem. */
export function parameterProblems(raw: unknown, rules: readonly Rule<unknown>[]): { problems: string[]; parsed: ParameterFile } {
  const shape = file.safeParse(raw);
  if (!shape.success) return { problems: shape.error.issues.flatMap((issue) => describe(issue).map((m) => `${String(issue.path[0] ?? 'file')}: ${m}`)), parsed: {} };
  const problems: string[] = [];
  const parsed: Record<string, ParameterEntry[]> = {};
  for (const programme of Object.keys(shape.data)) {
    if (!rules.some((r) => r.programme === programme)) problems.push(`${programme}: no rule of that name (known: ${rules.map((r) => r.programme).join(', ')})`);
  }
  for (const rule of rules) {
    const entries = shape.data[rule.programme];
    if (!entries) {
      problems.push(`${rule.programme}: no parameters for this rule`);
      continue;
    }
    parsed[rule.programme] = entries.map((e) => {
      const values = rule.params.safeParse(e.values);
      if (!values.success) for (const issue of values.error.issues) for (const m of describe(issue)) problems.push(`${rule.programme} (valid from ${e.validFrom}): ${m}`);
      return { ...e, values: (values.success ? values.data : e.values) as Record<string, unknown> };
    });
  }
  return { problems, parsed };
}

const loaded = new Map<string, ParameterFile>();

/** The checked parameters of the rules; throws a StartupError naming every problem. */
export function loadParameters(rules: readonly Rule<unknown>[], path = parametersPath()): ParameterFile {
  const cached = loaded.get(path);
  if (cached) return cached;
  let raw: unknown;
  try {
    raw = parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new StartupError(`the benefit rules' parameters (${path}) could not be read: ${(error as Error).message.split('\n')[0]!.slice(0, 200)}`);
  }
  const { problems, parsed } = parameterProblems(raw, rules);
  if (problems.length) throw new StartupError(`the benefit rules' parameters (${path}) are not valid: ${problems.join('; ')}`);
  const frozen = Object.freeze(parsed);
  loaded.set(path, frozen);
  return frozen;
}

/** The entry valid on `today` (the latest validFrom not after it). */
export function entryOn(parameters: ParameterFile, programme: string, today: string): ParameterEntry {
  const entries = parameters[programme];
  if (!entries) throw new Error(`no parameters for programme ${programme}`);
  const valid = entries.filter((e) => e.validFrom <= today).sort((a, b) => b.validFrom.localeCompare(a.validFrom));
  if (!valid[0]) throw new Error(`no parameters of ${programme} valid on ${today}`);
  return valid[0];
}
