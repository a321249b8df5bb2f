/** Temp copies of the shipped policy for tests that break it on purpose; the real files are never touched. */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { DEFAULT_POLICY_DIR } from '../../permissions/load.ts';

const created: string[] = [];

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `citizen-graph-${prefix}-`));
  created.push(dir);
  return dir;
}

/** Removes every directory tempDir made; call from afterAll. */
export function removeTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function copyPolicy(into: string = tempDir('policy')): string {
  cpSync(DEFAULT_POLICY_DIR, into, { recursive: true });
  return into;
}

/**
 * Replaces one exact occurrence of `from` in a policy file. Fails the test
 * when `from` is not there exactly once, so an edit of the shipped policy
 * cannot make a test silently check nothing.
 */
export function editFile(dir: string, file: string, from: string | RegExp, to: string): void {
  const path = join(dir, file);
  const text = readFileSync(path, 'utf8');
  const matches = typeof from === 'string' ? text.split(from).length - 1 : (text.match(new RegExp(from, 'g')) ?? []).length;
  expect(matches, `${file} should contain ${String(from)} exactly once`).toBe(1);
  writeFileSync(path, text.replace(from, to));
}
