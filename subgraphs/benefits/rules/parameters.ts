/** The rules' parameters (parameters.yaml), each entry with its source and the day it applies from. */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';

const entry = z.strictObject({
  // YAML reads an unquoted date as a string here (core schema), kept as ISO.
  validFrom: z.union([z.string(), z.date()]).transform((v) => (typeof v === 'string' ? v : v.toISOString().slice(0, 10))),
  source: z.string().min(1),
  values: z.record(z.string(), z.unknown()),
});
const file = z.record(z.string(), z.array(entry).min(1));

export type ParameterEntry = z.infer<typeof entry>;

let cached: z.infer<typeof file> | undefined;
export function loadParameterFile(): z.infer<typeof file> {
  cached ??= file.parse(parse(readFileSync(new URL('./parameters.yaml', import.meta.url), 'utf8')));
  return cached;
}

/** The entry of a programme valid on `today` (the latest validFrom not after it). */
export function parametersFor(programme: string, today: string): ParameterEntry {
  const entries = loadParameterFile()[programme];
  if (!entries) throw new Error(`no parameters for programme ${programme}`);
  const valid = entries.filter((e) => e.validFrom <= today).sort((a, b) => b.validFrom.localeCompare(a.validFrom));
  if (!valid[0]) throw new Error(`no parameters of ${programme} valid on ${today}`);
  return valid[0];
}
