import { createListeners } from '../shared/listeners.js';

/**
 * What each charge took from which canister's balance, by the categories of the
 * IC's cost table. Cycles that only move (attached to a call, accepted, refunded
 * to a caller, deposited) are not charges and are not reported; neither are
 * prepayments that a later refund settles: each record is the final amount.
 */
export type CyclesCategory =
  /** Ingress induction: per message and per byte, paid by the receiving canister. */
  | 'ingress_induction'
  /** A replicated execution: base fee plus the instructions it executed. */
  | 'execution'
  /** An inter-canister call: base fee and request bytes at `call_perform`, response bytes when it arrives. */
  | 'xnet_call'
  /** The fee `sign_with_ecdsa` / `sign_with_schnorr` keep from the attached cycles. */
  | 'threshold_signature'
  /** Memory held over time (heap, stable memory, code, chunk store). */
  | 'storage'
  /** `create_canister`'s fee, paid out of the cycles sent with it. */
  | 'canister_creation';

export interface CyclesRecord {
  /** The paying canister, textual. */
  readonly canister: string;
  readonly category: CyclesCategory;
  readonly cycles: bigint;
  /** What was charged: the method or entry point, the callee's method, or the elapsed seconds for storage. */
  readonly detail: string;
}

export type CyclesListener = (record: CyclesRecord) => void;

const cyclesListeners = createListeners<CyclesRecord>();

/** Lets benches and tools see every charge; returns the function that stops listening. */
export function observeCycles(listener: CyclesListener): () => void {
  return cyclesListeners.observe(listener);
}

export function reportCycles(record: CyclesRecord): void {
  if (record.cycles !== 0n) cyclesListeners.report(record);
}
