import type { Principal } from '@dfinity/principal';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { CallResult } from '../call_result';
import { errorCodeOf } from './error_codes';

/**
 * The statuses of update calls the network accepted (interface spec,
 * "Overview of canister calling" and "Request status"): received, then
 * processing, then replied or rejected. `done` is not used: a finished call
 * keeps its response until it is pruned.
 */
export type RequestStatus =
  | { readonly status: 'received' }
  | { readonly status: 'processing' }
  | { readonly status: 'replied'; readonly reply: Uint8Array }
  | { readonly status: 'rejected'; readonly rejectCode: number; readonly rejectMessage: string; readonly errorCode: string | undefined };

export interface TrackedRequest {
  readonly requestId: Uint8Array;
  readonly sender: Principal;
  readonly canisterId: Principal;
  readonly effectiveCanisterId: Principal;
  readonly ingressExpiry: bigint;
  readonly status: RequestStatus;
  /** Settles when the call has replied or been rejected. */
  readonly finished: Promise<void>;
}

/** Replies stay readable at least this long, so that pollers can catch them (spec: 5 minutes). */
const RESPONSE_RETENTION_NANOS = 5n * 60n * 1_000_000_000n;

interface Entry {
  readonly requestId: Uint8Array;
  readonly sender: Principal;
  readonly canisterId: Principal;
  readonly effectiveCanisterId: Principal;
  readonly ingressExpiry: bigint;
  status: RequestStatus;
  finishedAt: bigint | undefined;
  readonly finished: Promise<void>;
  readonly markFinished: () => void;
}

export class RequestStatusStore {
  private readonly entries = new Map<string, Entry>();

  get(requestId: Uint8Array): TrackedRequest | undefined {
    return this.entries.get(bytesToHex(requestId));
  }

  all(): Iterable<TrackedRequest> {
    return this.entries.values();
  }

  receive(request: Omit<TrackedRequest, 'status' | 'finished'>): TrackedRequest {
    const key = bytesToHex(request.requestId);
    if (this.entries.has(key)) throw new Error(`request 0x${key} is already known`);
    let markFinished: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => {
      markFinished = resolve;
    });
    const entry: Entry = { ...request, status: { status: 'received' }, finishedAt: undefined, finished, markFinished };
    this.entries.set(key, entry);
    return entry;
  }

  startProcessing(requestId: Uint8Array): void {
    this.entryOf(requestId).status = { status: 'processing' };
  }

  finish(requestId: Uint8Array, result: CallResult, now: bigint): void {
    const entry = this.entryOf(requestId);
    entry.status =
      result.kind === 'replied'
        ? { status: 'replied', reply: result.reply }
        : {
            status: 'rejected',
            rejectCode: result.code,
            rejectMessage: result.message,
            errorCode: errorCodeOf(result)
          };
    entry.finishedAt = now;
    entry.markFinished();
  }

  /**
   * Forgets finished calls once their ingress expiry has passed (so a replay
   * is refused by the expiry check instead) and their response has been
   * readable for the retention time. Calls still running are kept.
   */
  prune(now: bigint): void {
    for (const [key, entry] of this.entries) {
      if (entry.finishedAt !== undefined && now > entry.ingressExpiry && now > entry.finishedAt + RESPONSE_RETENTION_NANOS) {
        this.entries.delete(key);
      }
    }
  }

  private entryOf(requestId: Uint8Array): Entry {
    const entry = this.entries.get(bytesToHex(requestId));
    if (entry === undefined) throw new Error(`request 0x${bytesToHex(requestId)} is not known`);
    return entry;
  }
}
