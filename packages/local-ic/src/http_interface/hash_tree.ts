import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes } from '@noble/hashes/utils.js';
import type { CborEncodable, CborValue } from './cbor';
import { compareBytes } from './request_id';

/**
 * Hash trees and labeled trees (interface spec, "Certification"): the
 * state a certificate reveals is a hash tree whose root hash the network
 * signs; the state itself is a labeled tree of blobs, turned into a hash
 * tree (fully, or pruned to what a request asked for).
 */

/** CBOR shape of the spec's `hash-tree`: `[0]`, `[1, l, r]`, `[2, label, t]`, `[3, value]`, `[4, hash]`. */
export type HashTree =
  | readonly [0]
  | readonly [1, HashTree, HashTree]
  | readonly [2, Uint8Array, HashTree]
  | readonly [3, Uint8Array]
  | readonly [4, Uint8Array];

export const EMPTY: HashTree = [0];

export function fork(left: HashTree, right: HashTree): HashTree {
  return [1, left, right];
}

export function labeled(label: Uint8Array | string, subtree: HashTree): HashTree {
  return [2, toLabel(label), subtree];
}

export function leaf(value: Uint8Array): HashTree {
  return [3, value];
}

export function pruned(hash: Uint8Array): HashTree {
  return [4, hash];
}

const textEncoder = new TextEncoder();

export function toLabel(label: Uint8Array | string): Uint8Array {
  return typeof label === 'string' ? textEncoder.encode(label) : label;
}

function domainSeparator(name: string): Uint8Array {
  return concatBytes(Uint8Array.of(name.length), textEncoder.encode(name));
}

const EMPTY_DOMAIN = domainSeparator('ic-hashtree-empty');
const FORK_DOMAIN = domainSeparator('ic-hashtree-fork');
const LABELED_DOMAIN = domainSeparator('ic-hashtree-labeled');
const LEAF_DOMAIN = domainSeparator('ic-hashtree-leaf');
const EMPTY_HASH = sha256(EMPTY_DOMAIN);

export function forkHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(concatBytes(FORK_DOMAIN, left, right));
}

export function labeledHash(label: Uint8Array, subtreeHash: Uint8Array): Uint8Array {
  return sha256(concatBytes(LABELED_DOMAIN, label, subtreeHash));
}

export function leafHash(value: Uint8Array): Uint8Array {
  return sha256(concatBytes(LEAF_DOMAIN, value));
}

/** The root hash of a hash tree (`reconstruct` in the spec). */
export function reconstruct(tree: HashTree): Uint8Array {
  switch (tree[0]) {
    case 0:
      return EMPTY_HASH;
    case 1:
      return forkHash(reconstruct(tree[1]), reconstruct(tree[2]));
    case 2:
      return labeledHash(tree[1], reconstruct(tree[2]));
    case 3:
      return leafHash(tree[1]);
    case 4:
      return tree[1];
  }
}

export type LookupResult =
  | { readonly status: 'found'; readonly value: Uint8Array }
  | { readonly status: 'absent' }
  | { readonly status: 'unknown' }
  | { readonly status: 'error' };

/** `lookup_path` of the spec, for well-formed trees. */
export function lookupPath(path: readonly (Uint8Array | string)[], tree: HashTree): LookupResult {
  const [first, ...rest] = path;
  if (first === undefined) {
    switch (tree[0]) {
      case 0:
        return { status: 'absent' };
      case 3:
        return { status: 'found', value: tree[1] };
      case 4:
        return { status: 'unknown' };
      default:
        return { status: 'error' };
    }
  }
  const found = findLabel(toLabel(first), flattenForks(tree));
  return found.status === 'found' ? lookupPath(rest, found.subtree) : found;
}

function flattenForks(tree: HashTree): HashTree[] {
  if (tree[0] === 0) return [];
  if (tree[0] === 1) return [...flattenForks(tree[1]), ...flattenForks(tree[2])];
  return [tree];
}

type LabelSearch = { readonly status: 'found'; readonly subtree: HashTree } | { readonly status: 'absent' | 'unknown' };

function findLabel(label: Uint8Array, trees: readonly HashTree[]): LabelSearch {
  if (trees.length === 0) return { status: 'absent' };
  if (trees.length === 1 && trees[0]?.[0] === 3) return { status: 'absent' };
  let previousLabelIsSmaller = true; // the start of the list acts as a label smaller than any
  for (const tree of trees) {
    if (tree[0] === 2) {
      const order = compareBytes(label, tree[1]);
      if (order === 0) return { status: 'found', subtree: tree[2] };
      // Strictly between two adjacent labels (or before the first) proves absence.
      if (order < 0) return { status: previousLabelIsSmaller ? 'absent' : 'unknown' };
      previousLabelIsSmaller = true;
    } else {
      previousLabelIsSmaller = false;
    }
  }
  return { status: previousLabelIsSmaller ? 'absent' : 'unknown' };
}

export function encodeHashTree(tree: HashTree): CborEncodable {
  switch (tree[0]) {
    case 0:
      return [0];
    case 1:
      return [1, encodeHashTree(tree[1]), encodeHashTree(tree[2])];
    case 2:
      return [2, tree[1], encodeHashTree(tree[2])];
    case 3:
    case 4:
      return [tree[0], tree[1]];
  }
}

export class HashTreeDecodeError extends Error {
  readonly code = 'hash_tree_decode';

  constructor(message: string) {
    super(message);
    this.name = 'HashTreeDecodeError';
  }
}

export function decodeHashTree(value: CborValue): HashTree {
  if (value.type !== 'array') throw new HashTreeDecodeError('a hash tree node must be an array');
  const [tag, first, second] = value.items;
  if (tag?.type !== 'unsigned') throw new HashTreeDecodeError('a hash tree node must start with its type');
  const bytesOf = (item: CborValue | undefined): Uint8Array => {
    if (item?.type !== 'bytes') throw new HashTreeDecodeError('expected a blob in a hash tree node');
    return item.value;
  };
  const arity = (count: number): void => {
    if (value.items.length !== count) throw new HashTreeDecodeError(`hash tree node ${tag.value} needs ${count} items`);
  };
  switch (tag.value) {
    case 0n:
      arity(1);
      return EMPTY;
    case 1n:
      arity(3);
      return fork(decodeHashTree(first as CborValue), decodeHashTree(second as CborValue));
    case 2n:
      arity(3);
      return labeled(bytesOf(first), decodeHashTree(second as CborValue));
    case 3n:
      arity(2);
      return leaf(bytesOf(first));
    case 4n: {
      arity(2);
      const hash = bytesOf(first);
      if (hash.length !== 32) throw new HashTreeDecodeError('a pruned hash has 32 bytes');
      return pruned(hash);
    }
    default:
      throw new HashTreeDecodeError(`unknown hash tree node type ${tag.value}`);
  }
}

// --- labeled trees: the state before it is turned into a hash tree ---

export type LabeledTree = LabeledLeaf | LabeledSubtree;

export interface LabeledLeaf {
  readonly kind: 'leaf';
  readonly value: Uint8Array;
}

export interface LabeledSubtree {
  readonly kind: 'subtree';
  /** Sorted by label, bytewise, without duplicates. */
  readonly children: readonly LabeledChild[];
}

export interface LabeledChild {
  readonly label: Uint8Array;
  readonly tree: LabeledTree;
}

export function labeledLeaf(value: Uint8Array | string): LabeledLeaf {
  return { kind: 'leaf', value: toLabel(value) };
}

export function labeledSubtree(entries: Iterable<readonly [Uint8Array | string, LabeledTree]>): LabeledSubtree {
  const children = [...entries]
    .map(([label, tree]) => ({ label: toLabel(label), tree }))
    .sort((a, b) => compareBytes(a.label, b.label));
  for (let i = 1; i < children.length; i++) {
    const previous = children[i - 1];
    const current = children[i];
    if (previous !== undefined && current !== undefined && compareBytes(previous.label, current.label) === 0) {
      throw new RangeError(`duplicate label ${bytesToHex(current.label)} in a labeled tree`);
    }
  }
  return { kind: 'subtree', children };
}

/**
 * A path trie of what a request asks to see. `whole` means a requested path
 * ends here, so everything below is revealed.
 */
interface RequestedPaths {
  whole: boolean;
  readonly below: Map<string, { readonly label: Uint8Array; readonly paths: RequestedPaths }>;
}

function requestedPaths(paths: readonly (readonly Uint8Array[])[]): RequestedPaths {
  const root: RequestedPaths = { whole: false, below: new Map() };
  for (const path of paths) {
    let node = root;
    for (const label of path) {
      const key = bytesToHex(label);
      let next = node.below.get(key);
      if (next === undefined) {
        next = { label, paths: { whole: false, below: new Map() } };
        node.below.set(key, next);
      }
      node = next.paths;
    }
    node.whole = true;
  }
  return root;
}

/** Turns labeled trees into hash trees, remembering subtree hashes so that pruning does not rehash. */
export class HashTreeBuilder {
  private readonly hashes = new WeakMap<LabeledTree, Uint8Array>();

  /** The whole tree, nothing pruned. */
  full(tree: LabeledTree): HashTree {
    if (tree.kind === 'leaf') return leaf(tree.value);
    return this.range(tree.children, 0, tree.children.length, (child) => labeled(child.label, this.full(child.tree)));
  }

  rootHash(tree: LabeledTree): Uint8Array {
    const known = this.hashes.get(tree);
    if (known !== undefined) return known;
    const hash =
      tree.kind === 'leaf'
        ? leafHash(tree.value)
        : this.rangeHash(tree.children, 0, tree.children.length);
    this.hashes.set(tree, hash);
    return hash;
  }

  /**
   * The tree pruned to the requested paths: everything at or below a
   * requested path is revealed, every label needed to prove that a requested
   * label is absent is revealed (with its subtree pruned), and the rest is
   * replaced by its hash. The root hash is that of the full tree.
   */
  witness(tree: LabeledTree, paths: readonly (readonly Uint8Array[])[]): HashTree {
    return this.witnessOf(tree, requestedPaths(paths));
  }

  private witnessOf(tree: LabeledTree, requested: RequestedPaths): HashTree {
    if (requested.whole) return this.full(tree);
    if (tree.kind === 'leaf') return leaf(tree.value); // a path going past a leaf: the leaf shows it ends here
    const children = tree.children;
    const revealed = new Map<number, RequestedPaths | undefined>();
    for (const { label, paths } of requested.below.values()) {
      const index = lowerBound(children, label);
      const child = children[index];
      if (child !== undefined && compareBytes(child.label, label) === 0) {
        revealed.set(index, paths);
      } else {
        // Absent: its neighbours prove it (spec, `find_label`).
        if (index > 0 && !revealed.has(index - 1)) revealed.set(index - 1, undefined);
        if (index < children.length && !revealed.has(index)) revealed.set(index, undefined);
      }
    }
    return this.prunedRange(children, 0, children.length, revealed);
  }

  private prunedRange(
    children: readonly LabeledChild[],
    start: number,
    end: number,
    revealed: ReadonlyMap<number, RequestedPaths | undefined>
  ): HashTree {
    if (start === end) return EMPTY;
    let any = false;
    for (const index of revealed.keys()) if (index >= start && index < end) any = true;
    if (!any) return pruned(this.rangeHash(children, start, end));
    if (end - start === 1) {
      const child = children[start] as LabeledChild;
      const below = revealed.get(start);
      return labeled(
        child.label,
        below === undefined ? pruned(this.rootHash(child.tree)) : this.witnessOf(child.tree, below)
      );
    }
    const middle = (start + end) >>> 1;
    return fork(this.prunedRange(children, start, middle, revealed), this.prunedRange(children, middle, end, revealed));
  }

  /** Children become a balanced binary tree of forks; hashing and pruning use the same split. */
  private range(
    children: readonly LabeledChild[],
    start: number,
    end: number,
    node: (child: LabeledChild) => HashTree
  ): HashTree {
    if (start === end) return EMPTY;
    if (end - start === 1) return node(children[start] as LabeledChild);
    const middle = (start + end) >>> 1;
    return fork(this.range(children, start, middle, node), this.range(children, middle, end, node));
  }

  private rangeHash(children: readonly LabeledChild[], start: number, end: number): Uint8Array {
    if (start === end) return EMPTY_HASH;
    if (end - start === 1) {
      const child = children[start] as LabeledChild;
      return labeledHash(child.label, this.rootHash(child.tree));
    }
    const middle = (start + end) >>> 1;
    return forkHash(this.rangeHash(children, start, middle), this.rangeHash(children, middle, end));
  }
}

/** Index of the first child whose label is not smaller than `label`. */
function lowerBound(children: readonly LabeledChild[], label: Uint8Array): number {
  let low = 0;
  let high = children.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareBytes((children[middle] as LabeledChild).label, label) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}
