/**
 * The development audit log key and witness key, kept in the data folder of
 * `npm start` (created on first start, mode 600), so that checkpoints signed
 * yesterday still verify today and the witness remembers what it cosigned.
 * `npm run audit` reads the same files. In production the keys come from
 * AUDIT_LOG_KEY and WITNESS_KEY instead (docs/configuration.md).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { formatSignerKey, generateSigner, parseSignerKey, type Signer } from './tlog/note.ts';

export const DEV_LOG_NAME = 'citizen-graph.local/audit';
export const DEV_WITNESS_NAME = 'citizen-graph.local/witness';

export const auditLogKeyFile = (dataDir: string) => join(dataDir, 'audit-log.key');
export const witnessDir = (dataDir: string) => join(dataDir, 'witness');
export const witnessKeyFile = (dataDir: string) => join(witnessDir(dataDir), 'witness.key');

export function loadOrCreateSigner(file: string, name: string): Signer {
  if (existsSync(file)) return parseSignerKey(readFileSync(file, 'utf8'));
  const signer = generateSigner(name);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${formatSignerKey(signer)}\n`, { mode: 0o600 });
  return signer;
}

export function readSigner(file: string): Signer | undefined {
  return existsSync(file) ? parseSignerKey(readFileSync(file, 'utf8')) : undefined;
}
