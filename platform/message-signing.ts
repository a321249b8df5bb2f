/**
 * Messages an agency sends a person carry the agency's signature: a compact
 * JWS (RFC 7515, ES256) over what the message says. The portal verifies it
 * against the senders' public keys the gateway publishes (`/portal/senders.json`),
 * letters print a short form of it, and e-mails carry it attached, so a reader
 * can tell the board's messages from look-alikes.
 */
import { CompactSign, compactVerify, exportJWK, generateKeyPair, importJWK, importPKCS8, type CryptoKey, type JWK, type KeyObject } from 'jose';

export const MESSAGE_JWS_TYPE = 'citizen-graph-message+jws';

/** What is signed: who sends it to whom, which message, and what it says. */
export interface SignedMessage {
  /** The sending agency (benefits, …). */
  iss: string;
  /** The recipient's personal code. */
  sub: string;
  /** The message's id in the sender's inbox. */
  jti: string;
  /** When it was written (seconds since the epoch). */
  iat: number;
  key: string;
  params: Record<string, unknown>;
  reference: string | null;
}

export interface MessageSigner {
  kid: string;
  sign(message: SignedMessage): Promise<string>;
}

export function messageSigner(privateKey: CryptoKey | KeyObject, kid: string): MessageSigner {
  return {
    kid,
    sign: (message) =>
      new CompactSign(new TextEncoder().encode(JSON.stringify(message))).setProtectedHeader({ alg: 'ES256', kid, typ: MESSAGE_JWS_TYPE }).sign(privateKey),
  };
}

export async function signerFromPem(pem: string, kid: string): Promise<MessageSigner> {
  return messageSigner(await importPKCS8(pem, 'ES256'), kid);
}

/** A sender as the portal knows it: the agency and its public key. */
export interface SenderKey extends JWK {
  kid: string;
  /** The agency (identity, tax, family, benefits). */
  agency: string;
}

/** A fresh key pair (development and tests): the signer for the agency, the public key for the gateway to publish. */
export async function generateSenderKey(agency: string): Promise<{ signer: MessageSigner; publicKey: SenderKey }> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = `${agency}-${Date.now().toString(36)}`;
  return { signer: messageSigner(privateKey, kid), publicKey: { ...(await exportJWK(publicKey)), kid, agency, alg: 'ES256', use: 'sig' } };
}

/** Verifies a message's JWS against the published senders; the signed message, or null when it does not verify. */
export async function verifyMessage(jws: string, senders: readonly SenderKey[]): Promise<(SignedMessage & { agency: string }) | null> {
  try {
    const header = JSON.parse(Buffer.from(jws.split('.')[0] ?? '', 'base64url').toString('utf8')) as { kid?: string };
    const sender = senders.find((s) => s.kid === header.kid);
    if (!sender) return null;
    const { payload } = await compactVerify(jws, await importJWK(sender, 'ES256'));
    const message = JSON.parse(new TextDecoder().decode(payload)) as SignedMessage;
    return message.iss === sender.agency ? { ...message, agency: sender.agency } : null;
  } catch {
    return null;
  }
}
