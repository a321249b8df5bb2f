/**
 * The gateway's Ed25519 key pair for the signed subgraph context, from
 * configuration: PEM (PKCS#8 private / SPKI public) or JWK JSON. Only the
 * gateway holds the private key; each subgraph is given the public one.
 */
import { exportJWK, exportPKCS8, exportSPKI, generateKeyPair, importJWK, importPKCS8, importSPKI, type CryptoKey, type JWK, type KeyObject } from 'jose';

type Key = CryptoKey | KeyObject;

async function importKey(raw: string, kind: 'private' | 'public'): Promise<Key> {
  const text = raw.trim();
  if (text.startsWith('{')) {
    const jwk = JSON.parse(text) as JWK;
    if (kind === 'private' && !jwk.d) throw new Error('GATEWAY_CONTEXT_PRIVATE_KEY is a public JWK; the gateway needs the private key');
    if (kind === 'public' && jwk.d) throw new Error('GATEWAY_CONTEXT_PUBLIC_KEY contains a private key: give subgraphs the public key only');
    return (await importJWK(kind === 'public' ? { kty: jwk.kty, crv: jwk.crv, x: jwk.x } : jwk, 'EdDSA')) as Key;
  }
  return kind === 'private' ? importPKCS8(text, 'EdDSA') : importSPKI(text, 'EdDSA');
}

export async function importContextPrivateKey(raw: string): Promise<Key> {
  try {
    return await importKey(raw, 'private');
  } catch (error) {
    throw new Error(`GATEWAY_CONTEXT_PRIVATE_KEY could not be read as an Ed25519 private key (${(error as Error).message.slice(0, 120)})`, { cause: error });
  }
}

/**
 * GATEWAY_CONTEXT_PUBLIC_KEY as a subgraph reads it: one key (PEM or JWK), or
 * during a rotation a JWK Set holding the current and the next (or previous)
 * key; the token's key id picks one.
 */
export async function importContextPublicKeys(raw: string): Promise<Key | Key[]> {
  const text = raw.trim();
  if (!text.startsWith('{') || !('keys' in (JSON.parse(text) as object))) return importContextPublicKey(raw);
  const { keys } = JSON.parse(text) as { keys?: unknown };
  if (!Array.isArray(keys) || keys.length === 0 || keys.length > 5) throw new Error('GATEWAY_CONTEXT_PUBLIC_KEY as a JWK Set holds one to five Ed25519 public keys');
  return Promise.all(keys.map((jwk) => importContextPublicKey(JSON.stringify(jwk))));
}

export async function importContextPublicKey(raw: string): Promise<Key> {
  try {
    return await importKey(raw, 'public');
  } catch (error) {
    throw new Error(`GATEWAY_CONTEXT_PUBLIC_KEY could not be read as an Ed25519 public key (${(error as Error).message.slice(0, 120)})`, { cause: error });
  }
}

/** A fresh pair as PEM and JWK: for tests, and for `npx tsx system/context-keys.ts` to print one. */
export async function generateContextKeyPair(): Promise<{ privatePem: string; publicPem: string; publicJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true });
  return { privatePem: await exportPKCS8(privateKey), publicPem: await exportSPKI(publicKey), publicJwk: await exportJWK(publicKey) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const pair = await generateContextKeyPair();
  process.stdout.write(`# gateway only\nGATEWAY_CONTEXT_PRIVATE_KEY="${pair.privatePem.trim()}"\n# every subgraph\nGATEWAY_CONTEXT_PUBLIC_KEY="${pair.publicPem.trim()}"\n`);
}
