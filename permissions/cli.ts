/**
 * The privacy officer's command line:
 *
 *   npm run policy -- check
 *   npm run policy -- explain --purpose child-benefit-eligibility
 *   npm run policy -- matrix [--format markdown|html] [--out FILE]
 *   npm run policy -- diff origin/main
 *
 * Every command takes --policy-dir DIR and --schema FILE (default: this
 * repository's permissions/policy and schema/supergraph.graphql); diff also
 * takes --repo DIR, the git repository holding the old version.
 */
import { realpathSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadAndCheck, type Problem } from './check.ts';
import { diffPolicies, formatDiff } from './diff.ts';
import { explainPurpose, formatExplanation, UnknownPurposeError } from './explain.ts';
import { GitSnapshotError, POLICY_PATH_IN_REPO, readSnapshotAtRef, SUPERGRAPH_PATH_IN_REPO } from './git-snapshot.ts';
import { DEFAULT_POLICY_DIR } from './load.ts';
import { buildMatrix, renderHtml, renderMarkdown } from './matrix.ts';
import type { Policy } from './model.ts';
import { SUPERGRAPH_PATH, type SchemaFields } from './schema-fields.ts';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

const USAGE = `usage: npm run policy -- <command> [options]

commands:
  check                          validate the policy against the supergraph
  explain --purpose ID           what a purpose may read, on what basis, for which clients
  matrix [--format markdown|html] [--out FILE]
                                 purposes × categories table
  diff REF [--repo DIR]          what changed since git REF (e.g. origin/main)

options:
  --policy-dir DIR   policy files (default: permissions/policy)
  --schema FILE      supergraph SDL (default: schema/supergraph.graphql)
  --repo DIR         git repository for diff (default: this repository);
                     also moves the defaults above into DIR
  -h, --help         this text
`;

/** Wrong invocation: the message and the usage, exit code 2. */
class UsageError extends Error {}
/** The command ran and failed (e.g. a policy that cannot be read), exit code 1. */
class CommandError extends Error {}

interface Options {
  command: string | undefined;
  positionals: string[];
  purpose: string | undefined;
  format: string;
  out: string | undefined;
  policyDir: string;
  schema: string;
  repo: string;
  help: boolean;
}

function parseOptions(argv: string[]): Options {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        purpose: { type: 'string' },
        format: { type: 'string', default: 'markdown' },
        out: { type: 'string' },
        'policy-dir': { type: 'string' },
        schema: { type: 'string' },
        repo: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  const repo = values.repo !== undefined ? resolve(values.repo) : undefined;
  return {
    command: positionals[0],
    positionals: positionals.slice(1),
    purpose: values.purpose,
    format: values.format,
    out: values.out,
    policyDir: resolve(values['policy-dir'] ?? (repo ? join(repo, POLICY_PATH_IN_REPO) : DEFAULT_POLICY_DIR)),
    schema: resolve(values.schema ?? (repo ? join(repo, SUPERGRAPH_PATH_IN_REPO) : SUPERGRAPH_PATH)),
    repo: repo ?? REPO_ROOT,
    help: values.help,
  };
}

function printProblems(problems: Problem[], out: (line: string) => void): void {
  for (const [severity, label] of [
    ['error', 'errors'],
    ['warning', 'warnings'],
  ] as const) {
    const matching = problems.filter((p) => p.severity === severity);
    if (matching.length === 0) continue;
    out(`${label} (${matching.length}):`);
    for (const p of matching) out(`  - ${p.message.replace(/\n/g, '\n    ')}`);
  }
}

/**
 * The policy and schema for the commands that only report on them. A policy
 * that cannot be parsed is refused; one that parses but has errors (say, a
 * field not classified yet) is still reported on — `decide` is well defined
 * for it, denying what is unclassified — with a note on stderr, because
 * seeing what a half-finished change means is exactly what review needs.
 */
function loadForReading(options: Options): { policy: Policy; fields: SchemaFields } {
  const { policy, fields, problems } = loadAndCheck(options.policyDir, options.schema);
  const errors = problems.filter((p) => p.severity === 'error');
  if (!policy || !fields) {
    const lines: string[] = [];
    printProblems(errors, (line) => lines.push(line));
    throw new CommandError(`the policy cannot be read:\n${lines.join('\n')}`);
  }
  if (errors.length > 0) {
    console.error(`note: the policy has ${errors.length} error${errors.length === 1 ? '' : 's'}; see npm run policy -- check`);
  }
  return { policy, fields };
}

function runCheck(options: Options): number {
  const { policy, fields, problems } = loadAndCheck(options.policyDir, options.schema);
  printProblems(problems, (line) => console.log(line));
  const errors = problems.filter((p) => p.severity === 'error').length;
  if (errors > 0 || !policy || !fields) {
    console.log(`policy has ${errors} error${errors === 1 ? '' : 's'}`);
    return 1;
  }
  const classified = fields.readable.length;
  console.log(
    `policy OK: ${Object.keys(policy.purposes).length} purposes, ${Object.keys(policy.clients).length} clients, ${classified} fields classified`,
  );
  return 0;
}

function runExplain(options: Options): number {
  if (!options.purpose) throw new UsageError('explain needs --purpose ID');
  const { policy, fields } = loadForReading(options);
  try {
    process.stdout.write(formatExplanation(explainPurpose(policy, fields, options.purpose)));
  } catch (e) {
    if (e instanceof UnknownPurposeError) throw new CommandError(e.message);
    throw e;
  }
  return 0;
}

function runMatrix(options: Options): number {
  if (options.format !== 'markdown' && options.format !== 'html') {
    throw new UsageError(`unknown --format ${options.format}: use markdown or html`);
  }
  const { policy, fields } = loadForReading(options);
  const matrix = buildMatrix(policy, fields);
  const text = options.format === 'html' ? renderHtml(matrix) : renderMarkdown(matrix);
  if (options.out) {
    try {
      writeFileSync(options.out, text);
    } catch (e) {
      throw new CommandError(`cannot write ${options.out}: ${(e as Error).message}`);
    }
    console.log(`wrote ${options.out}`);
  } else {
    process.stdout.write(text);
  }
  return 0;
}

function runDiff(options: Options): number {
  const [ref, ...extra] = options.positionals;
  if (!ref) throw new UsageError('diff needs a git ref, e.g. npm run policy -- diff origin/main');
  if (extra.length) throw new UsageError(`diff takes one ref, got: ${options.positionals.join(' ')}`);
  const { policy, fields } = loadForReading(options);
  let before;
  try {
    before = readSnapshotAtRef(options.repo, ref);
  } catch (e) {
    if (e instanceof GitSnapshotError) throw new CommandError(e.message);
    throw e;
  }
  for (const note of before.notes) console.log(`note: ${note}`);
  process.stdout.write(formatDiff(diffPolicies(before, { policy, fields }), ref, 'the working tree'));
  return 0;
}

const COMMANDS: Record<string, (options: Options) => number> = {
  check: runCheck,
  explain: runExplain,
  matrix: runMatrix,
  diff: runDiff,
};

export function main(argv: string[]): number {
  try {
    const options = parseOptions(argv);
    if (options.help) {
      console.log(USAGE);
      return 0;
    }
    if (!options.command) throw new UsageError('no command given');
    const command = Object.hasOwn(COMMANDS, options.command) ? COMMANDS[options.command] : undefined;
    if (!command) throw new UsageError(`unknown command ${options.command}`);
    if (options.command !== 'diff' && options.positionals.length) {
      throw new UsageError(`unexpected argument ${options.positionals[0]}`);
    }
    return command(options);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`error: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    // Anything else is reported by its message alone: a privacy officer
    // needs to know what is wrong, not where in the CLI it was noticed.
    console.error(`error: ${(e as Error).message}`);
    return 1;
  }
}

function isEntryPoint(): boolean {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  process.exitCode = main(process.argv.slice(2));
}
