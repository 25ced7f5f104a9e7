// The key lifecycle on the built Wasm: rotation publishes before it signs, and a retired key stays
// until its last token has expired. (A rotation whose reply handler traps, and a canister without
// a usable key, need what only the in-process local IC does: tests/localnet/jwt_issuer_on_local_ic.test.ts.)
import { describe, expect, it } from 'vitest';

import { KEY_PREPUBLICATION_SECONDS, RETIREMENT_MARGIN_SECONDS } from '../../src/backend/core/key_ring';
import { JwtIssuer, randomPrincipal } from './harness/jwt_issuer';
import { advanceTime, instanceSeconds, useInstance, usePocketIcServer } from './harness/pic_network';

const server = usePocketIcServer();

const DAY = 86_400;

/** The kid in a compact JWS header. */
const kidOf = (token: string): string => JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString())['kid'];

describe('key rotation', () => {
  const instance = useInstance(server);

  it('lists the new kid in the JWKS at once but signs with the old one until the pre-publication delay has passed', async () => {
    const issuer = await JwtIssuer.install(instance(), { config: { algorithms: ['ES256K'] } });
    const caller = randomPrincipal();
    const oldKid = kidOf(await issuer.issueToken(caller));

    const rotated = (await issuer.rotateKeys()) as { Ok: { pending_keys: { kid: string; activates_at: bigint }[] } };
    const [pending] = rotated.Ok.pending_keys;
    const newKid = pending!.kid;
    expect(newKid).not.toBe(oldKid);
    const nowSeconds = await instanceSeconds(instance());
    expect(Number(pending!.activates_at)).toBe(nowSeconds + KEY_PREPUBLICATION_SECONDS);

    expect((await issuer.jwks()).keys.map((key) => key['kid'])).toEqual([oldKid, newKid]);
    expect(kidOf(await issuer.issueToken(caller))).toBe(oldKid);

    await advanceTime(instance(), (KEY_PREPUBLICATION_SECONDS - 5) * 1000);
    expect(kidOf(await issuer.issueToken(caller))).toBe(oldKid);

    await advanceTime(instance(), 10_000);
    const token = await issuer.issueToken(caller);
    expect(kidOf(token)).toBe(newKid);
    await issuer.verify(token);
  });

  it('activates the pending key by a timer that an upgrade re-arms from stable memory', async () => {
    const issuer = await JwtIssuer.install(instance(), { config: { algorithms: ['EdDSA'] } });
    const oldKid = (await issuer.metrics()).active_keys[0]!.kid;
    await issuer.rotateKeys();
    const newKid = (await issuer.metrics()).pending_keys[0]!.kid;
    await issuer.upgrade();
    await advanceTime(instance(), (KEY_PREPUBLICATION_SECONDS + 1) * 1000);
    // No update call ran: only the timer can have rebuilt the JWKS (active keys first). The old
    // key never signed, so it left as it retired.
    expect((await issuer.jwks()).keys.map((key) => key['kid'])).toEqual([newKid]);
    expect(oldKid).not.toBe(newKid);
  });

  it('keeps a retired key until the latest exp it signed plus the margin, even after max_ttl_seconds was lowered', async () => {
    const issuer = await JwtIssuer.install(instance(), { config: { algorithms: ['ES256K'], maxTtlSeconds: 30 * DAY, defaultTtlSeconds: 3600 } });
    const month = await issuer.issueToken(randomPrincipal(), { ttlSeconds: 30 * DAY });
    const oldKid = kidOf(month);
    expect(await issuer.updateConfig(issuer.controller, { maxTtlSeconds: 3600 })).toMatchObject({ Ok: { max_ttl_seconds: 3600 } });
    expect(await issuer.rotateKeys()).toMatchObject({ Ok: { key_version: 2 } });

    // Well past max_ttl_seconds (now one hour) plus the margin after the rotation.
    await advanceTime(instance(), (KEY_PREPUBLICATION_SECONDS + 3600 + RETIREMENT_MARGIN_SECONDS + 60) * 1000);
    await issuer.verify(month);
    expect((await issuer.metrics()).active_keys.map((key) => key.kid)).not.toContain(oldKid);

    // The token is good until its exp; its key is served until exp plus the margin, then no more.
    const exp = JSON.parse(Buffer.from(month.split('.')[1]!, 'base64url').toString())['exp'] as number;
    await advanceTime(instance(), (exp - (await instanceSeconds(instance())) - 5) * 1000);
    await issuer.verify(month);
    await advanceTime(instance(), 10_000);
    await expect(issuer.verify(month)).rejects.toThrow(/expired/);
    const servedKids = async (): Promise<unknown[]> => (await issuer.jwks()).keys.map((key) => key['kid']);
    await advanceTime(instance(), (RETIREMENT_MARGIN_SECONDS - 10) * 1000);
    expect(await servedKids()).toContain(oldKid);
    await advanceTime(instance(), 10_000);
    expect(await servedKids()).not.toContain(oldKid);
  });

  it('refuses a second rotation while the first is pending, and anyone but a controller; update_config still works', async () => {
    const issuer = await JwtIssuer.install(instance(), { config: { algorithms: ['ES256K'] } });
    expect(await issuer.rotateKeys()).toMatchObject({ Ok: { key_version: 2 } });
    expect(await issuer.rotateKeys()).toEqual({ Err: { RotationInProgress: null } });
    // A rotation arms a timer; update_config used to trap clearing it (Azle's clearTimer).
    expect(await issuer.updateConfig(issuer.controller, { globalLimitPerMinute: 40 })).toMatchObject({ Ok: { global_limit_per_minute: 40 } });
    const stranger = randomPrincipal();
    expect(await issuer.rotateKeys(stranger)).toEqual({ Err: { NotController: { caller: stranger } } });
    await advanceTime(instance(), (KEY_PREPUBLICATION_SECONDS + 1) * 1000);
    expect(await issuer.rotateKeys()).toMatchObject({ Ok: { key_version: 3 } });
  });
});
