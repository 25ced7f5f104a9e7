/**
 * Keeps a saved copy of a running local IC at most `delayMs` behind its state:
 * the first change after a save arms one timer, and when it fires the state is
 * captured between two messages and written in the background (requests never
 * wait for the disk). Saves never overlap; a change during a save arms the
 * timer again.
 */
import type { SaveFigures } from './durable_copy.js';
import type { StateSnapshot } from './state_store.js';

export interface CheckpointSource {
  /** The state now if no message is in flight (undefined: try again later). */
  snapshotIfIdle(): Promise<StateSnapshot | undefined>;
  /** The state once no message is in flight (runs rounds until then). */
  snapshot(): Promise<StateSnapshot>;
}

export interface CheckpointFigures extends SaveFigures {
  /** Capture plus write, in milliseconds. */
  readonly milliseconds: number;
}

export interface CheckpointerOptions {
  readonly source: CheckpointSource;
  readonly write: (snapshot: StateSnapshot) => Promise<SaveFigures>;
  readonly delayMs: number;
  /** Told about a failed checkpoint (retried after the delay). */
  readonly onError: (error: unknown) => void;
}

export class Checkpointer {
  private timer: NodeJS.Timeout | undefined;
  private changedSinceSave = false;
  private saves: Promise<unknown> = Promise.resolve();
  private savesRunning = 0;
  private stopped = false;
  /** Figures of the last completed save. */
  lastSave: CheckpointFigures | undefined;

  constructor(private readonly options: CheckpointerOptions) {}

  /** Whether a checkpoint is due or being written. */
  get busy(): boolean {
    return this.timer !== undefined || this.savesRunning > 0;
  }

  /** Notes that the state changed: a checkpoint follows within `delayMs`. */
  changed(): void {
    this.changedSinceSave = true;
    this.arm();
  }

  /** Saves now (after any save in progress), waiting for rounds to finish if needed. */
  saveNow(): Promise<void> {
    return this.enqueue(async () => {
      const started = performance.now();
      await this.write(started, await this.options.source.snapshot());
    });
  }

  /** No more checkpoints; a final save if anything changed since the last one. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.disarm();
    await this.saves.catch(() => undefined);
    if (this.changedSinceSave) await this.saveNow();
  }

  private arm(): void {
    if (this.timer !== undefined || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.checkpoint();
    }, this.options.delayMs);
    this.timer.unref();
  }

  private disarm(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private checkpoint(): Promise<void> {
    return this.enqueue(async () => {
      if (this.stopped || !this.changedSinceSave) return;
      const started = performance.now();
      const snapshot = await this.options.source.snapshotIfIdle();
      if (snapshot === undefined) this.arm();
      else await this.write(started, snapshot);
    }).catch((error: unknown) => {
      this.options.onError(error);
      this.changed();
    });
  }

  private async write(started: number, snapshot: StateSnapshot): Promise<void> {
    this.changedSinceSave = false;
    try {
      const figures = await this.options.write(snapshot);
      this.lastSave = { ...figures, milliseconds: performance.now() - started };
    } catch (error) {
      this.changedSinceSave = true;
      throw error;
    }
  }

  private enqueue(save: () => Promise<void>): Promise<void> {
    this.savesRunning += 1;
    const next = this.saves
      .catch(() => undefined)
      .then(save)
      .finally(() => (this.savesRunning -= 1));
    this.saves = next;
    return next;
  }
}
