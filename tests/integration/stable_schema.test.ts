// The stable schema on the built Wasm: an upgrade from the previous release keeps every token
// verifiable and every piece of state, and a stored value the code cannot read stops the upgrade.
import { createLocalJWKSet, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';

import { toPic } from '../pocket_ic/support/pic';
import { JwtIssuer, randomPrincipal } from './harness/jwt_issuer';
import { advanceTime, ISSUER_SUBNETS, settle, useInstance, usePocketIcServer } from './harness/pic_network';
import { PreviousRelease } from './harness/previous_release';

const server = usePocketIcServer();
const instance = useInstance(server);

const partOf = (token: string, index: number): Record<string, unknown> => JSON.parse(Buffer.from(token.split('.')[index]!, 'base64url').toString());
const headerOf = (token: string): Record<string, unknown> => partOf(token, 0);
const payloadOf = (token: string): Record<string, unknown> => partOf(token, 1);

describe('upgrading from the previous release (ad0ff1f)', () => {
  it('keeps every earlier token verifiable, and config, counters, key version and rate buckets', async () => {
    const old = await PreviousRelease.install(instance(), {
      audiences: ['api', 'web'],
      max_ttl_seconds: 7 * 86_400,
      default_ttl_seconds: 3600,
      rate_limit: { capacity: 3, refill_interval_seconds: 3600 }
    });
    const alice = randomPrincipal();
    const bob = randomPrincipal();
    const tokens = [
      await old.issueToken(alice, { ttlSeconds: 7 * 86_400 }),
      await old.issueToken(alice, { algorithm: 'EdDSA', ttlSeconds: 7 * 86_400 }),
      await old.issueToken(bob)
    ];
    // Lowered after the week-long tokens were issued: the previous release drops their keys an hour
    // after the rotation. (Config first: the previous release traps in update_config once a
    // rotation has armed its retirement timer, Azle's clearTimer panicking.)
    expect(await old.updateConfig({ max_ttl_seconds: 3600, global_limit_per_minute: 50 })).toHaveProperty('Ok');
    expect(await old.rotateKeys()).toMatchObject({ Ok: { key_version: 2 } });
    tokens.push(await old.issueToken(alice), await old.issueToken(bob, { algorithm: 'EdDSA' }));
    const metricsBefore = await old.metrics();
    const configBefore = await old.getConfig();
    expect(metricsBefore.tokens_issued).toBe(5n);

    const issuer = new JwtIssuer(instance(), old.canisterId, old.controller);
    await issuer.upgrade();
    await settle(instance());

    // The release adds allowed_extra_claims, empty: every other field is kept.
    expect(await issuer.getConfig()).toEqual({ ...configBefore, allowed_extra_claims: [] });

    // Every earlier token verifies against the JWKS the new code serves, now and after the
    // previous release's retirement time (an hour after the rotation plus the margin), until it
    // expires; an expired one still has its key served (the signature is checked before the times).
    const check = async (): Promise<{ valid: number; expired: number }> => {
      const jwks = await issuer.jwks();
      const keySet = createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0]);
      const now = await issuer.now();
      const counts = { valid: 0, expired: 0 };
      for (const token of tokens) {
        if ((payloadOf(token)['exp'] as number) * 1000 > now.getTime()) {
          await issuer.verify(token, jwks);
          if (headerOf(token)['alg'] === 'EdDSA') await jwtVerify(token, keySet, { algorithms: ['EdDSA'], currentDate: now });
          counts.valid++;
        } else {
          await expect(issuer.verify(token, jwks)).rejects.toThrow(/expired/);
          counts.expired++;
        }
      }
      return counts;
    };
    expect(await check()).toEqual({ valid: 5, expired: 0 });
    // Alice used her three tokens (one refills per hour): her bucket came through the upgrade.
    expect(await issuer.issue(alice)).toMatchObject({ Err: { RateLimited: { scope: { Caller: null } } } });
    await advanceTime(instance(), 2 * 3600 * 1000);
    // The two week-long tokens, signed with the rotated-out keys, are still good.
    expect(await check()).toEqual({ valid: 2, expired: 3 });

    expect(await issuer.metrics()).toMatchObject({
      tokens_issued: metricsBefore.tokens_issued,
      signatures_requested: metricsBefore.signatures_requested,
      rejections: [...metricsBefore.rejections, { reason: 'RateLimited', count: 1n }],
      key_version: 2,
      active_keys: metricsBefore.active_keys,
      pending_keys: []
    });
    // The new code issues, with the same active key.
    const fresh = await issuer.issueToken(randomPrincipal());
    expect(metricsBefore.active_keys.map((key) => key.kid)).toContain((await issuer.verify(fresh)).header['kid']);
    expect((await issuer.metrics()).tokens_issued).toBe(6n);
  });
});

describe('a stored value the code cannot read', () => {
  // Azle's stable memory is 100 MB, and it travels base64 in JSON both ways: more than pic's
  // default 30 s per request on a loaded machine.
  const STABLE_MEMORY_TIMEOUT_MS = 600_000;
  const instance = useInstance(server, { ...ISSUER_SUBNETS, processingTimeoutMs: STABLE_MEMORY_TIMEOUT_MS });
  it('traps the upgrade with a message naming the key, and leaves the old state as it was', { timeout: STABLE_MEMORY_TIMEOUT_MS }, async () => {
    const issuer = await JwtIssuer.install(instance());
    await issuer.issueToken(randomPrincipal());
    // After an upgrade the heap holds no copy of the counters yet: the next call that needs them reads
    // stable memory. (The timers it starts write the jti seed and fill pools; none reads the counters.)
    await issuer.upgrade();
    await settle(instance());
    const configBefore = await issuer.getConfig();
    const jwksBefore = await issuer.jwks();

    // The counters as Azle's stableJson wrote them, with tokensIssued turned into a string of the same length.
    const memory = await instance().getStableMemory(toPic(issuer.canisterId));
    const stored = new TextEncoder().encode('"tokensIssued":{"__bigint__":"1"}');
    const corrupt = new TextEncoder().encode('"tokensIssued":"__not_a_count__1"');
    expect(corrupt.length).toBe(stored.length);
    const at = Buffer.from(memory).indexOf(Buffer.from(stored));
    expect(at).toBeGreaterThan(0);
    memory.set(corrupt, at);
    await instance().setStableMemory(toPic(issuer.canisterId), memory);

    // Every read from stable memory is validated: a call that needs the counters traps, naming them, changing nothing.
    await expect(issuer.metrics()).rejects.toThrow(/stable memory key "counters".*tokensIssued is not a u64 bigint/);
    const refused = await issuer.issueRaw(randomPrincipal(), new Uint8Array([68, 73, 68, 76, 0, 0]));
    expect(refused).toMatchObject({ kind: 'rejected' });
    expect(Buffer.from(await instance().getStableMemory(toPic(issuer.canisterId))).equals(Buffer.from(memory))).toBe(true);

    await expect(issuer.upgrade()).rejects.toThrow(/stable memory key "counters".*tokensIssued is not a u64 bigint/);
    // Nothing changed: the same stable memory, the old code still serving config and keys.
    expect(Buffer.from(await instance().getStableMemory(toPic(issuer.canisterId))).equals(Buffer.from(memory))).toBe(true);
    expect(await issuer.getConfig()).toEqual(configBefore);
    expect(await issuer.jwks()).toEqual(jwksBefore);
  });

  it('refuses a key ring it cannot read, naming keyRing', { timeout: STABLE_MEMORY_TIMEOUT_MS }, async () => {
    const issuer = await JwtIssuer.install(instance(), { config: { algorithms: ['EdDSA'] } });
    const memory = await instance().getStableMemory(toPic(issuer.canisterId));
    const stored = new TextEncoder().encode('"alg":"EdDSA"');
    const at = Buffer.from(memory).indexOf(Buffer.from(stored));
    expect(at).toBeGreaterThan(0);
    memory.set(new TextEncoder().encode('"alg":"HS256"'), at);
    await instance().setStableMemory(toPic(issuer.canisterId), memory);
    await expect(issuer.upgrade()).rejects.toThrow(/stable memory key "keyRing".*alg is not a known algorithm/);
  });
});
