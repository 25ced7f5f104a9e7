// What issue_jwt pays for its signature on the built Wasm: the local IC's fee for the subnet
// holding the key, with whatever the canister attached above it refunded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { signingFee as cyclesTheCanisterAttaches } from '../../src/backend/core/fees';
import { FREE_FEES, LocalIc } from '../../packages/local-ic/src';
import { keyHoldingSubnetSize, signingFee as feeTheLocalIcCharges } from '../../packages/local-ic/src/threshold';
import { createLocalIcBackend } from './harness/local_ic_backend';
import { JwtIssuer, randomPrincipal } from './harness/jwt_issuer';
import type { TestIc } from './harness/test_ic';

// The docs' signing fee: 10B cycles on a 13-node subnet, 26_153_846_153 on a 34-node one.
const EXPECTED = [
  { keyName: 'key_1', nodes: 34n, fee: 26_153_846_153n },
  { keyName: 'test_key_1', nodes: 13n, fee: 10_000_000_000n },
  { keyName: 'dfx_test_key', nodes: 13n, fee: 10_000_000_000n }
] as const;

let ic: TestIc;

beforeAll(async () => {
  // Free execution, ingress and calls: the balance then moves only by what the signature costs.
  ic = await createLocalIcBackend(await LocalIc.create({ fees: FREE_FEES }));
});

afterAll(async () => {
  await ic?.close();
});

describe('signing fees', () => {
  it.each(EXPECTED)('$keyName: the local IC charges the fee of its $nodes-node subnet, and the canister attaches at least that', ({ keyName, nodes, fee }) => {
    expect(keyHoldingSubnetSize(keyName)).toBe(nodes);
    for (const scheme of ['ecdsa', 'schnorr'] as const) expect(feeTheLocalIcCharges(scheme, keyName)).toBe(fee);
    expect(cyclesTheCanisterAttaches(keyName)).toBeGreaterThanOrEqual(fee);
  });

  it('the canister attaches exactly the fee for key_1 and test_key_1, and more for dfx_test_key (the IC sides with 10B)', () => {
    expect(cyclesTheCanisterAttaches('key_1')).toBe(feeTheLocalIcCharges('ecdsa', 'key_1'));
    expect(cyclesTheCanisterAttaches('test_key_1')).toBe(feeTheLocalIcCharges('ecdsa', 'test_key_1'));
    expect(cyclesTheCanisterAttaches('dfx_test_key') - feeTheLocalIcCharges('ecdsa', 'dfx_test_key')).toBe(16_153_846_153n);
  });

  it.each(EXPECTED)('issue_jwt with $keyName pays exactly $fee per token, ES256K and EdDSA, the surplus refunded', async ({ keyName, fee }) => {
    const issuer = await JwtIssuer.install(ic, { config: { keyName } });
    await ic.settle();
    for (const algorithm of ['ES256K', 'EdDSA']) {
      const before = await ic.cycleBalance(issuer.canisterId);
      await issuer.issueToken(randomPrincipal(), { algorithm });
      expect(before - (await ic.cycleBalance(issuer.canisterId))).toBe(fee);
    }
  });
});
