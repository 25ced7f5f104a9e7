import type { CallResult } from '../shared/call_result.js';
import type { CallOrigin } from './call_contexts.js';

/** A call on its way to a canister (or to the management canister). */
export interface RequestMessage {
  readonly kind: 'request';
  readonly callee: Uint8Array;
  readonly method: string;
  readonly argument: Uint8Array;
  readonly cycles: bigint;
  readonly caller: Uint8Array;
  /** Where the response goes. */
  readonly origin: CallOrigin;
  readonly deadline: bigint;
}

/** The answer to a call a canister made, on its way back to that canister. */
export interface ResponseMessage {
  readonly kind: 'response';
  readonly originatorKey: string;
  readonly callbackId: number;
  readonly result: CallResult;
  readonly refund: bigint;
}

/** Work the system schedules itself. */
export interface SystemTaskMessage {
  readonly kind: 'global_timer' | 'heartbeat';
  readonly canisterKey: string;
}

export type Message = RequestMessage | ResponseMessage | SystemTaskMessage;

/** A FIFO queue; one queue for the whole subnet keeps per-pair ordering of calls. */
export class MessageQueue {
  private items: Message[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(message: Message): void {
    this.items.push(message);
  }

  shift(): Message | undefined {
    if (this.head >= this.items.length) return undefined;
    const message = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return message;
  }
}
