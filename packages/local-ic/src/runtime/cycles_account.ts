import { executionPrepayment, storageCost, unusedInstructionsRefund, type FeeSchedule } from '../costs/cycles.js';
import { rejections, type Rejection } from '../shared/rejections.js';
import { reportCycles } from './cycles_log.js';

/** The part of a canister the cycles account works on. */
export interface CyclesAccount {
  balance: bigint;
  readonly idText: string;
  readonly fees: FeeSchedule;
  /** Balance under which the canister is frozen (idle burn over its freezing threshold). */
  freezingLimit(): bigint;
  /** The memory storage is charged for: the usage, or the memory allocation if that is larger. */
  billableMemoryBytes(): bigint;
  /** Time (ns) up to which storage has been paid. */
  storageChargedUntil: bigint;
}

export interface ExecutionPrepayment {
  readonly prepaid: bigint;
  readonly instructionLimit: number;
}

export type PrepaymentResult = { readonly ok: true; readonly prepayment: ExecutionPrepayment } | { readonly ok: false; readonly rejection: Rejection };

/**
 * Takes the fee of a whole execution of `instructionLimit` instructions before it
 * runs, as the replica does (`prepay_execution_cycles`); the canister sees the
 * reduced balance during the execution. Refused with IC0207 when the balance would
 * fall under the freezing limit: the IC's "Canister … is out of cycles: please top
 * up the canister with at least N additional cycles".
 */
export function prepayExecution(account: CyclesAccount, instructionLimit: number): PrepaymentResult {
  const prepaid = executionPrepayment(account.fees, BigInt(instructionLimit));
  const required = account.freezingLimit() + prepaid;
  if (account.balance < required) return { ok: false, rejection: rejections.outOfCycles(account.idText, required - account.balance) };
  account.balance -= prepaid;
  return { ok: true, prepayment: { prepaid, instructionLimit } };
}

/**
 * A response callback's prepayment: the caller reserved it at `call_perform`
 * (the reservation came back with the response), so it is taken whatever the
 * freezing limit says.
 */
export function prepayReservedExecution(account: CyclesAccount, instructionLimit: number): ExecutionPrepayment {
  const fee = executionPrepayment(account.fees, BigInt(instructionLimit));
  const prepaid = fee < account.balance ? fee : account.balance;
  account.balance -= prepaid;
  return { prepaid, instructionLimit };
}

/** Gives back the instructions the execution did not use and reports what it cost. */
export function settleExecution(account: CyclesAccount, prepayment: ExecutionPrepayment, instructionsUsed: number, detail: string): void {
  const used = Math.min(Math.max(instructionsUsed, 0), prepayment.instructionLimit);
  const computed = unusedInstructionsRefund(account.fees, BigInt(prepayment.instructionLimit - used));
  const refund = computed < prepayment.prepaid ? computed : prepayment.prepaid;
  account.balance += refund;
  reportCycles({ canister: account.idText, category: 'execution', cycles: prepayment.prepaid - refund, detail });
}

const NANOS_PER_SECOND = 1_000_000_000n;

/**
 * Charges memory held since the last charge, in whole seconds (the replica's
 * `memory_cost`, charged by the scheduler as time passes); the rest of a second
 * waits for the next charge. A balance that cannot pay is emptied: storage is
 * charged down to zero, not to the freezing limit.
 */
export function chargeStorage(account: CyclesAccount, now: bigint): void {
  if (now <= account.storageChargedUntil) return;
  const seconds = (now - account.storageChargedUntil) / NANOS_PER_SECOND;
  if (seconds === 0n) return;
  account.storageChargedUntil += seconds * NANOS_PER_SECOND;
  const fee = storageCost(account.fees, account.billableMemoryBytes(), seconds);
  const charged = fee < account.balance ? fee : account.balance;
  account.balance -= charged;
  reportCycles({ canister: account.idText, category: 'storage', cycles: charged, detail: `${seconds} s` });
}
