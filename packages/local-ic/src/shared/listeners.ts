/** A set of listeners to one kind of record: benches and tools subscribe, the engine reports. */
export interface Listeners<Record> {
  /** Adds a listener; returns the function that removes it. */
  observe(listener: (record: Record) => void): () => void;
  report(record: Record): void;
  readonly isObserved: boolean;
}

export function createListeners<Record>(): Listeners<Record> {
  const listeners = new Set<(record: Record) => void>();
  return {
    observe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    report(record) {
      for (const listener of listeners) listener(record);
    },
    get isObserved() {
      return listeners.size > 0;
    }
  };
}
