// CBOR, base64 and witnesses checked against independent implementations: @dfinity/cbor,
// node:buffer, @dfinity/agent's root-hash reconstruction, and a lookup written here after the
// verifier a gateway runs (ic-certification's HashTree::lookup_subtree).
import { Buffer } from 'node:buffer';

import { reconstruct, type HashTree as AgentHashTree } from '@dfinity/agent';
import { decode, encode, encodeWithSelfDescribedTag } from '@dfinity/cbor';
import { describe, expect, it } from 'vitest';

import { utf8 } from '../../src/backend/core/bytes';
import { base64Encode } from '../../src/backend/core/base64url';
import { encodeCbor, encodeSelfDescribedCbor, type CborValue } from '../../src/backend/core/certification/cbor';
import { hashTreeToCbor, treeDigest, type HashTree } from '../../src/backend/core/certification/hash_tree';
import { buildLabeledTree } from '../../src/backend/core/certification/labeled_tree';
import { unsignedLeb128 } from '../../src/backend/core/certification/representation_independent_hash';
import { witness } from '../../src/backend/core/certification/witness';

/** A small deterministic generator, so a failure replays. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 0x1_0000_0000;
  };
}

describe('CBOR', () => {
  const samples: CborValue[] = [
    0,
    23,
    24,
    255,
    256,
    65535,
    65536,
    0xffff_ffff,
    0x1_0000_0000,
    Number.MAX_SAFE_INTEGER,
    '',
    'http_expr',
    '<$>',
    'é ✓ 𝄞',
    'x'.repeat(300),
    new Uint8Array(),
    new Uint8Array(24).fill(7),
    new Uint8Array(70_000).fill(1),
    [],
    [1, [2, [3, utf8('deep')]], 'text'],
    Array.from({ length: 30 }, (_, i) => i)
  ];

  it.each(samples.map((value, index) => [index, value] as const))('encodes sample %i as @dfinity/cbor does', (_index, value) => {
    const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
    expect(hex(encodeCbor(value))).toBe(hex(encode(value as never)));
    expect(hex(encodeSelfDescribedCbor(value))).toBe(hex(encodeWithSelfDescribedTag(value as never)));
  });

  it('refuses numbers it cannot carry', () => {
    for (const value of [-1, 1.5, Number.MAX_SAFE_INTEGER + 1]) {
      expect(() => encodeCbor(value)).toThrow(expect.objectContaining({ code: 'ERR_CBOR_ENCODING' }));
    }
  });
});

describe('base64 and LEB128', () => {
  it('encodes standard base64 with padding, as node:buffer does', () => {
    const next = random(1);
    for (let length = 0; length < 70; length++) {
      const bytes = Uint8Array.from({ length }, () => Math.floor(next() * 256));
      expect(base64Encode(bytes)).toBe(Buffer.from(bytes).toString('base64'));
    }
  });

  it('encodes unsigned LEB128 (the interface spec examples: 624485, status codes)', () => {
    expect([...unsignedLeb128(624485)]).toEqual([0xe5, 0x8e, 0x26]);
    expect([...unsignedLeb128(200)]).toEqual([0xc8, 0x01]);
    expect([...unsignedLeb128(0)]).toEqual([0]);
    expect([...unsignedLeb128(127)]).toEqual([127]);
  });
});

const asAgentTree = (tree: HashTree) => decode(encodeCbor(hashTreeToCbor(tree))) as AgentHashTree;

// @dfinity/agent 3.4.3's own lookup cannot serve here: it orders labels by "some byte is
// greater", not lexicographically, so it misjudges labels such as "ab" and "b0".
type LabelResult = { found: AgentHashTree } | 'absent' | 'unknown' | 'less' | 'greater';

function findLabel(label: Uint8Array, tree: AgentHashTree): LabelResult {
  switch (tree[0]) {
    case 2: {
      const order = Buffer.compare(Buffer.from(label), Buffer.from(tree[1]));
      return order === 0 ? { found: tree[2] } : order < 0 ? 'less' : 'greater';
    }
    case 1: {
      const left = findLabel(label, tree[1]);
      if (left !== 'greater' && left !== 'unknown') return left;
      const right = findLabel(label, tree[2]);
      if (right === 'less') return left === 'greater' ? 'absent' : 'unknown';
      return right;
    }
    case 4:
      return 'unknown';
    default:
      return 'absent';
  }
}

function lookupSubtree(path: readonly Uint8Array[], tree: AgentHashTree): { found: AgentHashTree } | 'absent' | 'unknown' {
  if (path.length === 0) return { found: tree };
  const result = findLabel(path[0]!, tree);
  if (typeof result === 'object') return lookupSubtree(path.slice(1), result.found);
  return result === 'unknown' ? 'unknown' : 'absent';
}

const outcome = (result: ReturnType<typeof lookupSubtree>) =>
  typeof result === 'object' ? (result.found[0] === 3 ? ['leaf', Buffer.from(result.found[1]).toString()] : 'found') : result;

describe('witnesses, read by @dfinity/agent', () => {
  const ALPHABET = ['', 'a', 'b', 'ab', 'b0', 'c', '<$>', '<*>', '.well-known', 'jwks.json', 'zz'];

  function randomTree(next: () => number) {
    const paths: string[][] = [];
    const count = 1 + Math.floor(next() * 12);
    for (let i = 0; i < count; i++) {
      const depth = 1 + Math.floor(next() * 4);
      paths.push(['root', ...Array.from({ length: depth }, () => ALPHABET[Math.floor(next() * ALPHABET.length)]!), 'end']);
    }
    return { paths, tree: buildLabeledTree(paths.map((path) => ({ path: path.map(utf8), value: utf8(path.join('/')) }))) };
  }

  it('keeps the root hash and decides every lookup it was built for, as on the full tree', async () => {
    const next = random(42);
    for (let round = 0; round < 150; round++) {
      const { paths, tree } = randomTree(next);
      const lookups: string[][] = [];
      for (let i = 0; i < 4; i++) {
        const base = paths[Math.floor(next() * paths.length)]!;
        const cut = Math.floor(next() * (base.length + 1));
        const lookup = base.slice(0, cut);
        if (next() < 0.5) lookup.push(ALPHABET[Math.floor(next() * ALPHABET.length)]!);
        lookups.push(lookup);
      }
      const proof = witness(
        tree,
        lookups.map((path) => path.map(utf8))
      );
      const full = asAgentTree(tree);
      const pruned = asAgentTree(proof);
      expect(await reconstruct(pruned)).toEqual(treeDigest(tree));
      expect(await reconstruct(full)).toEqual(treeDigest(tree));
      for (const lookup of lookups) {
        const labels = lookup.map(utf8);
        const expected = outcome(lookupSubtree(labels, full));
        expect(expected).not.toBe('unknown');
        expect(outcome(lookupSubtree(labels, pruned)), `${lookup.join('/')} in round ${round}`).toEqual(expected);
      }
    }
  });

  it('reveals nothing beyond what the lookups need', () => {
    const tree = buildLabeledTree(['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((label) => ({ path: [utf8(label), utf8('x')], value: utf8(label) })));
    const proof = witness(tree, [[utf8('d'), utf8('x')]]);
    const labels: string[] = [];
    const walk = (node: HashTree) => {
      if (node.kind === 'labeled') labels.push(new TextDecoder().decode(node.label));
      if (node.kind === 'labeled') walk(node.subtree);
      if (node.kind === 'fork') [node.left, node.right].forEach(walk);
    };
    walk(proof);
    expect(labels).toEqual(['d', 'x']);
  });
});
