/**
 * `npm start`'s population-register key pair, kept in the data folder next to
 * the databases it belongs with: births wait in the outbox signed with it, so
 * a restart must not change it (platform/life-event-attestation.ts).
 * Deployed registers get theirs from configuration instead
 * (LIFE_EVENT_SIGNING_KEY, LIFE_EVENT_VERIFY_KEYS).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JWK } from 'jose';
import { generateLifeEventKeyPair } from '../platform/life-event-attestation.ts';
import { StartupError } from '../platform/startup-error.ts';

export async function loadOrCreateLifeEventKeys(dataDir: string): Promise<{ privateJwk: JWK; publicJwk: JWK }> {
  const file = join(dataDir, 'life-event-keys.json');
  try {
    if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as { privateJwk: JWK; publicJwk: JWK };
    mkdirSync(dataDir, { recursive: true, mode: 0o755 });
    const pair = await generateLifeEventKeyPair();
    writeFileSync(file, JSON.stringify(pair, null, 2), { mode: 0o600 });
    chmodSync(file, 0o600);
    return pair;
  } catch (error) {
    if (error instanceof SyntaxError) throw new StartupError(`${file} is not valid JSON: repair or remove it (births still in the outbox need the key it holds)`);
    throw new StartupError(`cannot write the data folder ${dataDir} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): set CITIZEN_GRAPH_DATA_DIR to a folder you can write`);
  }
}
