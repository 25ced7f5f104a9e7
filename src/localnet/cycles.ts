/**
 * What the local IC charges. The numbers of `APPLICATION_SUBNET_FEES` are the
 * published prices of a 13-node application subnet (docs "Cycles cost
 * formulas"). The local IC does not count Wasm instructions, so executions
 * pay only the flat per-message fee.
 */
export interface FeeSchedule {
  /** Charged to a canister for every replicated execution (update, callback, timer, install hooks). */
  readonly updateMessageExecution: bigint;
  /** Charged to the receiving canister for every ingress message it accepts ... */
  readonly ingressMessageReception: bigint;
  /** ... plus this much per byte of method name and argument. */
  readonly ingressByteReception: bigint;
  /** Charged to the caller for every inter-canister call ... */
  readonly xnetCall: bigint;
  /** ... plus this much per byte of method name and argument, and per byte of the response. */
  readonly xnetByteTransmission: bigint;
  /** The largest response the caller must reserve transmission cycles for at `call_perform`. */
  readonly maxResponseBytes: bigint;
  /** Reserved at `call_perform` for executing the callback; all but `updateMessageExecution` is refunded. */
  readonly responseExecutionReservation: bigint;
  /** Storage price, used for the freezing limit (idle cycles burned during `freezing_threshold`). */
  readonly storagePerGiBSecond: bigint;
  readonly canisterCreation: bigint;
  readonly httpRequestBase: bigint;
  readonly httpRequestPerRequestByte: bigint;
  readonly httpRequestPerResponseByte: bigint;
}

const SUBNET_SIZE = 13n;

export const APPLICATION_SUBNET_FEES: FeeSchedule = Object.freeze({
  updateMessageExecution: 5_000_000n,
  ingressMessageReception: 1_200_000n,
  ingressByteReception: 2_000n,
  xnetCall: 260_000n,
  xnetByteTransmission: 1_000n,
  maxResponseBytes: 2n * 1024n * 1024n,
  // The flat execution fee plus 40B instructions (the per-message limit) at 1 cycle each.
  responseExecutionReservation: 5_000_000n + 40_000_000_000n,
  storagePerGiBSecond: 127_000n,
  canisterCreation: 500_000_000_000n,
  httpRequestBase: (3_000_000n + 60_000n * SUBNET_SIZE) * SUBNET_SIZE,
  httpRequestPerRequestByte: 400n * SUBNET_SIZE,
  httpRequestPerResponseByte: 800n * SUBNET_SIZE
});

/** Nothing costs anything (cycles attached to calls still move). */
export const FREE_FEES: FeeSchedule = Object.freeze({
  updateMessageExecution: 0n,
  ingressMessageReception: 0n,
  ingressByteReception: 0n,
  xnetCall: 0n,
  xnetByteTransmission: 0n,
  maxResponseBytes: 2n * 1024n * 1024n,
  responseExecutionReservation: 0n,
  storagePerGiBSecond: 0n,
  canisterCreation: 0n,
  httpRequestBase: 0n,
  httpRequestPerRequestByte: 0n,
  httpRequestPerResponseByte: 0n
});

export const DEFAULT_FREEZING_THRESHOLD_SECONDS = 2_592_000n;
const GIB = 1n << 30n;
export const MAX_CYCLES = (1n << 128n) - 1n;

/** Transmission cost of a request, paid at `call_perform`. */
export function requestTransmissionFee(fees: FeeSchedule, methodNameBytes: number, payloadBytes: number): bigint {
  return fees.xnetCall + fees.xnetByteTransmission * BigInt(methodNameBytes + payloadBytes);
}

/** Reserved at `call_perform` for the response; adjusted when the response arrives. */
export function responseReservation(fees: FeeSchedule): bigint {
  return fees.xnetByteTransmission * fees.maxResponseBytes + fees.responseExecutionReservation;
}

/** `ic0.cost_call`: what a canister must have above its freezing limit to perform a call. */
export function callCost(fees: FeeSchedule, methodNameBytes: bigint, payloadBytes: bigint): bigint {
  return fees.xnetCall + fees.xnetByteTransmission * (methodNameBytes + payloadBytes) + responseReservation(fees);
}

/** The part of the reservation a response gives back: unused transmission bytes and unused execution. */
export function responseReservationRefund(fees: FeeSchedule, responseBytes: number): bigint {
  const transmission = fees.xnetByteTransmission * (fees.maxResponseBytes - BigInt(Math.min(responseBytes, Number(fees.maxResponseBytes))));
  const execution = fees.responseExecutionReservation - fees.updateMessageExecution;
  return transmission + (execution > 0n ? execution : 0n);
}

export function ingressInductionFee(fees: FeeSchedule, methodNameBytes: number, argumentBytes: number): bigint {
  return fees.ingressMessageReception + fees.ingressByteReception * BigInt(methodNameBytes + argumentBytes);
}

/** Idle cycles a canister of this size burns during its freezing threshold; below this it is frozen. */
export function freezingLimit(fees: FeeSchedule, memoryBytes: bigint, freezingThresholdSeconds: bigint): bigint {
  return (memoryBytes * fees.storagePerGiBSecond * freezingThresholdSeconds) / GIB;
}

export function httpRequestCost(fees: FeeSchedule, requestBytes: bigint, maxResponseBytes: bigint): bigint {
  return fees.httpRequestBase + fees.httpRequestPerRequestByte * requestBytes + fees.httpRequestPerResponseByte * maxResponseBytes;
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
