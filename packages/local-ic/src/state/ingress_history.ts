import type { CallResult } from '../shared/call_result.js';

export type IngressStatus =
  | { readonly status: 'processing' }
  | { readonly status: 'completed'; readonly result: CallResult; readonly completedAtNanos: bigint };

interface IngressRecord {
  state: IngressStatus;
  readonly waiters: Array<(result: CallResult) => void>;
}

const MAX_COMPLETED_RECORDS = 10_000;

/** Ingress messages by id, with their status (the later HTTP layer serves `request_status` from here). */
export class IngressHistory {
  private readonly records = new Map<string, IngressRecord>();
  private readonly completedOrder: string[] = [];

  has(messageId: string): boolean {
    return this.records.has(messageId);
  }

  status(messageId: string): IngressStatus | undefined {
    return this.records.get(messageId)?.state;
  }

  startProcessing(messageId: string): void {
    this.records.set(messageId, { state: { status: 'processing' }, waiters: [] });
  }

  complete(messageId: string, result: CallResult, nowNanos: bigint): void {
    const record = this.records.get(messageId) ?? { state: { status: 'processing' }, waiters: [] };
    if (record.state.status === 'completed') return;
    record.state = { status: 'completed', result, completedAtNanos: nowNanos };
    this.records.set(messageId, record);
    this.completedOrder.push(messageId);
    for (const waiter of record.waiters.splice(0)) waiter(result);
    while (this.completedOrder.length > MAX_COMPLETED_RECORDS) {
      const oldest = this.completedOrder.shift();
      if (oldest !== undefined) this.records.delete(oldest);
    }
  }

  /** Resolves when the message completes (at once if it has). */
  whenCompleted(messageId: string): Promise<CallResult> {
    const record = this.records.get(messageId);
    if (record === undefined) return Promise.reject(new Error(`unknown ingress message ${messageId}`));
    if (record.state.status === 'completed') return Promise.resolve(record.state.result);
    return new Promise((resolve) => record.waiters.push(resolve));
  }
}
