// The IC hash tree (interface spec, "Certificate" and "Encoding of certificates"): its nodes,
// their digests and their CBOR form.
import { concatBytes } from '../bytes';
import { sha256 } from '../sha256';

import type { CborValue } from './cbor';

export type HashTree =
  | { readonly kind: 'empty' }
  | { readonly kind: 'fork'; readonly left: HashTree; readonly right: HashTree }
  | { readonly kind: 'labeled'; readonly label: Uint8Array; readonly subtree: HashTree }
  | { readonly kind: 'leaf'; readonly value: Uint8Array }
  | { readonly kind: 'pruned'; readonly digest: Uint8Array };

export class HashTreeError extends Error {
  readonly code = 'ERR_HASH_TREE';
}

export const EMPTY: HashTree = { kind: 'empty' };

export function fork(left: HashTree, right: HashTree): HashTree {
  return { kind: 'fork', left, right };
}

export function labeled(label: Uint8Array | string, subtree: HashTree): HashTree {
  return { kind: 'labeled', label: typeof label === 'string' ? new TextEncoder().encode(label) : label, subtree };
}

export function leaf(value: Uint8Array): HashTree {
  return { kind: 'leaf', value };
}

export function pruned(digest: Uint8Array): HashTree {
  if (digest.length !== 32) throw new HashTreeError(`a pruned node holds a 32-byte digest, not ${digest.length} bytes`);
  return { kind: 'pruned', digest };
}

function domainSeparator(name: string): Uint8Array {
  const bytes = new TextEncoder().encode(name);
  const out = new Uint8Array(bytes.length + 1);
  out[0] = bytes.length;
  out.set(bytes, 1);
  return out;
}

const EMPTY_SEPARATOR = domainSeparator('ic-hashtree-empty');
const FORK_SEPARATOR = domainSeparator('ic-hashtree-fork');
const LABELED_SEPARATOR = domainSeparator('ic-hashtree-labeled');
const LEAF_SEPARATOR = domainSeparator('ic-hashtree-leaf');

// Trees are immutable, so a node's digest is computed once; witnesses then prune for free.
const digests = new WeakMap<HashTree, Uint8Array>();

/** The node's digest, `reconstruct` in the interface spec: the certified root hash for a root. */
export function treeDigest(tree: HashTree): Uint8Array {
  if (tree.kind === 'pruned') return tree.digest;
  const known = digests.get(tree);
  if (known !== undefined) return known;
  let digest: Uint8Array;
  switch (tree.kind) {
    case 'empty':
      digest = sha256(EMPTY_SEPARATOR);
      break;
    case 'fork':
      digest = sha256(concatBytes(FORK_SEPARATOR, treeDigest(tree.left), treeDigest(tree.right)));
      break;
    case 'labeled':
      digest = sha256(concatBytes(LABELED_SEPARATOR, tree.label, treeDigest(tree.subtree)));
      break;
    case 'leaf':
      digest = sha256(concatBytes(LEAF_SEPARATOR, tree.value));
      break;
  }
  digests.set(tree, digest);
  return digest;
}

/** The CDDL form: [0] | [1, left, right] | [2, label, subtree] | [3, value] | [4, digest]. */
export function hashTreeToCbor(tree: HashTree): CborValue {
  switch (tree.kind) {
    case 'empty':
      return [0];
    case 'fork':
      return [1, hashTreeToCbor(tree.left), hashTreeToCbor(tree.right)];
    case 'labeled':
      return [2, tree.label, hashTreeToCbor(tree.subtree)];
    case 'leaf':
      return [3, tree.value];
    case 'pruned':
      return [4, tree.digest];
  }
}

/** The order of labels in a well-formed tree: lexicographic on bytes, a prefix first. */
export function compareLabels(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    if (a[i] !== b[i]) return a[i]! - b[i]!;
  }
  return a.length - b.length;
}
