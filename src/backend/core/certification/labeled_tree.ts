// Builds a well-formed hash tree from label paths: at every level the labeled children are
// sorted and joined by a balanced binary tree of forks, so lookups and absence proofs work.
import { compareLabels, EMPTY, fork, HashTreeError, labeled, leaf, type HashTree } from './hash_tree';

export interface TreeEntry {
  readonly path: readonly Uint8Array[];
  readonly value: Uint8Array;
}

type Level = Map<string, { label: Uint8Array; node: Level | Uint8Array }>;

export function buildLabeledTree(entries: Iterable<TreeEntry>): HashTree {
  const root: Level = new Map();
  for (const entry of entries) insert(root, entry);
  return levelToTree(root);
}

function insert(root: Level, { path, value }: TreeEntry): void {
  if (path.length === 0) throw new HashTreeError('a tree entry needs at least one label');
  let level = root;
  path.forEach((label, index) => {
    const key = labelKey(label);
    const last = index === path.length - 1;
    const existing = level.get(key);
    if (existing === undefined) {
      const node: Level | Uint8Array = last ? value : new Map();
      level.set(key, { label, node });
      if (!last) level = node as Level;
      return;
    }
    if (last) {
      if (!(existing.node instanceof Uint8Array) || compareLabels(existing.node, value) !== 0) {
        throw new HashTreeError(`conflicting entries at ${describe(path)}`);
      }
      return;
    }
    if (existing.node instanceof Uint8Array) throw new HashTreeError(`an entry continues past the leaf at ${describe(path)}`);
    level = existing.node;
  });
}

function levelToTree(level: Level): HashTree {
  const children = [...level.values()].sort((a, b) => compareLabels(a.label, b.label));
  const nodes = children.map(({ label, node }) => labeled(label, node instanceof Uint8Array ? leaf(node) : levelToTree(node)));
  return balancedForks(nodes);
}

function balancedForks(nodes: HashTree[]): HashTree {
  if (nodes.length === 0) return EMPTY;
  if (nodes.length === 1) return nodes[0]!;
  const middle = nodes.length >> 1;
  return fork(balancedForks(nodes.slice(0, middle)), balancedForks(nodes.slice(middle)));
}

/** A map key for a label: one UTF-16 code unit per byte, so distinct labels never collide. */
function labelKey(label: Uint8Array): string {
  let key = '';
  for (const byte of label) key += String.fromCharCode(byte);
  return key;
}

function describe(path: readonly Uint8Array[]): string {
  return '/' + path.map((label) => [...label].map((byte) => byte.toString(16).padStart(2, '0')).join('')).join('/');
}
