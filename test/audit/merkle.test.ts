/**
 * The RFC 6962 tree against the transparency-dev/merkle reference vectors
 * (leaf inputs, roots for sizes 0-8, inclusion and consistency proofs), every
 * proof of every pair of sizes up to 40 checked against the verifiers, and the
 * corruptions the reference suite tries refused. Signed notes: key formats,
 * rotation by key id, a changed byte refused.
 */
import { describe, expect, it } from 'vitest';
import {
  EMPTY_ROOT, Frontier, assemble, consistencyPlan, foldRange, fromBase64, fromHex, inclusionPlan, leafHash, nodeKey, planNodes, rootPlan, toBase64, toHex,
  verifyConsistency, verifyInclusion, type Hash,
} from '../../platform/tlog/merkle.ts';
import { generateSigner, formatSignerKey, formatVerifierKey, parseSignerKey, parseVerifierKey, signNote, verifyNote, NoteError } from '../../platform/tlog/note.ts';
import { openCheckpoint, parseCheckpointText, signCheckpoint } from '../../platform/tlog/checkpoint.ts';

const h = (hex: string) => fromHex(hex)!;
const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(h);
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

/** An in-memory store of perfect nodes, built by the frontier as a real store is. */
function buildTree(leaves: readonly Hash[]) {
  const frontier = new Frontier();
  const nodes = new Map<string, Hash>();
  const roots: Hash[] = [frontier.root()];
  for (const leaf of leaves) {
    for (const node of frontier.append(leaf)) nodes.set(nodeKey(node), node.hash);
    roots.push(frontier.root());
  }
  return { nodes, roots };
}

describe('RFC 6962 tree hashing (transparency-dev/merkle vectors)', () => {
  const { nodes, roots } = buildTree(LEAVES.map(leafHash));

  it('gives the reference root for every size 0-8, incrementally and from stored nodes', () => {
    expect(toHex(EMPTY_ROOT)).toBe(ROOTS[0]);
    roots.forEach((root, size) => expect(toHex(root), `size ${size}`).toBe(ROOTS[size]));
    for (let size = 1; size <= 8; size++) expect(toHex(foldRange(rootPlan(size).map((n) => nodes.get(nodeKey(n))!)))).toBe(ROOTS[size]);
  });

  it('gives the reference inclusion proofs', () => {
    const proof = (index: number, size: number) => assemble(inclusionPlan(index, size), nodes).map(toHex);
    expect(proof(0, 8)).toEqual(['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4']);
    expect(proof(5, 8)).toEqual(['bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7']);
    expect(proof(2, 3)).toEqual(['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']);
    expect(proof(1, 5)).toEqual(['6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b']);
  });

  it('gives the reference consistency proofs', () => {
    const proof = (m: number, n: number) => assemble(consistencyPlan(m, n), nodes).map(toHex);
    expect(proof(1, 1)).toEqual([]);
    expect(proof(1, 8)).toEqual(['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4']);
    expect(proof(6, 8)).toEqual(['0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7']);
    expect(proof(2, 5)).toEqual(['5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b']);
    expect(proof(6, 7)).toEqual(['0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a', 'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7']);
  });
});

describe('proofs of every size up to 40', () => {
  const leaves = Array.from({ length: 40 }, (_, i) => leafHash(new TextEncoder().encode(`record ${i}`)));
  const { nodes, roots } = buildTree(leaves);

  it('verify for every leaf and size, and refuse a flipped bit, a wrong index, a wrong size and a truncated path', () => {
    for (let size = 1; size <= 40; size++) {
      for (let index = 0; index < size; index++) {
        const plan = inclusionPlan(index, size);
        expect(planNodes(plan).every((n) => nodes.has(nodeKey(n)))).toBe(true);
        const proof = assemble(plan, nodes);
        expect(verifyInclusion(index, size, leaves[index]!, proof, roots[size]!), `${index}/${size}`).toBe(true);
        if (size > 1) {
          if ((index ^ 1) < size) expect(verifyInclusion(index ^ 1, size, leaves[index]!, proof, roots[size]!)).toBe(false);
          expect(verifyInclusion(index, size * 2, leaves[index]!, proof, roots[size]!)).toBe(false);
          expect(verifyInclusion(index, size, leaves[index]!, proof.slice(0, -1), roots[size]!)).toBe(false);
          const flipped = proof.map((p) => Uint8Array.from(p));
          flipped[0]![0]! ^= 8;
          expect(verifyInclusion(index, size, leaves[index]!, flipped, roots[size]!)).toBe(false);
        }
      }
    }
  });

  it('consistency between every pair of sizes verifies, and not against another root', () => {
    for (let n = 1; n <= 40; n++) {
      for (let m = 0; m <= n; m++) {
        const proof = assemble(consistencyPlan(m, n), nodes);
        expect(verifyConsistency(m, n, proof, roots[m]!, roots[n]!), `${m}->${n}`).toBe(true);
        if (m > 0 && m < n) {
          expect(verifyConsistency(m, n, proof, roots[m - 1]!, roots[n]!)).toBe(false);
          expect(verifyConsistency(m, n, proof, roots[m]!, roots[n - 1]!)).toBe(false);
          expect(verifyConsistency(m, n, proof.slice(1), roots[m]!, roots[n]!)).toBe(false);
        }
      }
    }
  });

  it('restores the frontier from stored nodes and goes on with the same roots', () => {
    const restored = new Frontier(23, rootPlan(23).map((n) => nodes.get(nodeKey(n))!));
    for (let i = 23; i < 40; i++) restored.append(leaves[i]!);
    expect(toHex(restored.root())).toBe(toHex(roots[40]!));
  });
});

describe('signed notes and checkpoints', () => {
  it('round-trips base64 strictly', () => {
    for (let n = 0; n < 70; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 255);
      expect(fromBase64(toBase64(bytes))).toEqual(bytes);
      expect(toBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
    }
    expect(fromBase64('AB==')).toBeUndefined(); // non-canonical padding bits
    expect(fromBase64('A*==')).toBeUndefined();
  });

  it('parses the key formats it writes, and refuses a key whose id does not match', () => {
    const signer = generateSigner('audit.example/log');
    expect(parseSignerKey(formatSignerKey(signer))).toEqual(signer);
    const vkey = formatVerifierKey(signer);
    expect(parseVerifierKey(vkey)).toMatchObject({ name: 'audit.example/log', keyId: signer.keyId });
    expect(() => parseVerifierKey(vkey.replace(`+${signer.keyId}+`, '+00000000+'))).toThrow(/key id/);
    expect(() => parseVerifierKey('just-text')).toThrow();
  });

  it('verifies a checkpoint against the right key, ignores unknown keys, refuses a changed byte', () => {
    const log = generateSigner('audit.example/log');
    const other = generateSigner('audit.example/log'); // a rotated key: same name, other id
    const note = signCheckpoint({ origin: 'audit.example/log', size: 8, root: h(ROOTS[8]!) }, log, 1_700_000_000);
    expect(parseCheckpointText(note.slice(0, note.indexOf('\n\n') + 1))).toMatchObject({ size: 8 });
    const opened = openCheckpoint(note, [log]);
    expect(opened.verified).toEqual([expect.objectContaining({ name: 'audit.example/log', keyId: log.keyId, timestamp: 1_700_000_000 })]);
    expect(openCheckpoint(note, [other]).verified).toEqual([]);
    expect(() => openCheckpoint(note.replace('\n8\n', '\n9\n'), [log])).toThrow(NoteError);
    const cosigned = note + signNote(note.slice(0, note.indexOf('\n\n') + 1), other, 1_700_000_005);
    expect(verifyNote(cosigned, [log, other]).signatures.map((s) => s.timestamp)).toEqual([1_700_000_000, 1_700_000_005]);
  });
});
