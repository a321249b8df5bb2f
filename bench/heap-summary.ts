/**
 * Compares V8 heap snapshots (from `bench/soak.ts --heap-snapshots`): total
 * self size and object count, and the constructors whose retained self size
 * grew most from the first snapshot to the last. A leak shows as a
 * constructor that keeps growing; a heap that levels off shows none.
 *
 *   npx tsx bench/heap-summary.ts first.heapsnapshot last.heapsnapshot [--top 15]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

function summarize(file: string): { total: number; count: number; byName: Map<string, { size: number; count: number }> } {
  const data = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const fields = data.snapshot.meta.node_fields;
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [number, number, number];
  const types = data.snapshot.meta.node_types[0];
  const byName = new Map<string, { size: number; count: number }>();
  let total = 0;
  for (let i = 0; i < data.nodes.length; i += width) {
    const type = types[data.nodes[i + typeAt]!]!;
    // Group objects by constructor; everything else by its kind (strings, code, arrays, closures…).
    const name = type === 'object' ? data.strings[data.nodes[i + nameAt]!]! : `(${type})`;
    const size = data.nodes[i + sizeAt]!;
    total += size;
    const entry = byName.get(name) ?? { size: 0, count: 0 };
    entry.size += size;
    entry.count += 1;
    byName.set(name, entry);
  }
  return { total, count: data.nodes.length / width, byName };
}

const { positionals, values } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '15' } } });
if (positionals.length < 2) {
  console.error('usage: npx tsx bench/heap-summary.ts first.heapsnapshot last.heapsnapshot');
  process.exit(2);
}
const [first, last] = [summarize(positionals[0]!), summarize(positionals.at(-1)!)];
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
console.log(`heap: ${mb(first.total)} in ${first.count} objects → ${mb(last.total)} in ${last.count} objects`);
const names = new Set([...first.byName.keys(), ...last.byName.keys()]);
const growth = [...names]
  .map((name) => ({ name, before: first.byName.get(name) ?? { size: 0, count: 0 }, after: last.byName.get(name) ?? { size: 0, count: 0 } }))
  .sort((a, b) => b.after.size - b.before.size - (a.after.size - a.before.size))
  .slice(0, Number(values.top));
console.log('\n| constructor / kind | self size first | self size last | count first | count last |\n|---|---:|---:|---:|---:|');
for (const g of growth) console.log(`| ${g.name.slice(0, 60)} | ${mb(g.before.size)} | ${mb(g.after.size)} | ${g.before.count} | ${g.after.count} |`);
