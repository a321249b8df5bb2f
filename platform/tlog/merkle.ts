/**
 * RFC 6962 / RFC 9162 §2.1 Merkle trees, as Certificate Transparency and the
 * C2SP tlog specifications use them: leaf hash SHA-256(0x00 || data), node
 * hash SHA-256(0x01 || left || right), the empty tree SHA-256("").
 *
 * No library on npm fits (merkletreejs has no domain separation and no
 * consistency proofs; @transmute/rfc9162 is a 0.0.x experiment that keeps the
 * whole tree in memory), so this is the small module, checked against the
 * transparency-dev/merkle test vectors (test/audit/merkle.test.ts).
 *
 * Storage-agnostic: a tree is its *perfect* subtrees, node (level, index)
 * covering leaves [index·2^level, (index+1)·2^level). A proof is planned first
 * (which stored nodes it needs: `inclusionPlan`, `consistencyPlan`), the nodes
 * are fetched in one go, then the proof is assembled (`assemble`). Sizes are
 * JavaScript numbers (exact to 2^53), so no 32-bit bit operators below.
 *
 * Browser-safe (the portal verifies proofs with this same code): no node: imports.
 */
import { sha256 } from '@noble/hashes/sha2.js';

export type Hash = Uint8Array;

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

export const leafHash = (data: Uint8Array): Hash => sha256(concat(LEAF_PREFIX, data));
export const nodeHash = (left: Hash, right: Hash): Hash => sha256(concat(NODE_PREFIX, left, right));
export const EMPTY_ROOT: Hash = sha256(new Uint8Array(0));

export function equalHashes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

const isPowerOfTwo = (n: number) => n > 0 && 2 ** Math.floor(Math.log2(n)) === n;
/** The largest power of two strictly smaller than n (n ≥ 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** A stored perfect subtree. */
export interface NodeId {
  level: number;
  index: number;
}
export const nodeKey = (n: NodeId) => `${n.level}:${n.index}`;

/**
 * The perfect subtrees whose hashes make MTH(D[start:end]), left to right.
 * `start` is aligned (a multiple of the smallest power of two ≥ end - start),
 * as every range the RFC's recursions produce is.
 */
export function rangeNodes(start: number, end: number): NodeId[] {
  const nodes: NodeId[] = [];
  let a = start;
  while (a < end) {
    const n = end - a;
    const size = isPowerOfTwo(n) ? n : splitPoint(n);
    const level = Math.log2(size);
    nodes.push({ level, index: a / size });
    a += size;
  }
  return nodes;
}

/** Folds a range's perfect subtrees (left to right) into its RFC 6962 hash: the rightmost ones combine first. */
export function foldRange(hashes: readonly Hash[]): Hash {
  if (hashes.length === 0) return EMPTY_ROOT;
  let acc = hashes[hashes.length - 1]!;
  for (let i = hashes.length - 2; i >= 0; i--) acc = nodeHash(hashes[i]!, acc);
  return acc;
}

/** A proof as the ranges whose hashes it lists, in the RFC's order. */
export type ProofPlan = readonly (readonly [start: number, end: number])[];

/** RFC 6962 §2.1.1 PATH(m, D[0:n]) as ranges. */
export function inclusionPlan(index: number, size: number): ProofPlan {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) throw new RangeError(`no leaf ${index} in a tree of ${size}`);
  const ranges: [number, number][] = [];
  const path = (m: number, a: number, b: number) => {
    if (b - a === 1) return;
    const k = splitPoint(b - a);
    if (m < k) {
      path(m, a, a + k);
      ranges.push([a + k, b]);
    } else {
      path(m - k, a + k, b);
      ranges.push([a, a + k]);
    }
  };
  path(index, 0, size);
  return ranges;
}

/** RFC 6962 §2.1.2 PROOF(m, D[0:n]) as ranges (empty when m is 0 or m = n). */
export function consistencyPlan(oldSize: number, newSize: number): ProofPlan {
  if (!Number.isSafeInteger(oldSize) || !Number.isSafeInteger(newSize) || oldSize < 0 || oldSize > newSize) throw new RangeError(`no consistency proof from ${oldSize} to ${newSize}`);
  if (oldSize === 0 || oldSize === newSize) return [];
  const ranges: [number, number][] = [];
  const subproof = (m: number, a: number, b: number, whole: boolean) => {
    const n = b - a;
    if (m === n) {
      if (!whole) ranges.push([a, b]);
      return;
    }
    const k = splitPoint(n);
    if (m <= k) {
      subproof(m, a, a + k, whole);
      ranges.push([a + k, b]);
    } else {
      subproof(m - k, a + k, b, false);
      ranges.push([a, a + k]);
    }
  };
  subproof(oldSize, 0, newSize, true);
  return ranges;
}

/** Every stored node a plan needs (deduplicated). */
export function planNodes(plan: ProofPlan): NodeId[] {
  const seen = new Map<string, NodeId>();
  for (const [a, b] of plan) for (const node of rangeNodes(a, b)) seen.set(nodeKey(node), node);
  return [...seen.values()];
}

/** The proof's hashes from fetched nodes; throws when one is missing (a store that lost nodes). */
export function assemble(plan: ProofPlan, nodes: ReadonlyMap<string, Hash>): Hash[] {
  return plan.map(([a, b]) =>
    foldRange(
      rangeNodes(a, b).map((node) => {
        const hash = nodes.get(nodeKey(node));
        if (!hash) throw new Error(`tree node ${nodeKey(node)} is missing`);
        return hash;
      }),
    ),
  );
}

/** The root of a tree of `size` leaves from its stored nodes (one node per set bit of size). */
export const rootPlan = (size: number): NodeId[] => rangeNodes(0, size);

/** RFC 9162 §2.1.3.2: does `leaf` sit at `index` of the tree of `size` whose root is `root`? */
export function verifyInclusion(index: number, size: number, leaf: Hash, proof: readonly Hash[], root: Hash): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  if (proof.some((p) => p.length !== 32) || leaf.length !== 32 || root.length !== 32) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn /= 2;
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equalHashes(r, root);
}

/** RFC 9162 §2.1.4.2: is the tree (newSize, newRoot) an append-only extension of (oldSize, oldRoot)? */
export function verifyConsistency(oldSize: number, newSize: number, proof: readonly Hash[], oldRoot: Hash, newRoot: Hash): boolean {
  if (!Number.isSafeInteger(oldSize) || !Number.isSafeInteger(newSize) || oldSize < 0 || oldSize > newSize) return false;
  if (oldSize === newSize) return proof.length === 0 && equalHashes(oldRoot, newRoot);
  if (oldSize === 0) return proof.length === 0;
  if (proof.length === 0 || proof.some((p) => p.length !== 32)) return false;
  const path = isPowerOfTwo(oldSize) ? [oldRoot, ...proof] : [...proof];
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn /= 2;
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equalHashes(fr, oldRoot) && equalHashes(sr, newRoot);
}

/**
 * The right edge of a growing tree (a compact range over [0, size)): appending
 * a leaf yields every perfect node it completes, so a store can keep them; the
 * root of the current size folds the edge. O(log n) memory.
 */
export class Frontier {
  private edge: { level: number; hash: Hash }[];
  constructor(
    public size = 0,
    edge: readonly Hash[] = [],
  ) {
    // The edge of a size holds one perfect node per set bit, largest first.
    const levels = rootPlan(size).map((n) => n.level);
    if (levels.length !== edge.length) throw new Error(`a tree of ${size} leaves has ${levels.length} edge nodes, not ${edge.length}`);
    this.edge = edge.map((hash, i) => ({ level: levels[i]!, hash }));
  }

  /** Adds a leaf hash; returns the perfect nodes completed (the leaf first). */
  append(leaf: Hash): { level: number; index: number; hash: Hash }[] {
    const index = this.size;
    const made = [{ level: 0, index, hash: leaf }];
    let node = { level: 0, hash: leaf };
    while (this.edge.length > 0 && this.edge[this.edge.length - 1]!.level === node.level) {
      const left = this.edge.pop()!;
      node = { level: node.level + 1, hash: nodeHash(left.hash, node.hash) };
      made.push({ level: node.level, index: Math.floor(index / 2 ** node.level), hash: node.hash });
    }
    this.edge.push(node);
    this.size += 1;
    return made;
  }

  root(): Hash {
    return foldRange(this.edge.map((e) => e.hash));
  }

  /** A copy to append to tentatively (kept only once the store has the new nodes). */
  clone(): Frontier {
    return new Frontier(this.size, this.edge.map((e) => e.hash));
  }
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 (RFC 4648 §4), as the C2SP formats use; no Buffer, so it runs in browsers too. */
export function toBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const [a, b, c] = [bytes[i]!, bytes[i + 1], bytes[i + 2]];
    const n = (a << 16) | ((b ?? 0) << 8) | (c ?? 0);
    out += B64[(n >> 18) & 63]! + B64[(n >> 12) & 63]! + (b === undefined ? '=' : B64[(n >> 6) & 63]!) + (c === undefined ? '=' : B64[n & 63]!);
  }
  return out;
}

/** Strict: canonical padding only, undefined for anything else. */
export function fromBase64(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  let at = 0;
  for (let i = 0; i < text.length; i += 4) {
    const n = [0, 1, 2, 3].reduce((acc, j) => (acc << 6) | (text[i + j] === '=' ? 0 : B64.indexOf(text[i + j]!)), 0);
    for (const shift of [16, 8, 0]) if (at < out.length) out[at++] = (n >> shift) & 255;
  }
  // Reject non-canonical encodings (bits set in the padding).
  return toBase64(out) === text ? out : undefined;
}

export const toHex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
export function fromHex(text: string): Uint8Array | undefined {
  if (text.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(text)) return undefined;
  return Uint8Array.from({ length: text.length / 2 }, (_, i) => parseInt(text.slice(i * 2, i * 2 + 2), 16));
}
