// What issue_jwt pays for its signature on the built Wasm: the fee for the subnet holding the key,
// with whatever the canister attached above it refunded.
import { describe, expect, it } from 'vitest';

import { signingFee as cyclesTheCanisterAttaches } from '../../src/backend/core/fees';
import { keyHoldingSubnetSize, signingFee as feeTheLocalIcCharges } from '../../packages/local-ic/src/threshold';
import { toPic } from '../pocket_ic/support/pic';
import { JwtIssuer, randomPrincipal } from './harness/jwt_issuer';
import { ISSUER_KEY_NAME, useInstance, usePocketIcServer } from './harness/pic_network';

// The docs' signing fee: 10B cycles on a 13-node subnet, 26_153_846_153 on a 34-node one.
const EXPECTED = [
  { keyName: 'key_1', nodes: 34n, fee: 26_153_846_153n },
  { keyName: 'test_key_1', nodes: 13n, fee: 10_000_000_000n },
  { keyName: 'dfx_test_key', nodes: 13n, fee: 10_000_000_000n }
] as const;
const KEY_1_FEE = EXPECTED[0].fee;

const server = usePocketIcServer();
const instance = useInstance(server);

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

  // Execution is charged too on a PocketIC server, so the balance moves by the fee plus far less
  // than the 16B between the 34-node and the 13-node fee. (The exact fee of every key, with
  // execution free, is on the in-process local IC: tests/localnet/jwt_issuer_on_local_ic.test.ts.)
  it('issue_jwt with key_1, held by the 34-node II subnet, pays its fee per token, ES256K and EdDSA', async () => {
    const issuer = await JwtIssuer.install(instance(), { config: { keyName: ISSUER_KEY_NAME } });
    const balance = async (): Promise<bigint> => BigInt(await instance().getCyclesBalance(toPic(issuer.canisterId)));
    for (const algorithm of ['ES256K', 'EdDSA']) {
      const before = await balance();
      await issuer.issueToken(randomPrincipal(), { algorithm });
      const spent = before - (await balance());
      expect(spent).toBeGreaterThanOrEqual(KEY_1_FEE);
      expect(spent).toBeLessThan(KEY_1_FEE + 1_000_000_000n);
    }
  });
});
