/**
 * CPU seconds used by the processes under test (user + system), from /proc:
 * the same reading for our host processes, Hive Gateway's CLI, node:cluster
 * workers and PostgreSQL's server processes. On a machine whose cores are all
 * busy, CPU per request says more about a gateway than its rps.
 *
 * A process group is counted as a tree: its root, every live descendant
 * (cluster workers, PostgreSQL's backends and its background processes), and
 * the children the root has already reaped (cutime/cstime), so a backend that
 * ends inside the measured window still counts. Taken before and after a run,
 * the difference is what the tree spent in between.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';

let ticksPerSecond: number | undefined;
const ticks = () => (ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100);

interface Stat {
  ppid: number;
  /** utime + stime, in clock ticks. */
  own: number;
  /** cutime + cstime: children already waited for, in clock ticks. */
  reaped: number;
}

function readStat(pid: number): Stat | undefined {
  try {
    // Fields after the command name (which may hold spaces, hence after the last ')'): ppid is the 4th field,
    // utime the 14th, stime the 15th, cutime the 16th, cstime the 17th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(')').at(-1)!.trim().split(' ');
    return { ppid: Number(fields[1]), own: Number(fields[11]) + Number(fields[12]), reaped: Number(fields[13]) + Number(fields[14]) };
  } catch {
    return undefined; // not Linux, or the process is gone
  }
}

/** CPU seconds of each process tree, from one pass over /proc (undefined for a root that is gone, or off Linux). */
export function treeCpuSeconds<G extends string>(roots: Record<G, number | undefined>): Record<G, number | undefined> {
  const stats = new Map<number, Stat>();
  const children = new Map<number, number[]>();
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    // not Linux: every group reads undefined
  }
  for (const entry of entries) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const stat = readStat(pid);
    if (!stat) continue;
    stats.set(pid, stat);
    children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), pid]);
  }
  const tree = (root: number): number | undefined => {
    const top = stats.get(root);
    if (!top) return undefined;
    let total = top.reaped;
    for (const queue = [root]; queue.length; ) {
      const pid = queue.pop()!;
      total += stats.get(pid)?.own ?? 0;
      queue.push(...(children.get(pid) ?? []));
    }
    return total / ticks();
  };
  return Object.fromEntries(Object.entries<number | undefined>(roots).map(([group, pid]) => [group, pid === undefined ? undefined : tree(pid)])) as Record<G, number | undefined>;
}

/** The PostgreSQL server's main process (the postmaster): the parent of the backend this connection gets. */
export async function postgresServerPid(connectionString: string): Promise<number | undefined> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    return readStat(rows[0]!.pid)?.ppid;
  } finally {
    await client.end();
  }
}
