/**
 * The policy's digest: SHA-256 of its canonical JSON (RFC 8785). The gateway
 * signs it into every subgraph call and each subgraph compares it with its
 * own, so two versions of the policy never judge the same request.
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { Policy } from './model.ts';

const digests = new WeakMap<Policy, string>();

export function policyDigest(policy: Policy): string {
  let digest = digests.get(policy);
  if (!digest) digests.set(policy, (digest = createHash('sha256').update(canonicalize(policy) ?? '').digest('base64url')));
  return digest;
}
