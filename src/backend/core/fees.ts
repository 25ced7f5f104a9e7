// Cycles the canister attaches to sign_with_ecdsa / sign_with_schnorr, per key name.
// The IC charges the signature fee of the subnet that holds the key (10B cycles × nodes / 13,
// rounded down) and refunds the rest of what was attached.
//
// Azle 0.33 gives JavaScript no access to ic0.cost_sign_with_ecdsa / ic0.cost_sign_with_schnorr
// (its build stubs the imports; azle/src/stable/lib has no cost API), so the canister cannot ask
// the IC and carries this table. tests/integration/signing_fees.test.ts checks it against what the
// local IC charges; packages/local-ic/src/costs and packages/local-ic/src/threshold/key_subnets.ts say where those
// figures come from.
export const KEY_NAMES = ['dfx_test_key', 'test_key_1', 'key_1'] as const;
export type KeyName = (typeof KEY_NAMES)[number];

const CYCLES_TO_ATTACH: Record<KeyName, bigint> = {
  // key_1 lives on 34-node subnets (mainnet fiduciary and II, and PocketIC's): exactly the fee.
  key_1: 26_153_846_153n,
  // test_key_1 lives on a 13-node subnet (mainnet and PocketIC's test-threshold-keys subnet): exactly the fee.
  test_key_1: 10_000_000_000n,
  // dfx_test_key costs 10B where it lives on a 13-node subnet (the local IC, PocketIC with a
  // test-threshold-keys subnet) but 26_153_846_153 on PocketIC versions that hold it on their
  // 34-node II and fiduciary subnets. Attaching the larger amount works on both; the surplus is refunded.
  dfx_test_key: 26_153_846_153n
};

export function isKeyName(name: string): name is KeyName {
  return (KEY_NAMES as readonly string[]).includes(name);
}

/** What issuing one token with `keyName` attaches (and so must be able to spend); at least the IC's fee. */
export function signingFee(keyName: KeyName): bigint {
  return CYCLES_TO_ATTACH[keyName];
}
