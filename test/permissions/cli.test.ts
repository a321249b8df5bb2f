/**
 * The privacy officer's CLI, run as a child process the way `npm run policy`
 * runs it. Expectations are computed from the policy and `decide`, not
 * copied from the output, so they follow the policy as it evolves. Broken
 * policies and git history live in temp dirs; the repository is never touched.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { classify } from '../../permissions/decide.ts';
import { grantDecision } from '../../permissions/evaluate.ts';
import { DEFAULT_POLICY_DIR, loadPolicy } from '../../permissions/load.ts';
import { matrixCategories } from '../../permissions/matrix.ts';
import { listSchemaFields, readSupergraphSdl, SUPERGRAPH_PATH } from '../../permissions/schema-fields.ts';
import { copyPolicy, editFile, removeTempDirs, tempDir } from './helpers.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const CLI = join(ROOT, 'permissions', 'cli.ts');

/** The shipped policy files as they were when the suite started: the tests must leave them so. */
const policySnapshot = () => Object.fromEntries(readdirSync(DEFAULT_POLICY_DIR).map((f) => [f, readFileSync(join(DEFAULT_POLICY_DIR, f), 'utf8')]));
const before = policySnapshot();

afterAll(() => {
  removeTempDirs();
  expect(policySnapshot()).toEqual(before);
});

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function policyCli(...args: string[]): Run {
  const result = spawnSync(TSX, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** No stack traces for a privacy officer: a Node stack frame looks like "    at fn (file:line:col)". */
const hasStackTrace = (run: Run) => /^\s+at .+:\d+:\d+\)?$/m.test(run.stdout + run.stderr);

const policy = loadPolicy();
const fields = listSchemaFields(readSupergraphSdl());
const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

describe('policy check', () => {
  it('passes the shipped policy and counts purposes, clients and classified fields', () => {
    const run = policyCli('check');
    expect(run.status).toBe(0);
    const match = run.stdout.match(/policy OK: (\d+) purposes, (\d+) clients, (\d+) fields classified/);
    expect(match, run.stdout + run.stderr).not.toBeNull();
    expect(Number(match![1])).toBe(Object.keys(policy.purposes).length);
    expect(Number(match![2])).toBe(Object.keys(policy.clients).length);
    expect(Number(match![3])).toBe(fields.readable.length);
  });

  it('fails on an error, names it, and does not claim the policy is OK', () => {
    const dir = copyPolicy();
    editFile(dir, 'classification.yaml', 'givenName: identity.name', 'givenName: identity.nmae');
    const run = policyCli('check', '--policy-dir', dir);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/errors \(1\):\n\s+- Citizen\.givenName is classified as identity\.nmae/);
    expect(run.stdout).toContain('policy has 1 error');
    expect(run.stdout).not.toContain('policy OK');
  });

  it('passes with warnings, listed apart from errors', () => {
    const dir = copyPolicy();
    editFile(dir, 'purposes.yaml', /(tax-assessment:[\s\S]*?legalBasis:\n\s+kind: )statute/, '$1contract');
    const run = policyCli('check', '--policy-dir', dir);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/warnings \(1\):\n\s+- purpose tax-assessment reaches any person/);
    expect(run.stdout).not.toContain('errors (');
    expect(run.stdout).toContain('policy OK');
  });

  it('reports a YAML syntax error by file, without a stack trace', () => {
    const dir = copyPolicy();
    editFile(dir, 'clients.yaml', 'purposes: [self-service]', 'purposes: [self-service');
    const run = policyCli('check', '--policy-dir', dir);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('clients.yaml:');
    expect(hasStackTrace(run)).toBe(false);
  });

  it('checks against another supergraph with --schema', () => {
    const dir = tempDir('schema');
    const schema = join(dir, 'supergraph.graphql');
    writeFileSync(schema, readSupergraphSdl().replace(/(type Citizen\b[^{]*\{\n)/, '$1  shoeSize: Int @join__field(graph: IDENTITY)\n'));
    const run = policyCli('check', '--schema', schema);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('Citizen.shoeSize is not classified: add it to classification.yaml');
  });
});

describe('policy explain', () => {
  /** The lines of an explain section, up to the next blank line. */
  function section(output: string, heading: RegExp): string[] {
    const lines = output.split('\n');
    const start = lines.findIndex((l) => heading.test(l));
    if (start < 0) return [];
    const end = lines.findIndex((l, i) => i > start && l.trim() === '');
    return lines.slice(start + 1, end < 0 ? undefined : end);
  }

  for (const purposeId of Object.keys(policy.purposes)) {
    it(`explains ${purposeId}: terms, clients, and exactly the fields decide() grants`, () => {
      const purpose = policy.purposes[purposeId]!;
      const run = policyCli('explain', '--purpose', purposeId);
      expect(run.status).toBe(0);
      expect(oneLine(run.stdout)).toContain(oneLine(purpose.legalBasis.reference));
      expect(run.stdout).toMatch(new RegExp(`assurance\\s+at least ${purpose.acr}`));
      for (const subject of purpose.subjects) expect(run.stdout).toMatch(new RegExp(`subjects\\s+.*\\b${subject}\\b`));
      const clientsLine = run.stdout.split('\n').find((l) => l.trimStart().startsWith('clients'))!;
      for (const [clientId, client] of Object.entries(policy.clients)) {
        expect(clientsLine.includes(clientId), clientId).toBe(client.purposes.includes(purposeId));
      }

      const personal = fields.readable.filter((f) => ![undefined, 'public'].includes(classify(policy, f)));
      const listed = new Set(section(run.stdout, /^may read /).map((l) => l.trim()));
      const granted = personal.filter((f) => grantDecision(policy, purposeId, f).allow);
      expect(granted.filter((f) => !listed.has(f))).toEqual([]);
      expect(personal.filter((f) => listed.has(f) && !granted.includes(f))).toEqual([]);

      const deniedListed = new Set(section(run.stdout, /^explicitly denied/).map((l) => l.trim()));
      const denied = personal.filter((f) => {
        const d = grantDecision(policy, purposeId, f);
        return !d.allow && d.reason === 'EXPLICITLY_DENIED';
      });
      for (const field of denied) expect(deniedListed.has(field), field).toBe(true);
    });
  }

  it('refuses an unknown purpose with a clear message and the known ones', () => {
    const run = policyCli('explain', '--purpose', 'no-such-purpose');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('unknown purpose no-such-purpose');
    expect(run.stderr).toContain(Object.keys(policy.purposes)[0]!);
    expect(hasStackTrace(run)).toBe(false);
  });

  it('still explains a policy with errors, noting them on stderr', () => {
    const dir = tempDir('schema');
    const schema = join(dir, 'supergraph.graphql');
    writeFileSync(schema, readSupergraphSdl().replace(/(type Citizen\b[^{]*\{\n)/, '$1  shoeSize: Int @join__field(graph: IDENTITY)\n'));
    const run = policyCli('explain', '--purpose', 'self-service', '--schema', schema);
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('the policy has 1 error');
    expect(run.stdout).not.toContain('Citizen.shoeSize'); // unclassified: readable by nobody
  });

  it('refuses to explain a policy it cannot parse', () => {
    const dir = copyPolicy();
    editFile(dir, 'categories.yaml', 'categories:\n', 'categoriez:\n');
    const run = policyCli('explain', '--purpose', 'self-service', '--policy-dir', dir);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('the policy cannot be read');
    expect(run.stderr).toContain('categories.yaml');
    expect(hasStackTrace(run)).toBe(false);
  });

  it('treats a missing --purpose as bad usage', () => {
    const run = policyCli('explain');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('explain needs --purpose');
    expect(run.stderr).toContain('usage:');
  });
});

describe('usage errors', () => {
  it.each([
    [['frobnicate'], 'unknown command frobnicate'],
    [[], 'no command given'],
    [['check', '--no-such-option'], 'no-such-option'],
    [['matrix', '--format', 'pdf'], 'unknown --format pdf'],
    [['diff'], 'diff needs a git ref'],
  ])('policy %j exits 2 with a message', (args, message) => {
    const run = policyCli(...args);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(message);
    expect(hasStackTrace(run)).toBe(false);
  });
});

describe('policy matrix', () => {
  /** Splits a markdown table row on unescaped pipes. */
  const cells = (row: string) =>
    row
      .trim()
      .replace(/^\||\|$/g, '')
      .split(/(?<!\\)\|/)
      .map((c) => c.trim().replace(/\\\|/g, '|'));

  it('prints a markdown table: one row per purpose, top-level and leaf categories, legal basis', () => {
    const run = policyCli('matrix');
    expect(run.status).toBe(0);
    const [header, separator, ...rows] = run.stdout.trim().split('\n');
    const columns = cells(header!);
    expect(columns).toEqual(['purpose', ...matrixCategories(policy), 'legal basis']);
    expect(cells(separator!).every((c) => /^-+$/.test(c))).toBe(true);
    expect(rows).toHaveLength(Object.keys(policy.purposes).length);

    for (const row of rows) {
      const [label, ...rest] = cells(row);
      const id = label!.replace(/ \(internal\)$/, '');
      const purpose = policy.purposes[id]!;
      expect(purpose, label).toBeDefined();
      expect(label!.endsWith('(internal)')).toBe(purpose.internal);
      expect(rest.at(-1)).toBe(`${purpose.legalBasis.kind}: ${oneLine(purpose.legalBasis.reference)}`);
      const cellOf = (category: string) => rest[columns.indexOf(category) - 1];
      // What the YAML says plainly must show plainly: a granted category with
      // nothing denied inside is "granted", a denied one is "denied".
      for (const category of purpose.read.categories) {
        const carved = [...purpose.deny.categories, ...purpose.deny.fields.map((f) => classify(policy, f) ?? '')].some((d) => d.startsWith(category));
        if (columns.includes(category) && !carved) expect(cellOf(category), `${id} ${category}`).toBe('granted');
      }
      for (const category of purpose.deny.categories) {
        if (columns.includes(category)) expect(cellOf(category), `${id} ${category}`).toBe('denied');
      }
      // A category the purpose never mentions and no field grant touches is "–".
      for (const category of matrixCategories(policy)) {
        const mentioned =
          [...purpose.read.categories, ...purpose.deny.categories].some((c) => c.startsWith(category) || category.startsWith(c)) ||
          [...purpose.read.fields, ...purpose.deny.fields].some((f) => (classify(policy, f) ?? '').startsWith(category));
        if (!mentioned) expect(cellOf(category), `${id} ${category}`).toBe('–');
      }
    }
  });

  it('writes a standalone, escaped HTML table with --out', () => {
    const dir = copyPolicy();
    editFile(dir, 'purposes.yaml', /(privacy-oversight:[\s\S]*?reference: >-\n)/, '$1        <script>alert("x")</script> & Co |\n');
    const out = join(tempDir('matrix'), 'matrix.html');
    const run = policyCli('matrix', '--format', 'html', '--out', out, '--policy-dir', dir);
    expect(run.status).toBe(0);
    expect(existsSync(out)).toBe(true);
    const html = readFileSync(out, 'utf8');
    expect(html.trimStart().toLowerCase().startsWith('<!doctype html>')).toBe(true);
    expect(html).toMatch(/<\/html>\s*$/);
    expect(html.match(/<table>/g)).toHaveLength(1);
    expect(html).not.toMatch(/<(script|link)\b/i); // no injected or external content
    expect(html).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; Co |');
    for (const id of Object.keys(policy.purposes)) expect(html).toContain(id);

    const markdown = policyCli('matrix', '--policy-dir', dir);
    expect(markdown.stdout).toContain('& Co \\|');
  });
});

describe('policy diff', () => {
  const git = (repo: string, ...args: string[]) => {
    const result = spawnSync('git', ['-C', repo, '-c', 'user.name=Test', '-c', 'user.email=test@example.org', '-c', 'commit.gpgsign=false', ...args], {
      encoding: 'utf8',
    });
    if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
    return result.stdout;
  };

  /** A git repo under /tmp holding a commit without the policy, then one with the shipped policy and supergraph. */
  function repoWithPolicy(): { repo: string; policyDir: string; schema: string } {
    const repo = tempDir('repo');
    git(repo, 'init', '-q');
    writeFileSync(join(repo, 'README.md'), 'before the policy\n');
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'no policy yet');
    const policyDir = join(repo, 'permissions', 'policy');
    const schema = join(repo, 'schema', 'supergraph.graphql');
    mkdirSync(join(repo, 'schema'), { recursive: true });
    copyPolicy(policyDir);
    cpSync(SUPERGRAPH_PATH, schema);
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'policy');
    return { repo, policyDir, schema };
  }

  /** Lines of one purpose's block in the diff output. */
  function purposeBlock(output: string, purposeId: string): string[] {
    const lines = output.split('\n');
    const start = lines.findIndex((l) => l === `purpose ${purposeId}` || l.startsWith(`purpose ${purposeId} (`));
    if (start < 0) return [];
    const end = lines.findIndex((l, i) => i > start && l.trim() === '');
    return lines.slice(start, end < 0 ? undefined : end);
  }
  const added = (block: string[]) => block.filter((l) => l.trim().startsWith('+ ')).map((l) => l.trim().slice(2));
  const removed = (block: string[]) => block.filter((l) => l.trim().startsWith('- ')).map((l) => l.trim().slice(2));

  it('reports no changes against the same commit', () => {
    const { repo } = repoWithPolicy();
    const run = policyCli('diff', 'HEAD', '--repo', repo);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('no changes');
  });

  it('lists per purpose the fields newly and no longer readable, legal-basis and client changes', () => {
    const { repo, policyDir, schema } = repoWithPolicy();
    // child-benefit-eligibility: gains the address, loses income.
    editFile(policyDir, 'purposes.yaml', '        - financial.income # income-tested supplements\n', '        - identity.address\n');
    // tax-assessment: new legal basis.
    editFile(policyDir, 'purposes.yaml', 'EE Income Tax Act § 46', 'EE Income Tax Act § 46 and § 47');
    // caseworker-app may now also use privacy-oversight.
    editFile(policyDir, 'clients.yaml', 'purposes: [child-benefit-eligibility, contest-review]', 'purposes: [child-benefit-eligibility, contest-review, privacy-oversight]');
    // An agency adds a field, classified identity.civil.
    writeFileSync(schema, readFileSync(schema, 'utf8').replace(/(type Citizen\b[^{]*\{\n)/, '$1  shoeSize: Int @join__field(graph: IDENTITY)\n'));
    editFile(policyDir, 'classification.yaml', '    sex: identity.civil\n', '    sex: identity.civil\n    shoeSize: identity.civil\n');

    const run = policyCli('diff', 'HEAD', '--repo', repo);
    expect(run.status, run.stderr).toBe(0);
    const fieldsIn = (category: string) => fields.readable.filter((f) => classify(policy, f) === category);

    const childBenefit = purposeBlock(run.stdout, 'child-benefit-eligibility');
    expect(added(childBenefit).sort()).toEqual(fieldsIn('identity.address').sort());
    expect(removed(childBenefit).sort()).toEqual(fieldsIn('financial.income').sort());

    const tax = purposeBlock(run.stdout, 'tax-assessment');
    expect(tax.join('\n')).toMatch(/legal basis: .*EE Income Tax Act § 46\n\s+→ .*EE Income Tax Act § 46 and § 47/);
    expect(added(tax)).toEqual([]);

    // The new field reaches exactly the purposes that grant identity.civil (self-service reads all of identity).
    for (const [id, purpose] of Object.entries(policy.purposes)) {
      const reachesCivil = purpose.read.categories.some((c) => 'identity.civil'.startsWith(c));
      expect(added(purposeBlock(run.stdout, id)).includes('Citizen.shoeSize'), id).toBe(reachesCivil);
    }
    // Purposes with nothing changed are not listed at all.
    const unchanged = Object.entries(policy.purposes).find(
      ([id, p]) => !['child-benefit-eligibility', 'tax-assessment'].includes(id) && !p.read.categories.some((c) => 'identity.civil'.startsWith(c)),
    )?.[0];
    expect(unchanged, 'some purpose is untouched by this change').toBeDefined();
    expect(purposeBlock(run.stdout, unchanged!)).toEqual([]);

    expect(run.stdout).toMatch(/clients\n(.*\n)*\s+caseworker-app: \+privacy-oversight/);
    expect(run.stdout).toMatch(/Citizen\.shoeSize: \(none\) → identity\.civil/);
  });

  it('reports a raised assurance floor as a category change and per field', () => {
    const { repo, policyDir } = repoWithPolicy();
    const floored = Object.entries(policy.categories).find(([name, c]) => !name.includes('.') && c.minAcr === 'substantial')?.[0];
    expect(floored, 'the shipped policy has a top-level category with minAcr substantial').toBeDefined();
    editFile(policyDir, 'categories.yaml', new RegExp(`(\\n  ${floored}:\\n[^]*?minAcr: )substantial`), '$1high');

    const run = policyCli('diff', 'HEAD', '--repo', repo);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`categories\n  ${floored}: minAcr substantial → high`);
    for (const [id, purpose] of Object.entries(policy.purposes)) {
      const block = purposeBlock(run.stdout, id).join('\n');
      for (const field of fields.readable.filter((f) => (classify(policy, f) ?? '').startsWith(floored!))) {
        const readable = grantDecision(policy, id, field).allow;
        const expected = readable && purpose.acr !== 'high';
        expect(block.includes(`~ ${field}: substantial → high`), `${id} ${field}`).toBe(expected);
      }
      expect(block.includes('+ ') || block.includes('- ')).toBe(false);
    }
  });

  it('compares with an empty policy when the ref predates the policy files', () => {
    const { repo } = repoWithPolicy();
    const run = policyCli('diff', 'HEAD~1', '--repo', repo);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('HEAD~1 has no policy files');
    expect(purposeBlock(run.stdout, 'self-service')[0]).toBe('purpose self-service (added)');
  });

  it('refuses an unknown ref with a clear message', () => {
    const { repo } = repoWithPolicy();
    const run = policyCli('diff', 'no-such-branch', '--repo', repo);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('unknown git ref: no-such-branch');
    expect(hasStackTrace(run)).toBe(false);
  });

  it('refuses a directory that is not a git repository', () => {
    const run = policyCli('diff', 'HEAD', '--repo', tempDir('not-a-repo'), '--policy-dir', DEFAULT_POLICY_DIR, '--schema', SUPERGRAPH_PATH);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('is not inside a git repository');
  });
});
