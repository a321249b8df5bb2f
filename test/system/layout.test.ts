/**
 * The layout the architecture states (docs/architecture.md), kept by reading
 * every module's imports: the gateway imports no agency folder, nothing but
 * tests and benchmarks imports `system/` (it only wires and starts), only
 * subgraph servers' wiring imports `subgraphs/kit`, and no agency imports another.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AGENCY_NAMES } from '../../platform/topology.ts';

const ROOTS = ['gateway', 'platform', 'permissions', 'subgraphs', 'events', 'offers', 'seed', 'schema', 'witness', 'system'];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' || name === 'dist' ? [] : files(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

/** Every relative import of a module that loads code (type-only imports load nothing), as a path from the repository root. */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8').replace(/(?:import|export)\s+type\b[^;]*?from\s+'[^']+'/g, '');
  return [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)'(\.{1,2}\/[^']+)'/g)].map((m) => normalize(join(dirname(file), m[1]!)));
}

const edges = ROOTS.flatMap((root) => files(root).map((file) => ({ file, imports: imports(file) })));
const offending = (from: (file: string) => boolean, to: (target: string) => boolean) =>
  edges.filter((e) => from(e.file)).flatMap((e) => e.imports.filter(to).map((t) => `${e.file} -> ${relative('.', t)}`));

describe('layout', () => {
  it('reads some imports (the check can fail)', () => {
    expect(edges.length).toBeGreaterThan(100);
    expect(offending((f) => f.startsWith('system/'), (t) => t.startsWith('gateway/')).length).toBeGreaterThan(0);
  });
  it('the gateway imports no agency folder', () => {
    expect(offending((f) => f.startsWith('gateway/'), (t) => t.startsWith('subgraphs/'))).toEqual([]);
  });
  it('system/ only wires and starts: nothing outside it imports it', () => {
    expect(offending((f) => !f.startsWith('system/'), (t) => t.startsWith('system/'))).toEqual([]);
  });
  it('subgraphs/kit is for subgraph servers: only subgraphs and their wiring import it', () => {
    expect(offending((f) => !f.startsWith('subgraphs/') && !f.startsWith('system/'), (t) => t.startsWith('subgraphs/kit/'))).toEqual([]);
  });
  it('platform/ depends on no service (the policy in permissions/ is shared like it)', () => {
    const services = ['gateway/', 'subgraphs/', 'events/', 'offers/', 'witness/', 'system/', 'seed/'];
    expect(offending((f) => f.startsWith('platform/'), (t) => services.some((s) => t.startsWith(s)))).toEqual([]);
  });
  it('no agency imports another agency', () => {
    for (const agency of AGENCY_NAMES) {
      expect(offending((f) => f.startsWith(`subgraphs/${agency}/`), (t) => AGENCY_NAMES.some((other) => other !== agency && t.startsWith(`subgraphs/${other}/`)))).toEqual([]);
    }
  });
});
