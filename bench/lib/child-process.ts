/**
 * Benchmarked servers run in processes of their own, as they are deployed:
 * a gateway sharing its event loop with the load generator or the subgraphs
 * would be measured against their work too. A host is a forked TypeScript
 * module that answers one `start` message with what it started, then serves
 * numbered requests over IPC until it is told to close.
 */
import { fork, type ChildProcess } from 'node:child_process';

type Message = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

export interface Host<Started> {
  started: Started;
  pid: number | undefined;
  request<T>(command: string, payload?: unknown): Promise<T>;
  close(): Promise<void>;
}

export async function startHost<Started>(entry: URL, options: unknown, extraNodeArgs: string[] = []): Promise<Host<Started>> {
  const child: ChildProcess = fork(entry, [], {
    execArgv: ['--import', 'tsx', ...extraNodeArgs],
    env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let next = 0;
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  child.on('message', (message: Message) => {
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.ok) waiter?.resolve(message.value);
    else waiter?.reject(new Error(message.error));
  });
  child.on('exit', (code) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`${entry.pathname} exited (${code})`));
    pending.clear();
  });
  const request = <T>(command: string, payload?: unknown) =>
    new Promise<T>((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      child.send({ id, command, payload });
    });
  try {
    const started = await request<Started>('start', options);
    return {
      started,
      pid: child.pid,
      request,
      close: async () => {
        if (child.exitCode !== null) return;
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        await request('close').catch(() => {});
        await exited;
      },
    };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}

/** The child's side: runs `handlers[command](payload)` for each request; `close` ends the process. */
export function serveHost(handlers: Record<string, (payload: never) => unknown>, close: () => Promise<void>): void {
  const answer = async ({ id, command, payload }: { id: number; command: string; payload: never }) => {
    try {
      if (command === 'close') {
        await close();
        process.send!({ id, ok: true, value: null }, () => process.exit(0));
        return;
      }
      const handler = handlers[command];
      if (!handler) throw new Error(`unknown command ${command}`);
      process.send!({ id, ok: true, value: await handler(payload) });
    } catch (error) {
      process.send!({ id, ok: false, error: (error as Error).message });
    }
  };
  process.on('message', (message: Parameters<typeof answer>[0]) => void answer(message));
  // Orphaned (the benchmark was killed): do not linger.
  process.on('disconnect', () => process.exit(1));
}
