// Paged pruning of a stable map, so that one timer callback does bounded work however large the map is.

export interface PrunePage {
  /** The keys of the entries to forget. */
  remove: string[];
  /** Where the next page starts: the index of the first entry not yet looked at, once these are removed; 0 after the last page. */
  nextCursor: number;
  /** This page reached the end of the map. */
  done: boolean;
}

/**
 * `page` holds the entries at indices cursor … cursor+pageSize−1 of the sorted map (fewer at
 * its end); removing the returned keys shifts later entries down, which `nextCursor` accounts for.
 */
export function planPagePrune<T>(
  page: readonly (readonly [key: string, value: T])[],
  cursor: number,
  pageSize: number,
  removable: (value: T) => boolean
): PrunePage {
  const remove = page.filter(([, value]) => removable(value)).map(([key]) => key);
  const done = page.length < pageSize;
  return { remove, nextCursor: done ? 0 : cursor + page.length - remove.length, done };
}
