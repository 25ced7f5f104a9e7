import {
  callCost as scheduleCallCost,
  executionFee,
  httpOutcallFee,
  instructionsFee,
  ingressInductionFee as scheduleIngressInductionFee,
  MAX_INTER_CANISTER_RESPONSE_BYTES,
  responseExecutionPrepayment,
  responseTransmissionPrepayment,
  storageFee,
  subnetPricing,
  xnetRequestFee,
  xnetResponseFee,
  ZERO_PRICES,
  type SubnetPricing
} from './schedule.js';
import { SUBNET_NODE_COUNTS } from './subnet_sizes.js';

/** What creating a canister costs. */
export { canisterCreationFee } from './schedule.js';

/** What the local IC charges: the IC's published prices (costs/) for a subnet of a given size. */
export type FeeSchedule = SubnetPricing;

/** The prices of a subnet of `subnetSize` nodes. */
export function feeScheduleFor(subnetSize: bigint | number): FeeSchedule {
  return subnetPricing(subnetSize);
}

/** A 13-node application subnet, where user canisters live by default. */
export const APPLICATION_SUBNET_FEES: FeeSchedule = feeScheduleFor(SUBNET_NODE_COUNTS.application);

/** Nothing costs anything (cycles attached to calls still move). */
export const FREE_FEES: FeeSchedule = subnetPricing(SUBNET_NODE_COUNTS.application, ZERO_PRICES);

export const DEFAULT_FREEZING_THRESHOLD_SECONDS = 2_592_000n;
export const MAX_CYCLES = (1n << 128n) - 1n;
const SECONDS_PER_DAY = 86_400n;

/** The base fee of every replicated execution (update, callback, timer, install_code), before its instructions. */
export function updateExecutionFee(fees: FeeSchedule): bigint {
  return executionFee(fees, 0n);
}

/**
 * Taken before a replicated execution runs: the fee of the most instructions it
 * may execute, the unused part returned afterwards (dfinity/ic
 * rs/cycles_account_manager: `prepay_execution_cycles`, `refund_unused_execution_cycles`).
 */
export function executionPrepayment(fees: FeeSchedule, instructionLimit: bigint): bigint {
  return executionFee(fees, instructionLimit);
}

/** Given back after the execution for the instructions it did not use. */
export function unusedInstructionsRefund(fees: FeeSchedule, unusedInstructions: bigint): bigint {
  return instructionsFee(fees, unusedInstructions);
}

/** Transmission cost of a request, paid at `call_perform`. */
export function requestTransmissionFee(fees: FeeSchedule, methodNameBytes: number, payloadBytes: number): bigint {
  return xnetRequestFee(fees, BigInt(methodNameBytes + payloadBytes));
}

/** Reserved at `call_perform` for the response; adjusted when the response arrives. */
export function responseReservation(fees: FeeSchedule): bigint {
  return responseTransmissionPrepayment(fees) + responseExecutionPrepayment(fees);
}

/** `ic0.cost_call`: what a canister must have above its freezing limit to perform a call. */
export function callCost(fees: FeeSchedule, methodNameBytes: bigint, payloadBytes: bigint): bigint {
  return scheduleCallCost(fees, methodNameBytes, payloadBytes);
}

/** What a response of `responseBytes` costs to transmit, out of the transmission prepayment. */
export function responseTransmissionFee(fees: FeeSchedule, responseBytes: number): bigint {
  const bytes = BigInt(responseBytes) < MAX_INTER_CANISTER_RESPONSE_BYTES ? BigInt(responseBytes) : MAX_INTER_CANISTER_RESPONSE_BYTES;
  return xnetResponseFee(fees, bytes);
}

/**
 * The part of the reservation a response gives back: the transmission
 * prepayment less what the response's bytes cost, and the whole execution
 * prepayment (the callback, if it runs, prepays and settles its own execution
 * like any other, without the freezing check: the IC reserved it at the call).
 */
export function responseReservationRefund(fees: FeeSchedule, responseBytes: number): bigint {
  return responseReservation(fees) - responseTransmissionFee(fees, responseBytes);
}

/**
 * The largest update_settings argument whose induction fee the replica charges after the settings
 * are applied (its MAX_DELAYED_INGRESS_COST_PAYLOAD_SIZE; 267 and 324 in earlier releases).
 */
export const DELAYED_INGRESS_FEE_MAX_ARGUMENT_BYTES = 338;

/** update_settings with a small argument: free at induction, charged once it has run (see ManagementCanister). */
export function isDelayedIngressFee(method: string, argument: Uint8Array): boolean {
  return method === 'update_settings' && argument.length <= DELAYED_INGRESS_FEE_MAX_ARGUMENT_BYTES;
}

/** The replica charges the whole signed message (`ingress_induction_cost`: the message's binary length). */
export function ingressInductionFee(fees: FeeSchedule, messageBytes: number): bigint {
  return scheduleIngressInductionFee(fees, BigInt(messageBytes));
}

/** Holding `memoryBytes` for `seconds` (the replica's `memory_cost`: whole seconds, rounded down). */
export function storageCost(fees: FeeSchedule, memoryBytes: bigint, seconds: bigint): bigint {
  return storageFee(fees, memoryBytes, seconds);
}

/** Idle cycles a canister of this size burns during its freezing threshold; below this it is frozen. */
export function freezingLimit(fees: FeeSchedule, memoryBytes: bigint, freezingThresholdSeconds: bigint): bigint {
  return storageFee(fees, memoryBytes, freezingThresholdSeconds);
}

/** `canister_status`'s `idle_cycles_burned_per_day`. */
export function idleCyclesBurnedPerDay(fees: FeeSchedule, memoryBytes: bigint): bigint {
  return storageFee(fees, memoryBytes, SECONDS_PER_DAY);
}

export function httpRequestCost(fees: FeeSchedule, requestBytes: bigint, maxResponseBytes: bigint): bigint {
  return httpOutcallFee(fees, requestBytes, maxResponseBytes);
}

export function cyclesFromHighLow(high: bigint, low: bigint): bigint {
  return (BigInt.asUintN(64, high) << 64n) | BigInt.asUintN(64, low);
}

/** The IC writes 128-bit cycle amounts as one little-endian u128 (low 64 bits first). */
export function writeCycles128(target: Uint8Array, offset: number, amount: bigint): void {
  const view = new DataView(target.buffer, target.byteOffset + offset, 16);
  view.setBigUint64(0, BigInt.asUintN(64, amount), true);
  view.setBigUint64(8, BigInt.asUintN(64, amount >> 64n), true);
}
