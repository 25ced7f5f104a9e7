// Threshold signing fees per key name (cycles). The canister attaches the fee;
// the management canister refunds whatever it does not use.
export const KEY_NAMES = ['dfx_test_key', 'test_key_1', 'key_1'] as const;
export type KeyName = (typeof KEY_NAMES)[number];

const SIGNING_FEES: Record<KeyName, bigint> = {
  // key_1 lives on a 34-node subnet.
  key_1: 26_153_846_153n,
  // test_key_1 lives on a 13-node subnet.
  test_key_1: 10_000_000_000n,
  // Local replicas and PocketIC price dfx_test_key by their own subnet size;
  // attaching the key_1 amount is enough everywhere and the surplus is refunded.
  dfx_test_key: 26_153_846_153n
};

export function isKeyName(name: string): name is KeyName {
  return (KEY_NAMES as readonly string[]).includes(name);
}

export function signingFee(keyName: KeyName): bigint {
  return SIGNING_FEES[keyName];
}
