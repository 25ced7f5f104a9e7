import { lookup_path as agentLookupPath, LookupPathStatus, type HashTree as AgentHashTree } from '@dfinity/agent';
import { bytesToHex, hexToBytes, randomBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import {
  decodeCbor,
  decodeHashTree,
  encodeCbor,
  encodeHashTree,
  HashTreeBuilder,
  lookupPath,
  reconstruct,
  type HashTree,
  type LabeledTree,
  type LookupResult
} from '../../packages/local-ic/src/http_interface';
import { labeledLeaf, labeledSubtree, type LabeledChild } from '../../packages/local-ic/src/http_interface/hash_tree';

// The example of the interface spec, section "Certification / Example".
const SPEC_TREE_HEX =
  '8301830183024161830183018302417882034568656c6c6f810083024179820345776f726c6483024162820344676f6f6483018302416381008302' +
  '41648203476d6f726e696e67';
const SPEC_ROOT_HASH = 'eb5c5b2195e62d996b84c9bcc8259d19a83786a2f59e0878cec84c811f669aa0';
const SPEC_PRUNED_HEX =
  '83018301830241618301820458201b4feff9bef8131788b0c9dc6dbad6e81e524249c879e9f10f71ce3749f5a63883024179820345776f726c6483' +
  '024162820458207b32ac0c6ba8ce35ac82c255fc7906f7fc130dab2a090f80fe12f9c2cae83ba6830182045820ec8324b8a1f1ac16bd2e806edba7' +
  '8006479c9877fed4eb464a25485465af601d830241648203476d6f726e696e67';

function treeOf(hex: string): HashTree {
  return decodeHashTree(decodeCbor(hexToBytes(hex)));
}

function describeLookup(result: LookupResult): string {
  return result.status === 'found' ? `found ${new TextDecoder().decode(result.value)}` : result.status;
}

describe('hash trees', () => {
  it('reconstruct the root hash of the spec example and re-encode it identically', () => {
    const tree = treeOf(SPEC_TREE_HEX);
    expect(bytesToHex(reconstruct(tree))).toBe(SPEC_ROOT_HASH);
    expect(bytesToHex(encodeCbor(encodeHashTree(tree)))).toBe(SPEC_TREE_HEX);
    expect(bytesToHex(reconstruct(treeOf(SPEC_PRUNED_HEX)))).toBe(SPEC_ROOT_HASH);
  });

  it('look paths up in the pruned spec example as the spec says', () => {
    const tree = treeOf(SPEC_PRUNED_HEX);
    const lookups = Object.fromEntries(
      [['a', 'a'], ['a', 'y'], ['aa'], ['ax'], ['b'], ['bb'], ['d'], ['e']].map((path) => [
        path.join('/'),
        describeLookup(lookupPath(path, tree))
      ])
    );
    expect(lookups).toEqual({
      'a/a': 'unknown',
      'a/y': 'found world',
      aa: 'absent',
      ax: 'absent',
      b: 'unknown',
      bb: 'unknown',
      d: 'found morning',
      e: 'absent'
    });
  });

  it('refuse malformed encodings', () => {
    expect(() => decodeHashTree(decodeCbor(hexToBytes('82054100')))).toThrow(/unknown hash tree node type/);
    expect(() => decodeHashTree(decodeCbor(hexToBytes('82044100')))).toThrow(/32 bytes/);
  });
});

const SPEC_DATA: LabeledTree = labeledSubtree([
  ['a', labeledSubtree([['x', labeledLeaf('hello')], ['y', labeledLeaf('world')]])],
  ['b', labeledLeaf('good')],
  ['c', labeledSubtree([])],
  ['d', labeledLeaf('morning')]
]);

describe('witnesses (pruned trees)', () => {
  const builder = new HashTreeBuilder();
  const encoder = new TextEncoder();
  const paths = (...list: string[][]): Uint8Array[][] => list.map((path) => path.map((label) => encoder.encode(label)));

  it('keep the root hash and reveal exactly what was asked, with proofs of absence', () => {
    const full = builder.full(SPEC_DATA);
    const witness = builder.witness(SPEC_DATA, paths(['a', 'y'], ['ax'], ['d']));
    expect(bytesToHex(reconstruct(witness))).toBe(bytesToHex(reconstruct(full)));
    expect(bytesToHex(builder.rootHash(SPEC_DATA))).toBe(bytesToHex(reconstruct(full)));
    expect(describeLookup(lookupPath(['a', 'y'], witness))).toBe('found world');
    expect(describeLookup(lookupPath(['ax'], witness))).toBe('absent');
    expect(describeLookup(lookupPath(['d'], witness))).toBe('found morning');
    expect(describeLookup(lookupPath(['a', 'x'], witness))).toBe('unknown');
    expect(describeLookup(lookupPath(['b'], witness))).toBe('unknown');
  });

  it('agree with the full tree on every requested path, for random trees', () => {
    for (let round = 0; round < 40; round++) {
      const tree = randomTree(3, 3);
      const full = builder.full(tree);
      const requested = Array.from({ length: 1 + (round % 4) }, () => randomPath(tree, 3));
      const witness = builder.witness(tree, requested);
      expect(bytesToHex(reconstruct(witness))).toBe(bytesToHex(reconstruct(full)));
      for (const path of requested) expect(lookupPath(path, witness)).toEqual(lookupPath(path, full));
    }
  });

  it("let @dfinity/agent's lookup find what the full tree holds, for random trees of one-byte labels", () => {
    // agent-js (3.4 and @icp-sdk/core 6) orders labels by "some byte is greater", which is the
    // lexicographic order only for labels of one byte: with longer ones it can call a present
    // label absent (e.g. 0xea6c after its sibling 0xea), whatever tree it is given.
    for (let round = 0; round < 40; round++) {
      const tree = randomTree(3, 1);
      const requested = Array.from({ length: 1 + (round % 4) }, () => randomPath(tree, 1));
      const witness = builder.witness(tree, requested);
      for (const path of requested) {
        const ours = lookupPath(path, builder.full(tree));
        const agent = agentLookupPath(path, witness as unknown as AgentHashTree);
        if (ours.status === 'found') expect(agent.status).toBe(LookupPathStatus.Found);
      }
    }
  });
});

function randomLabel(maxLength: number): Uint8Array {
  return randomBytes(1 + Math.floor(Math.random() * maxLength));
}

function randomTree(depth: number, maxLabelLength: number): LabeledTree {
  if (depth === 0 || Math.random() < 0.3) return labeledLeaf(randomBytes(Math.floor(Math.random() * 8)));
  const entries = new Map<string, [Uint8Array, LabeledTree]>();
  const count = Math.floor(Math.random() * 7);
  for (let i = 0; i < count; i++) {
    const label = randomLabel(maxLabelLength);
    entries.set(bytesToHex(label), [label, randomTree(depth - 1, maxLabelLength)]);
  }
  return labeledSubtree(entries.values());
}

/** A path that exists, stops early, or leaves the tree at a random point. */
function randomPath(tree: LabeledTree, maxLabelLength: number): Uint8Array[] {
  const path: Uint8Array[] = [];
  let node: LabeledTree | undefined = tree;
  while (node !== undefined && node.kind === 'subtree' && Math.random() < 0.85) {
    const child: LabeledChild | undefined = Math.random() < 0.75 ? node.children[Math.floor(Math.random() * node.children.length)] : undefined;
    if (child === undefined) {
      path.push(randomLabel(maxLabelLength));
      return path;
    }
    path.push(child.label);
    node = child.tree;
  }
  return path;
}
