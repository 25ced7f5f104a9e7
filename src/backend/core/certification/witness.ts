// Pruned copies of a hash tree that still answer chosen lookups: the "tree" a gateway receives.
import { compareLabels, pruned, treeDigest, type HashTree } from './hash_tree';

export type LabelPath = readonly Uint8Array[];

/**
 * `tree` with every subtree pruned that no lookup of `paths` needs. Each lookup stays decidable:
 * a path in the tree is revealed down to its end (a leaf at the end is kept, so its value can be
 * compared); a path that is not in the tree keeps the labels on either side of the missing one,
 * which proves it absent (interface spec, "Lookup": a label between two revealed neighbours).
 */
export function witness(tree: HashTree, paths: readonly LabelPath[]): HashTree {
  return prune(tree, paths);
}

function prune(node: HashTree, paths: readonly LabelPath[]): HashTree {
  if (paths.length === 0) return pruned(treeDigest(node));
  const continuing = paths.filter((path) => path.length > 0);
  switch (node.kind) {
    case 'leaf':
    case 'empty':
      // A lookup ends here, or fails here: the node itself is the answer.
      return node;
    case 'pruned':
      return node;
    case 'labeled':
    case 'fork':
      // A lookup that ends at an inner node only needs the node to exist.
      return continuing.length === 0 ? pruned(treeDigest(node)) : pruneLevel(node, continuing);
  }
}

type Labeled = Extract<HashTree, { kind: 'labeled' }>;

/** One level: the labeled nodes under a tree of forks, sorted by label. */
function pruneLevel(level: HashTree, paths: readonly LabelPath[]): HashTree {
  const children: Labeled[] = [];
  collectLabeled(level, children);
  const kept = new Map<Labeled, LabelPath[]>();
  const keep = (child: Labeled | undefined, rest?: LabelPath) => {
    if (child === undefined) return;
    const rests = kept.get(child) ?? [];
    if (rest !== undefined) rests.push(rest);
    kept.set(child, rests);
  };
  for (const path of paths) {
    const label = path[0]!;
    const index = lowerBound(children, label);
    const found = children[index];
    if (found !== undefined && compareLabels(found.label, label) === 0) {
      keep(found, path.slice(1));
    } else {
      keep(children[index - 1]);
      keep(found);
    }
  }
  return rebuild(level, kept);
}

function rebuild(node: HashTree, kept: ReadonlyMap<Labeled, LabelPath[]>): HashTree {
  if (node.kind === 'labeled') {
    const rests = kept.get(node);
    if (rests === undefined) return pruned(treeDigest(node));
    // A neighbour kept only for an absence proof shows its label, not its subtree.
    return { kind: 'labeled', label: node.label, subtree: prune(node.subtree, rests) };
  }
  if (node.kind === 'fork') {
    const left = rebuild(node.left, kept);
    const right = rebuild(node.right, kept);
    if (left.kind === 'pruned' && right.kind === 'pruned') return pruned(treeDigest(node));
    return { kind: 'fork', left, right };
  }
  // Anything else between forks carries no label a lookup could need.
  return pruned(treeDigest(node));
}

function collectLabeled(node: HashTree, out: Labeled[]): void {
  if (node.kind === 'labeled') out.push(node);
  else if (node.kind === 'fork') {
    collectLabeled(node.left, out);
    collectLabeled(node.right, out);
  }
}

function lowerBound(children: readonly Labeled[], label: Uint8Array): number {
  let low = 0;
  let high = children.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (compareLabels(children[middle]!.label, label) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}
