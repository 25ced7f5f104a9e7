// The built jwt_issuer on the in-process local IC, for what only it can do: replace a management
// canister reply (a rotation whose reply handler traps), have the test-threshold-keys subnet (which
// @dfinity/pic 0.23 cannot ask for), and make execution free (the balance then moves by the signing
// fee alone). Everything else about the canister runs through @dfinity/pic in tests/integration.
import { IDL } from '@dfinity/candid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ROTATION_LEASE_SECONDS } from '../../src/backend/core/rotation_lease';
import { configInputToCandid } from '../../src/backend/core/candid';
import { FREE_FEES, LocalIc } from '../../packages/local-ic/src';
import { signingFee } from '../../packages/local-ic/src/threshold';
import { randomPrincipal } from '../integration/harness/jwt_issuer';
import { LocalIcIssuer, settleLocalIc } from '../support/local_ic_issuer';

describe('a rotation whose reply handler trapped', () => {
  let ic: LocalIc;
  beforeAll(async () => {
    ic = await LocalIc.create();
  });
  afterAll(() => ic?.close());

  it('does not block rotations after the lease it took expires', async () => {
    const issuer = await LocalIcIssuer.install(ic, { algorithms: ['ES256K'] });
    // Not Candid: decoding the public key in the canister's reply handler throws, and the handler traps.
    ic.replaceNextManagementReply('ecdsa_public_key', new TextEncoder().encode('not candid'));
    const trapped = await ic.updateCall(issuer.canisterId, 'rotate_keys', IDL.encode([], []), { sender: issuer.controller });
    expect(trapped.kind).toBe('rejected');
    // The cleanup callback could not reply either, so the lease the rotation took is still held...
    expect(await issuer.call('rotate_keys', [])).toEqual({ Err: { RotationInProgress: null } });

    // ...until it expires; then a rotation goes through. Version 2: the trapped rotation changed nothing.
    ic.advanceTime((ROTATION_LEASE_SECONDS + 1) * 1000);
    await settleLocalIc(ic);
    expect(await issuer.call('rotate_keys', [])).toMatchObject({ Ok: { key_version: 2 } });
  });
});

describe('signing fees with execution free', () => {
  let ic: LocalIc;
  beforeAll(async () => {
    ic = await LocalIc.create({ fees: FREE_FEES });
  });
  afterAll(() => ic?.close());

  it.each(['key_1', 'test_key_1', 'dfx_test_key'] as const)('issue_jwt with %s pays exactly the fee of the subnet holding it, ES256K and EdDSA', async (keyName) => {
    const issuer = await LocalIcIssuer.install(ic, { keyName });
    for (const [algorithm, scheme] of [['ES256K', 'ecdsa'], ['EdDSA', 'schnorr']] as const) {
      const before = ic.cycleBalance(issuer.canisterId);
      await issuer.issueToken(randomPrincipal(), { algorithm });
      expect(before - ic.cycleBalance(issuer.canisterId)).toBe(signingFee(scheme, keyName));
    }
  });
});

describe('a canister without a usable key', () => {
  let ic: LocalIc;
  beforeAll(async () => {
    // No II or fiduciary subnet, so no key_1: as in PocketIC, a key exists only with a subnet holding it.
    ic = await LocalIc.create({ subnets: ['test-threshold-keys', 'application'] });
  });
  afterAll(() => ic?.close());

  it('reports the management canister reject in metrics and in SigningKeyNotReady', async () => {
    const issuer = await LocalIcIssuer.install(ic, { keyName: 'key_1' }, { waitForKey: false });
    await settleLocalIc(ic);
    ic.advanceTime(3_000);
    await settleLocalIc(ic);
    const metrics = await issuer.call('metrics', []);
    expect(metrics.active_keys).toEqual([]);
    expect(metrics.signing_keys.map((entry) => entry.algorithm)).toEqual(['ES256K', 'EdDSA']);
    for (const { status } of metrics.signing_keys) {
      if (!('Failed' in status)) throw new Error(`expected Failed, got ${Object.keys(status)[0]}`);
      expect(status.Failed.reject_code).toBe(3);
      expect(status.Failed.message).toMatch(/unknown threshold key: (ecdsa:Secp256k1|schnorr:Ed25519):key_1, existing keys: \[([^\]]*)\]/);
      const existing = /existing keys: \[([^\]]*)\]/.exec(status.Failed.message)![1]!.split(', ');
      expect(existing.filter((keyId) => keyId.endsWith(':key_1'))).toEqual([]);
      expect(existing).toContain('ecdsa:Secp256k1:dfx_test_key');
      expect(existing).toContain('schnorr:Ed25519:test_key_1');
      expect(status.Failed.attempts).toBeGreaterThanOrEqual(2);
      expect(Number(status.Failed.next_retry_at)).toBeGreaterThan(Number(ic.time / 1_000_000_000n) - 60);
    }
    expect(await issuer.call('issue_jwt', [[]], randomPrincipal())).toMatchObject({
      Err: { SigningKeyNotReady: { algorithm: 'ES256K', status: { Failed: { reject_code: 3 } } } }
    });
    // Pointing it at a key the subnet holds makes it ready.
    await issuer.call('update_config', [configInputToCandid({ keyName: 'dfx_test_key' })]);
    await issuer.waitForSigningKey();
    expect((await issuer.call('metrics', [])).signing_keys.map((entry) => Object.keys(entry.status)[0])).toEqual(['Ready', 'Ready']);
  });
});
