/**
 * The IC's published cost schedule: the price of each chargeable operation on
 * the reference 13-node subnet, and how it scales to a subnet of `n` nodes.
 * Pure: no I/O, no local-IC state.
 *
 * Sources (numbers are the 13-node column):
 * - Developer docs, "Cycles costs" (reference/cycles-costs; formerly
 *   "Gas and cycles cost" + "Cycles cost formulas"), section "Cost table":
 *   canister creation, compute allocation, update message execution,
 *   instructions, xnet call and byte, ingress message and byte, storage.
 * - Same page, section "HTTPS outcalls": the outcall formula, which is already
 *   written in `n` and is not scaled by n / 13.
 * - Same page, section "Subnet replication factors": every other fee on an
 *   `n`-node subnet is `fee × n / 13`. The replica (dfinity/ic
 *   rs/cycles_account_manager, `scale_cost`; reference size 13 in
 *   rs/config/src/subnet_config.rs) multiplies first and divides last in
 *   integer cycles, so the result is rounded down and a fee built from several
 *   parts (a base fee plus a per-byte fee) is scaled as one sum.
 * - Threshold signatures and vetKD: 10B cycles at 13 nodes (subnet_config.rs
 *   ECDSA_SIGNATURE_FEE, SCHNORR_SIGNATURE_FEE, VETKD_FEE; the docs' signing
 *   fee table: 10_000_000_000 on 13 nodes, 26_153_846_153 on 34 nodes).
 * - Limits used by the call prepayment: 40B instructions per update message
 *   and 2 MiB per inter-canister response (docs "Resource limits").
 */

export const REFERENCE_SUBNET_SIZE = 13n;

/** Prices on a 13-node subnet, in cycles. */
export interface ReferencePrices {
  readonly canisterCreation: bigint;
  readonly computePercentAllocatedPerSecond: bigint;
  readonly updateMessageExecution: bigint;
  /** Per Wasm instruction executed (1B instructions cost 1B cycles). */
  readonly instruction: bigint;
  readonly xnetCall: bigint;
  readonly xnetByteTransmission: bigint;
  readonly ingressMessageReception: bigint;
  readonly ingressByteReception: bigint;
  readonly gibStoragePerSecond: bigint;
  readonly ecdsaSignature: bigint;
  readonly schnorrSignature: bigint;
  readonly vetKdDeriveKey: bigint;
  /** HTTPS outcall: `(linear + quadratic × n) × n + (perRequestByte × req + perResponseByte × maxRes) × n`. */
  readonly httpRequestLinearBaseline: bigint;
  readonly httpRequestQuadraticBaseline: bigint;
  readonly httpRequestPerByte: bigint;
  readonly httpResponsePerByte: bigint;
}

export const IC_REFERENCE_PRICES: ReferencePrices = Object.freeze({
  canisterCreation: 500_000_000_000n,
  computePercentAllocatedPerSecond: 10_000_000n,
  updateMessageExecution: 5_000_000n,
  instruction: 1n,
  xnetCall: 260_000n,
  xnetByteTransmission: 1_000n,
  ingressMessageReception: 1_200_000n,
  ingressByteReception: 2_000n,
  gibStoragePerSecond: 127_000n,
  ecdsaSignature: 10_000_000_000n,
  schnorrSignature: 10_000_000_000n,
  vetKdDeriveKey: 10_000_000_000n,
  httpRequestLinearBaseline: 3_000_000n,
  httpRequestQuadraticBaseline: 60_000n,
  httpRequestPerByte: 400n,
  httpResponsePerByte: 800n
});

/** Nothing costs anything. */
export const ZERO_PRICES: ReferencePrices = Object.freeze(
  Object.fromEntries(Object.keys(IC_REFERENCE_PRICES).map((name) => [name, 0n])) as unknown as ReferencePrices
);

/** Instructions one update message (and so one response callback) may execute. */
export const MAX_INSTRUCTIONS_PER_MESSAGE = 40_000_000_000n;
/** The largest inter-canister response, which a caller prepays transmission for. */
export const MAX_INTER_CANISTER_RESPONSE_BYTES = 2n * 1024n * 1024n;

const GIB = 1n << 30n;

/** A subnet's prices: the reference prices and the number of nodes they scale to. */
export interface SubnetPricing {
  readonly subnetSize: bigint;
  readonly prices: ReferencePrices;
}

export function subnetPricing(subnetSize: bigint | number, prices: ReferencePrices = IC_REFERENCE_PRICES): SubnetPricing {
  const size = BigInt(subnetSize);
  if (size < 1n) throw new RangeError(`a subnet has at least one node, not ${size}`);
  return Object.freeze({ subnetSize: size, prices });
}

/** `cycles × n / 13`, rounded down, as the replica scales every fee except HTTPS outcalls. */
export function scaleToSubnet(referenceCycles: bigint, subnetSize: bigint): bigint {
  return (referenceCycles * subnetSize) / REFERENCE_SUBNET_SIZE;
}

const scaled = (pricing: SubnetPricing, referenceCycles: bigint): bigint => scaleToSubnet(referenceCycles, pricing.subnetSize);

export function canisterCreationFee(pricing: SubnetPricing): bigint {
  return scaled(pricing, pricing.prices.canisterCreation);
}

export function computeAllocationFee(pricing: SubnetPricing, percent: bigint, seconds: bigint): bigint {
  return scaled(pricing, pricing.prices.computePercentAllocatedPerSecond * percent * seconds);
}

/** One replicated execution (update, callback, timer, install hook) of `instructions` instructions. */
export function executionFee(pricing: SubnetPricing, instructions: bigint): bigint {
  return scaled(pricing, pricing.prices.updateMessageExecution + pricing.prices.instruction * instructions);
}

/**
 * The instruction part alone, as the replica refunds instructions an execution
 * prepaid but did not use (rs/cycles_account_manager `refund_unused_execution_cycles`:
 * the unused instructions are converted and scaled on their own).
 */
export function instructionsFee(pricing: SubnetPricing, instructions: bigint): bigint {
  return scaled(pricing, pricing.prices.instruction * instructions);
}

export function ingressInductionFee(pricing: SubnetPricing, messageBytes: bigint): bigint {
  return scaled(pricing, pricing.prices.ingressMessageReception + pricing.prices.ingressByteReception * messageBytes);
}

/** Paid by the caller at `call_perform` for sending a request of `requestBytes` (method name and argument). */
export function xnetRequestFee(pricing: SubnetPricing, requestBytes: bigint): bigint {
  return scaled(pricing, pricing.prices.xnetCall + pricing.prices.xnetByteTransmission * requestBytes);
}

/** Transmission of a response of `responseBytes`. */
export function xnetResponseFee(pricing: SubnetPricing, responseBytes: bigint): bigint {
  return scaled(pricing, pricing.prices.xnetByteTransmission * responseBytes);
}

/** Reserved at `call_perform` for the largest response; what the real response does not use is refunded. */
export function responseTransmissionPrepayment(pricing: SubnetPricing): bigint {
  return xnetResponseFee(pricing, MAX_INTER_CANISTER_RESPONSE_BYTES);
}

/** Reserved at `call_perform` for running the longest possible response callback. */
export function responseExecutionPrepayment(pricing: SubnetPricing): bigint {
  return executionFee(pricing, MAX_INSTRUCTIONS_PER_MESSAGE);
}

/** `ic0.cost_call`: request transmission plus both prepayments for the response. */
export function callCost(pricing: SubnetPricing, methodNameBytes: bigint, payloadBytes: bigint): bigint {
  return (
    xnetRequestFee(pricing, methodNameBytes + payloadBytes) +
    responseTransmissionPrepayment(pricing) +
    responseExecutionPrepayment(pricing)
  );
}

/** Storage of `bytes` for `seconds` (the freezing limit is this over the freezing threshold). */
export function storageFee(pricing: SubnetPricing, bytes: bigint, seconds: bigint): bigint {
  return scaled(pricing, (bytes * pricing.prices.gibStoragePerSecond * seconds) / GIB);
}

/** HTTPS outcall; the formula is written in `n` already, so no n / 13 scaling. */
export function httpOutcallFee(pricing: SubnetPricing, requestBytes: bigint, maxResponseBytes: bigint): bigint {
  const { prices, subnetSize: n } = pricing;
  const base = prices.httpRequestLinearBaseline + prices.httpRequestQuadraticBaseline * n;
  return (base + prices.httpRequestPerByte * requestBytes + prices.httpResponsePerByte * maxResponseBytes) * n;
}

export type ThresholdOperation = 'sign_with_ecdsa' | 'sign_with_schnorr' | 'vetkd_derive_key';

/** Charged for one threshold operation with a key held by a subnet of `pricing.subnetSize` nodes. */
export function thresholdFee(pricing: SubnetPricing, operation: ThresholdOperation): bigint {
  const { prices } = pricing;
  const reference =
    operation === 'sign_with_ecdsa' ? prices.ecdsaSignature : operation === 'sign_with_schnorr' ? prices.schnorrSignature : prices.vetKdDeriveKey;
  return scaled(pricing, reference);
}
