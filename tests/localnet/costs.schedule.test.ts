import { describe, expect, it } from 'vitest';
import {
  callCost,
  canisterCreationFee,
  computeAllocationFee,
  executionFee,
  httpOutcallFee,
  ingressInductionFee,
  scaleToSubnet,
  storageFee,
  subnetPricing,
  thresholdFee,
  xnetRequestFee,
  xnetResponseFee,
  ZERO_PRICES
} from '../../packages/local-ic/src/costs/schedule.js';

const GIB = 1n << 30n;

// The developer docs' "Cycles costs" page, "Cost table": one operation per row, 13-node and 34-node columns.
const PUBLISHED = [
  { what: 'canister creation', fee: canisterCreationFee, at13: 500_000_000_000n, at34: 1_307_692_307_692n },
  { what: 'compute allocation, 1% for 1 s', fee: (p: Pricing) => computeAllocationFee(p, 1n, 1n), at13: 10_000_000n, at34: 26_153_846n },
  { what: 'update message execution', fee: (p: Pricing) => executionFee(p, 0n), at13: 5_000_000n, at34: 13_076_923n },
  {
    what: '1B instructions',
    fee: (p: Pricing) => executionFee(p, 1_000_000_000n) - executionFee(p, 0n),
    at13: 1_000_000_000n,
    at34: 2_615_384_615n
  },
  { what: 'xnet call', fee: (p: Pricing) => xnetRequestFee(p, 0n), at13: 260_000n, at34: 680_000n },
  { what: 'xnet byte', fee: (p: Pricing) => xnetResponseFee(p, 1n), at13: 1_000n, at34: 2_615n },
  { what: 'ingress message', fee: (p: Pricing) => ingressInductionFee(p, 0n), at13: 1_200_000n, at34: 3_138_461n },
  {
    what: 'ingress byte',
    // Averaged over 13 bytes: the replica scales base + bytes as one sum, so one byte alone can round either way.
    fee: (p: Pricing) => (ingressInductionFee(p, 13n) - ingressInductionFee(p, 0n)) / 13n,
    at13: 2_000n,
    at34: 5_230n
  },
  { what: 'GiB storage per second', fee: (p: Pricing) => storageFee(p, GIB, 1n), at13: 127_000n, at34: 332_153n }
] as const;
type Pricing = ReturnType<typeof subnetPricing>;

describe('the IC cost schedule', () => {
  it.each(PUBLISHED)("matches the docs' cost table for $what on 13 and 34 nodes", ({ fee, at13, at34 }) => {
    expect(fee(subnetPricing(13))).toBe(at13);
    expect(fee(subnetPricing(34))).toBe(at34);
  });

  it('scales by n / 13 rounding down, as the replica does in integer cycles', () => {
    expect(scaleToSubnet(10_000_000_000n, 34n)).toBe(26_153_846_153n); // 340e9 / 13 = 26_153_846_153.8…
    expect(scaleToSubnet(1_000n, 34n)).toBe(2_615n);
    expect(scaleToSubnet(10_000_000_000n, 13n)).toBe(10_000_000_000n);
    expect(scaleToSubnet(10_000_000_000n, 28n)).toBe(21_538_461_538n);
  });

  it('scales a fee made of a base and a per-byte part as one sum', () => {
    // 34 × (1.2M + 2k × 3) / 13 = 34 × 1_206_000 / 13 = 3_154_153.8…; the parts alone would give 3_138_461 + 3 × 5_230.
    expect(ingressInductionFee(subnetPricing(34), 3n)).toBe(3_154_153n);
  });

  it("charges threshold signatures the docs' 10B on 13 nodes and 26_153_846_153 on 34", () => {
    for (const operation of ['sign_with_ecdsa', 'sign_with_schnorr', 'vetkd_derive_key'] as const) {
      expect(thresholdFee(subnetPricing(13), operation)).toBe(10_000_000_000n);
      expect(thresholdFee(subnetPricing(34), operation)).toBe(26_153_846_153n);
    }
  });

  it("prices HTTPS outcalls with the docs' formula in n (base, per request byte, per response byte)", () => {
    const at = (n: number, request: bigint, response: bigint) => httpOutcallFee(subnetPricing(n), request, response);
    expect(at(13, 0n, 0n)).toBe(49_140_000n);
    expect(at(34, 0n, 0n)).toBe(171_360_000n);
    expect(at(13, 1n, 0n) - at(13, 0n, 0n)).toBe(5_200n);
    expect(at(34, 1n, 0n) - at(34, 0n, 0n)).toBe(13_600n);
    expect(at(13, 0n, 1n) - at(13, 0n, 0n)).toBe(10_400n);
    expect(at(34, 0n, 1n) - at(34, 0n, 0n)).toBe(27_200n);
  });

  it('prices ic0.cost_call as request transmission plus the prepayments for a 2 MiB response and a 40B-instruction callback', () => {
    // 260k + 1k × 110 bytes; 1k × 2 MiB; 5M + 40B × 1.
    expect(callCost(subnetPricing(13), 10n, 100n)).toBe(370_000n + 2_097_152_000n + 40_005_000_000n);
  });

  it('charges nothing with zero prices, and refuses a subnet without nodes', () => {
    const free = subnetPricing(13, ZERO_PRICES);
    expect(callCost(free, 10n, 100n) + canisterCreationFee(free) + httpOutcallFee(free, 5n, 5n)).toBe(0n);
    expect(() => subnetPricing(0)).toThrow(RangeError);
  });
});
