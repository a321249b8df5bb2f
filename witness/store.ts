/**
 * The witness's own storage: one small JSON file per log in its data folder,
 * nowhere near the audit database. A write goes to a temporary file, is
 * fsynced and renamed over the old one (and the folder fsynced), so a crash
 * leaves the old state or the new one, never half of either; the protocol
 * wants the new state durable before the cosignature is returned.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, openSync, fsyncSync, closeSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { WitnessedHead } from './decide.ts';

export interface WitnessStore {
  latest(origin: string): WitnessedHead | undefined;
  save(head: WitnessedHead): void;
}

export function fileStore(dir: string): WitnessStore {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const cache = new Map<string, WitnessedHead>();
  const file = (origin: string) => join(dir, `log-${createHash('sha256').update(origin).digest('hex').slice(0, 32)}.json`);
  return {
    latest(origin) {
      if (cache.has(origin)) return cache.get(origin);
      const path = file(origin);
      if (!existsSync(path)) return undefined;
      const head = JSON.parse(readFileSync(path, 'utf8')) as WitnessedHead;
      if (head.origin !== origin) throw new Error(`${path} holds another log's state`);
      cache.set(origin, head);
      return head;
    },
    save(head) {
      const path = file(head.origin);
      const temporary = `${path}.${process.pid}.tmp`;
      writeFileSync(temporary, JSON.stringify(head, null, 2), { mode: 0o600 });
      const fd = openSync(temporary, 'r');
      fsyncSync(fd);
      closeSync(fd);
      renameSync(temporary, path);
      const dirFd = openSync(dir, 'r');
      fsyncSync(dirFd);
      closeSync(dirFd);
      cache.set(head.origin, head);
    },
  };
}
