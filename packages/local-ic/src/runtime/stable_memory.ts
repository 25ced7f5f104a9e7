export const WASM_PAGE_SIZE = 65_536;

/** The IC's stable memory limit (500 GiB). Pages are allocated only when written. */
export const DEFAULT_MAX_STABLE_MEMORY_PAGES = (500 * 1024 * 1024 * 1024) / WASM_PAGE_SIZE;

interface Checkpoint {
  readonly pageCount: number;
  /** The content each page had when the checkpoint was taken (undefined: the page was all zeros). */
  readonly originalPages: Map<number, Uint8Array | undefined>;
}

/**
 * A canister's stable memory: sparse 64 KiB pages, with nested checkpoints so
 * that a trapping message (or a whole failed upgrade) can be undone by
 * restoring only the pages it touched.
 */
export class StableMemory {
  private readonly pages = new Map<number, Uint8Array>();
  private pageCount = 0;
  private readonly checkpoints: Checkpoint[] = [];

  constructor(private readonly maxPages: number = DEFAULT_MAX_STABLE_MEMORY_PAGES) {}

  get sizeInPages(): number {
    return this.pageCount;
  }

  get sizeInBytes(): number {
    return this.pageCount * WASM_PAGE_SIZE;
  }

  /** Grows by `additionalPages` zero pages; returns the previous size, or -1 past the limit. */
  grow(additionalPages: number): number {
    const previous = this.pageCount;
    if (additionalPages < 0 || previous + additionalPages > this.maxPages) return -1;
    this.pageCount = previous + additionalPages;
    return previous;
  }

  /** Callers check `offset + target.length <= sizeInBytes`. */
  read(offset: number, target: Uint8Array): void {
    let done = 0;
    while (done < target.length) {
      const position = offset + done;
      const pageIndex = Math.floor(position / WASM_PAGE_SIZE);
      const inPage = position % WASM_PAGE_SIZE;
      const length = Math.min(WASM_PAGE_SIZE - inPage, target.length - done);
      const page = this.pages.get(pageIndex);
      if (page === undefined) target.fill(0, done, done + length);
      else target.set(page.subarray(inPage, inPage + length), done);
      done += length;
    }
  }

  /** Callers check `offset + source.length <= sizeInBytes`. */
  write(offset: number, source: Uint8Array): void {
    let done = 0;
    while (done < source.length) {
      const position = offset + done;
      const pageIndex = Math.floor(position / WASM_PAGE_SIZE);
      const inPage = position % WASM_PAGE_SIZE;
      const length = Math.min(WASM_PAGE_SIZE - inPage, source.length - done);
      this.writablePage(pageIndex).set(source.subarray(done, done + length), inPage);
      done += length;
    }
  }

  checkpoint(): void {
    this.checkpoints.push({ pageCount: this.pageCount, originalPages: new Map() });
  }

  /** Keeps the changes since the last checkpoint (they become part of the enclosing one, if any). */
  release(): void {
    const released = this.checkpoints.pop();
    const enclosing = this.checkpoints.at(-1);
    if (released === undefined || enclosing === undefined) return;
    for (const [pageIndex, original] of released.originalPages) {
      if (!enclosing.originalPages.has(pageIndex)) enclosing.originalPages.set(pageIndex, original);
    }
  }

  /** Undoes every change since the last checkpoint. */
  rollback(): void {
    const checkpoint = this.checkpoints.pop();
    if (checkpoint === undefined) return;
    for (const [pageIndex, original] of checkpoint.originalPages) {
      if (original === undefined) this.pages.delete(pageIndex);
      else this.pages.set(pageIndex, original);
    }
    this.pageCount = checkpoint.pageCount;
  }

  /** Empties the memory (reinstall / uninstall). Not undoable. */
  clear(): void {
    this.pages.clear();
    this.pageCount = 0;
    this.checkpoints.length = 0;
  }

  /** Pages that hold data, for saving. */
  *writtenPages(): IterableIterator<[number, Uint8Array]> {
    yield* [...this.pages.entries()].sort(([a], [b]) => a - b);
  }

  /** Replaces the content (loading saved state). */
  restore(pageCount: number, pages: Iterable<[number, Uint8Array]>): void {
    this.clear();
    this.pageCount = pageCount;
    for (const [pageIndex, page] of pages) this.pages.set(pageIndex, page);
  }

  private writablePage(pageIndex: number): Uint8Array {
    const current = this.pages.get(pageIndex);
    const checkpoint = this.checkpoints.at(-1);
    if (checkpoint !== undefined && !checkpoint.originalPages.has(pageIndex)) {
      // The original is kept as is; the live page becomes a copy.
      checkpoint.originalPages.set(pageIndex, current);
      const copy = current === undefined ? new Uint8Array(WASM_PAGE_SIZE) : current.slice();
      this.pages.set(pageIndex, copy);
      return copy;
    }
    if (current !== undefined) return current;
    const fresh = new Uint8Array(WASM_PAGE_SIZE);
    this.pages.set(pageIndex, fresh);
    return fresh;
  }
}
