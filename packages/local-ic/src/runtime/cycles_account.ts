import { executionPrepayment, ingressInductionFee, storageCost, unusedInstructionsRefund, type FeeSchedule } from '../costs/cycles.js';
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

/**
 * IC0207 for a balance under `required`: the replica's `CanisterOutOfCyclesError`
 * names the missing cycles ("… is out of cycles: please top up the canister with
 * at least N additional cycles") only to the canister's controllers
 * (`reveal_top_up`: the message's sender is a controller); others read
 * "Canister <id> is out of cycles".
 */
export function outOfCycles(account: CyclesAccount, required: bigint, revealTopUp: boolean): Rejection {
  return rejections.outOfCycles(account.idText, revealTopUp ? required - account.balance : undefined);
}

export type InductionResult = { readonly ok: true; readonly fee: bigint } | { readonly ok: false; readonly rejection: Rejection };

/** The induction fee of an ingress message of `messageBytes` for `account`, or IC0207 when it cannot pay it above its freezing limit. */
export function ingressInduction(account: CyclesAccount, messageBytes: number, revealTopUp: boolean): InductionResult {
  const fee = ingressInductionFee(account.fees, messageBytes);
  const required = account.freezingLimit() + fee;
  return account.balance < required ? { ok: false, rejection: outOfCycles(account, required, revealTopUp) } : { ok: true, fee };
}

/** Takes an induction fee (see ingressInduction) and reports it. */
export function chargeIngressInduction(account: CyclesAccount, fee: bigint, detail: string): void {
  account.balance -= fee;
  reportCycles({ canister: account.idText, category: 'ingress_induction', cycles: fee, detail });
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
 * fall under the freezing limit (see `outOfCycles`).
 */
export function prepayExecution(account: CyclesAccount, instructionLimit: number, revealTopUp: boolean): PrepaymentResult {
  const prepaid = executionPrepayment(account.fees, BigInt(instructionLimit));
  const required = account.freezingLimit() + prepaid;
  if (account.balance < required) return { ok: false, rejection: outOfCycles(account, required, revealTopUp) };
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
/** `duration_between_allocation_charges` (dfinity/ic rs/config/src/subnet_config.rs, CyclesAccountManagerConfig). */
export const STORAGE_CHARGE_INTERVAL_NANOS = 10n * NANOS_PER_SECOND;

/**
 * Charges memory held since the last charge, as the replica's scheduler does:
 * once at least 10 s have passed, for the whole seconds elapsed (`memory_cost`
 * takes `duration.as_secs()`, so the fraction of a second is never charged), and
 * down to zero, not to the freezing limit. Returns false when the balance could
 * not pay: the replica then burns what is left and uninstalls the canister.
 */
export function chargeStorage(account: CyclesAccount, now: bigint): boolean {
  if (now < account.storageChargedUntil + STORAGE_CHARGE_INTERVAL_NANOS) return true;
  const seconds = (now - account.storageChargedUntil) / NANOS_PER_SECOND;
  account.storageChargedUntil = now;
  const fee = storageCost(account.fees, account.billableMemoryBytes(), seconds);
  if (fee > account.balance) {
    reportCycles({ canister: account.idText, category: 'storage', cycles: account.balance, detail: `${seconds} s, not paid in full` });
    account.balance = 0n;
    return false;
  }
  account.balance -= fee;
  reportCycles({ canister: account.idText, category: 'storage', cycles: fee, detail: `${seconds} s` });
  return true;
}
