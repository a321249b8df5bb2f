/**
 * Reads the policy and the supergraph as they were at a git ref, for
 * `policy diff REF`. Uses `git show REF:path` so nothing in the working tree
 * is touched and no checkout is needed.
 */
import { execFileSync } from 'node:child_process';
import { parsePolicy, POLICY_FILES, PolicyError, type PolicySources } from './load.ts';
import type { Policy } from './model.ts';
import { listSchemaFields, type SchemaFields } from './schema-fields.ts';

/** Where the policy and the supergraph live, relative to the repository root. */
export const POLICY_PATH_IN_REPO = 'permissions/policy';
export const SUPERGRAPH_PATH_IN_REPO = 'schema/supergraph.graphql';

/** A problem with the ref or with what is stored there; the CLI prints the message alone. */
export class GitSnapshotError extends Error {
  override name = 'GitSnapshotError';
}

function git(repo: string, args: string[]): string {
  return execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
}

/** The file at `ref`, or undefined when the ref has no such file. */
function showFile(repo: string, ref: string, path: string): string | undefined {
  try {
    return git(repo, ['show', `${ref}:${path}`]);
  } catch {
    return undefined;
  }
}

export interface GitSnapshot {
  policy: Policy;
  fields: SchemaFields;
  /** What had to be assumed, e.g. the ref predates the policy files. */
  notes: string[];
}

const EMPTY_POLICY: Policy = { categories: {}, classification: {}, subjectTypes: {}, roots: {}, purposes: {}, clients: {} };
const NO_FIELDS: SchemaFields = { readable: [], byType: new Map(), mutationType: undefined, mutations: [] };

export function readSnapshotAtRef(repoDir: string, ref: string): GitSnapshot {
  let root: string;
  try {
    root = git(repoDir, ['rev-parse', '--show-toplevel']).trim();
  } catch {
    throw new GitSnapshotError(`${repoDir} is not inside a git repository`);
  }
  // `--end-of-options` keeps a ref such as `--output=x` from being read as an option.
  try {
    git(root, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]);
  } catch {
    throw new GitSnapshotError(`unknown git ref: ${ref}`);
  }

  const notes: string[] = [];
  const texts = POLICY_FILES.map((file) => [file, showFile(root, ref, `${POLICY_PATH_IN_REPO}/${file}`)] as const);
  let policy: Policy;
  if (texts.every(([, text]) => text === undefined)) {
    notes.push(`${ref} has no policy files under ${POLICY_PATH_IN_REPO}/: compared with an empty policy (nothing readable)`);
    policy = EMPTY_POLICY;
  } else {
    const sources = Object.fromEntries(
      texts.map(([file, text]) => [file, text ?? new Error(`missing at ${ref}`)]),
    ) as PolicySources;
    try {
      policy = parsePolicy(sources);
    } catch (e) {
      if (!(e instanceof PolicyError)) throw e;
      throw new GitSnapshotError(`the policy at ${ref} cannot be read:\n${e.problems.map((p) => `  - ${p}`).join('\n')}`);
    }
  }

  const sdl = showFile(root, ref, SUPERGRAPH_PATH_IN_REPO);
  let fields = NO_FIELDS;
  if (sdl === undefined) {
    notes.push(`${ref} has no ${SUPERGRAPH_PATH_IN_REPO}: compared with an empty schema`);
  } else {
    try {
      fields = listSchemaFields(sdl);
    } catch (e) {
      throw new GitSnapshotError(`the supergraph at ${ref} cannot be read: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  return { policy, fields, notes };
}
