// The key lifecycle on the built Wasm: rotation publishes before it signs, a retired key stays
// until its last token has expired, a trapped rotation does not block the next one, and a
// canister without a usable key says so.
import { IDL } from '@dfinity/candid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { RotateKeysResultType } from '../../src/backend/core/candid';
import { KEY_PREPUBLICATION_SECONDS, RETIREMENT_MARGIN_SECONDS } from '../../src/backend/core/key_ring';
import { ROTATION_LEASE_SECONDS } from '../../src/backend/core/rotation_lease';
import { LocalIc } from '../../packages/local-ic/src';
import { createThresholdKeys, existingKeyIds, formatKeyId, UnknownThresholdKeyError, type ThresholdKeys } from '../../packages/local-ic/src/threshold';
import { verifyWithJwks } from '../support/verify';
import { JwtIssuer, randomPrincipal } from './harness/jwt_issuer';
import { createLocalIcBackend } from './harness/local_ic_backend';
import type { TestIc } from './harness/test_ic';

const DAY = 86_400;

/** The kid in a compact JWS header. */
const kidOf = (token: string): string => JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString())['kid'];

describe('key rotation', () => {
  let local: LocalIc;
  let ic: TestIc;
  beforeAll(async () => {
    local = await LocalIc.create();
    ic = await createLocalIcBackend(local);
  });
  afterAll(async () => {
    await ic?.close();
  });

  it('lists the new kid in the JWKS at once but signs with the old one until the pre-publication delay has passed', async () => {
    const issuer = await JwtIssuer.install(ic, { config: { algorithms: ['ES256K'] } });
    const caller = randomPrincipal();
    const oldKid = kidOf(await issuer.issueToken(caller));

    const rotated = (await issuer.rotateKeys()) as { Ok: { pending_keys: { kid: string; activates_at: bigint }[] } };
    const [pending] = rotated.Ok.pending_keys;
    const newKid = pending!.kid;
    expect(newKid).not.toBe(oldKid);
    const nowSeconds = Number(local.time / 1_000_000_000n);
    expect(Number(pending!.activates_at)).toBe(nowSeconds + KEY_PREPUBLICATION_SECONDS);

    expect((await issuer.jwks()).keys.map((key) => key['kid'])).toEqual([oldKid, newKid]);
    expect(kidOf(await issuer.issueToken(caller))).toBe(oldKid);

    await ic.advanceTime((KEY_PREPUBLICATION_SECONDS - 5) * 1000);
    expect(kidOf(await issuer.issueToken(caller))).toBe(oldKid);

    await ic.advanceTime(10_000);
    const token = await issuer.issueToken(caller);
    expect(kidOf(token)).toBe(newKid);
    verifyWithJwks(token, await issuer.jwks());
  });

  it('activates the pending key by a timer that an upgrade re-arms from stable memory', async () => {
    const issuer = await JwtIssuer.install(ic, { config: { algorithms: ['EdDSA'] } });
    const oldKid = (await issuer.metrics()).active_keys[0]!.kid;
    await issuer.rotateKeys();
    const newKid = (await issuer.metrics()).pending_keys[0]!.kid;
    await issuer.upgrade();
    await ic.advanceTime((KEY_PREPUBLICATION_SECONDS + 1) * 1000);
    // No update call ran: only the timer can have rebuilt the JWKS (active keys first). The old
    // key never signed, so it left as it retired.
    expect((await issuer.jwks()).keys.map((key) => key['kid'])).toEqual([newKid]);
    expect(oldKid).not.toBe(newKid);
  });

  it('keeps a retired key until the latest exp it signed plus the margin, even after max_ttl_seconds was lowered', async () => {
    const issuer = await JwtIssuer.install(ic, { config: { algorithms: ['ES256K'], maxTtlSeconds: 30 * DAY, defaultTtlSeconds: 3600 } });
    const month = await issuer.issueToken(randomPrincipal(), { ttlSeconds: 30 * DAY });
    const oldKid = kidOf(month);
    expect(await issuer.updateConfig(issuer.controller, { maxTtlSeconds: 3600 })).toMatchObject({ Ok: { max_ttl_seconds: 3600 } });
    expect(await issuer.rotateKeys()).toMatchObject({ Ok: { key_version: 2 } });

    // Well past max_ttl_seconds (now one hour) plus the margin after the rotation.
    await ic.advanceTime((KEY_PREPUBLICATION_SECONDS + 3600 + RETIREMENT_MARGIN_SECONDS + 60) * 1000);
    verifyWithJwks(month, await issuer.jwks());
    expect((await issuer.metrics()).active_keys.map((key) => key.kid)).not.toContain(oldKid);

    // Up to the token's exp plus the margin, then no more.
    const exp = JSON.parse(Buffer.from(month.split('.')[1]!, 'base64url').toString())['exp'] as number;
    const untilExp = exp + RETIREMENT_MARGIN_SECONDS - Number(local.time / 1_000_000_000n);
    await ic.advanceTime((untilExp - 5) * 1000);
    verifyWithJwks(month, await issuer.jwks());
    await ic.advanceTime(10_000);
    expect(() => verifyWithJwks(month, { keys: [] })).toThrow();
    expect((await issuer.jwks()).keys.map((key) => key['kid'])).not.toContain(oldKid);
  });

  it('does not stay blocked after a rotation whose reply handler trapped', async () => {
    const issuer = await JwtIssuer.install(ic, { config: { algorithms: ['ES256K'] } });
    // Not Candid: decoding the public key in the canister's reply handler throws, and the handler traps.
    local.replaceNextManagementReply('ecdsa_public_key', new TextEncoder().encode('not candid'));
    const trapped = await ic.update(issuer.canisterId, 'rotate_keys', IDL.encode([], []), issuer.controller);
    expect(trapped.kind).toBe('rejected');
    // The cleanup callback could not reply either, so the lease the rotation took is still held...
    expect(await issuer.rotateKeys()).toEqual({ Err: { RotationInProgress: null } });

    // ...until it expires; then a rotation goes through.
    await ic.advanceTime((ROTATION_LEASE_SECONDS + 1) * 1000);
    const again = await ic.update(issuer.canisterId, 'rotate_keys', IDL.encode([], []), issuer.controller);
    if (again.kind !== 'replied') throw new Error(`rotate_keys was rejected: ${again.message}`);
    // Version 2: the trapped rotation changed nothing.
    expect(IDL.decode([RotateKeysResultType], again.reply)[0]).toMatchObject({ Ok: { key_version: 2 } });
  });

  it('refuses a second rotation while the first is pending, and anyone but a controller; update_config still works', async () => {
    const issuer = await JwtIssuer.install(ic, { config: { algorithms: ['ES256K'] } });
    expect(await issuer.rotateKeys()).toMatchObject({ Ok: { key_version: 2 } });
    expect(await issuer.rotateKeys()).toEqual({ Err: { RotationInProgress: null } });
    // A rotation arms a timer; update_config used to trap clearing it (Azle's clearTimer).
    expect(await issuer.updateConfig(issuer.controller, { globalLimitPerMinute: 40 })).toMatchObject({ Ok: { global_limit_per_minute: 40 } });
    const stranger = randomPrincipal();
    expect(await issuer.rotateKeys(stranger)).toEqual({ Err: { NotController: { caller: stranger } } });
    await ic.advanceTime((KEY_PREPUBLICATION_SECONDS + 1) * 1000);
    expect(await issuer.rotateKeys()).toMatchObject({ Ok: { key_version: 3 } });
  });
});

/** Threshold keys of a subnet that holds dfx_test_key only (like mainnet, which holds key_1 and test_key_1 but not dfx_test_key). */
function dfxTestKeyOnly(): ThresholdKeys {
  const keys = createThresholdKeys();
  const held = existingKeyIds().filter((id) => id.endsWith(':dfx_test_key'));
  const refuse = (method: 'ecdsa_public_key' | 'schnorr_public_key', keyId: string): never => {
    throw new UnknownThresholdKeyError(method, keyId, held);
  };
  return {
    ecdsaPublicKey: (name, ...rest) => (name === 'dfx_test_key' ? keys.ecdsaPublicKey(name, ...rest) : refuse('ecdsa_public_key', formatKeyId('ecdsa', name))),
    schnorrPublicKey: (algorithm, name, ...rest) =>
      name === 'dfx_test_key' ? keys.schnorrPublicKey(algorithm, name, ...rest) : refuse('schnorr_public_key', formatKeyId(algorithm, name)),
    signWithEcdsa: (...args) => keys.signWithEcdsa(...args),
    signWithSchnorr: (...args) => keys.signWithSchnorr(...args)
  };
}

describe('a canister without a usable key', () => {
  let ic: TestIc;
  beforeAll(async () => {
    ic = await createLocalIcBackend(await LocalIc.create({ thresholdKeys: dfxTestKeyOnly() }));
  });
  afterAll(async () => {
    await ic?.close();
  });

  it('reports the management canister reject in metrics and in SigningKeyNotReady', async () => {
    const issuer = await JwtIssuer.install(ic, { config: { keyName: 'key_1' }, waitForKey: false });
    await ic.settle();
    await ic.advanceTime(3_000);
    const metrics = await issuer.metrics();
    expect(metrics.active_keys).toEqual([]);
    expect(metrics.signing_keys.map((entry) => entry.algorithm)).toEqual(['ES256K', 'EdDSA']);
    for (const { status } of metrics.signing_keys) {
      if (!('Failed' in status)) throw new Error(`expected Failed, got ${Object.keys(status)[0]}`);
      expect(status.Failed.reject_code).toBe(3);
      expect(status.Failed.message).toMatch(/unknown threshold key.*key_1/);
      expect(status.Failed.attempts).toBeGreaterThanOrEqual(2);
      expect(Number(status.Failed.next_retry_at)).toBeGreaterThan(Number(BigInt(Date.now()) / 1000n) - 60);
    }
    const result = await issuer.issue(randomPrincipal());
    expect(result).toMatchObject({
      Err: { SigningKeyNotReady: { algorithm: 'ES256K', status: { Failed: { reject_code: 3 } } } }
    });
    // Pointing it at a key the subnet holds makes it ready.
    await issuer.updateConfig(issuer.controller, { keyName: 'dfx_test_key' });
    await issuer.waitForSigningKey();
    expect((await issuer.metrics()).signing_keys.map((entry) => Object.keys(entry.status)[0])).toEqual(['Ready', 'Ready']);
  });
});
