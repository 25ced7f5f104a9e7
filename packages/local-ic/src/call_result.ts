import type { Rejection } from './rejections.js';

/** The outcome of a call, as the caller sees it. */
export type CallResult =
  | { readonly kind: 'replied'; readonly reply: Uint8Array }
  | {
      readonly kind: 'rejected';
      readonly code: number;
      readonly message: string;
      /** The replica's `IC0xxx` error code, when the system (not the canister) rejected. */
      readonly errorCode?: string;
    };

export function replied(reply: Uint8Array): CallResult {
  return { kind: 'replied', reply };
}

export function rejected(rejection: Rejection): CallResult {
  return rejection.errorCode === undefined
    ? { kind: 'rejected', code: rejection.rejectCode, message: rejection.message }
    : { kind: 'rejected', code: rejection.rejectCode, message: rejection.message, errorCode: rejection.errorCode };
}

export function resultSize(result: CallResult): number {
  return result.kind === 'replied' ? result.reply.length : Buffer.byteLength(result.message);
}
