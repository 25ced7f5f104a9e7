// The stable schema on the built Wasm: an upgrade from the previous release keeps every token
// verifiable and every piece of state, and a stored value the code cannot read stops the upgrade.
import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { LocalIc } from '../../packages/local-ic/src';
import { verifyWithJwks } from '../support/verify';
import { JwtIssuer, randomPrincipal } from './harness/jwt_issuer';
import { createLocalIcBackend } from './harness/local_ic_backend';
import { PreviousRelease } from './harness/previous_release';
import type { TestIc } from './harness/test_ic';

let local: LocalIc;
let ic: TestIc;

beforeAll(async () => {
  local = await LocalIc.create();
  ic = await createLocalIcBackend(local);
});

afterAll(async () => {
  await ic?.close();
});

const payloadOf = (token: string): Record<string, unknown> => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());

describe('upgrading from the previous release (ad0ff1f)', () => {
  it('keeps every earlier token verifiable, and config, counters, key version and rate buckets', async () => {
    const controller = randomPrincipal();
    const old = await PreviousRelease.install(ic, controller, {
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

    const issuer = new JwtIssuer(ic, old.canisterId, controller);
    await issuer.upgrade();
    await ic.settle();

    // The release adds allowed_extra_claims, empty: every other field is kept.
    expect(await issuer.getConfig()).toEqual({ ...configBefore, allowed_extra_claims: [] });

    // Every earlier token verifies against the JWKS the new code serves, now and after the
    // previous release's retirement time (an hour after the rotation plus the margin).
    const check = async (): Promise<void> => {
      const jwks = await issuer.jwks();
      for (const token of tokens) verifyWithJwks(token, jwks);
      const edTokens = tokens.filter((token) => JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString())['alg'] === 'EdDSA');
      const keySet = createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0]);
      for (const token of edTokens) {
        await jwtVerify(token, keySet, { algorithms: ['EdDSA'], currentDate: new Date((payloadOf(token)['iat'] as number) * 1000) });
      }
    };
    await check();
    // Alice used her three tokens (one refills per hour): her bucket came through the upgrade.
    expect(await issuer.issue(alice)).toMatchObject({ Err: { RateLimited: { scope: { Caller: null } } } });
    await ic.advanceTime(2 * 3600 * 1000);
    await check();

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
    expect(metricsBefore.active_keys.map((key) => key.kid)).toContain(verifyWithJwks(fresh, await issuer.jwks()).header['kid']);
    expect((await issuer.metrics()).tokens_issued).toBe(6n);
  });
});

describe('a stored value the code cannot read', () => {
  it('traps the upgrade with a message naming the key, and leaves the old state as it was', async () => {
    const issuer = await JwtIssuer.install(ic);
    await issuer.issueToken(randomPrincipal());
    const configBefore = await issuer.getConfig();
    const jwksBefore = await issuer.jwks();

    // The counters as Azle's stableJson wrote them, with tokensIssued turned into a string of the same length.
    const memory = local.getStableMemory(issuer.canisterId);
    const stored = new TextEncoder().encode('"tokensIssued":{"__bigint__":"1"}');
    const corrupt = new TextEncoder().encode('"tokensIssued":"__not_a_count__1"');
    expect(corrupt.length).toBe(stored.length);
    const at = Buffer.from(memory).indexOf(Buffer.from(stored));
    expect(at).toBeGreaterThan(0);
    memory.set(corrupt, at);
    await local.setStableMemory(issuer.canisterId, memory);

    await expect(issuer.upgrade()).rejects.toThrow(/stable memory key "counters".*tokensIssued is not a u64 bigint/);
    // Nothing changed: the same stable memory, the old code still serving config and keys.
    expect(Buffer.from(local.getStableMemory(issuer.canisterId)).equals(Buffer.from(memory))).toBe(true);
    // The release adds allowed_extra_claims, empty: every other field is kept.
    expect(await issuer.getConfig()).toEqual({ ...configBefore, allowed_extra_claims: [] });
    expect(await issuer.jwks()).toEqual(jwksBefore);
    // Every read is validated: a call that needs the counters traps the same way, changing nothing.
    await expect(issuer.metrics()).rejects.toThrow(/stable memory key "counters"/);
    const refused = await issuer.issueRaw(randomPrincipal(), new Uint8Array([68, 73, 68, 76, 0, 0]));
    expect(refused).toMatchObject({ kind: 'rejected' });
    expect(Buffer.from(local.getStableMemory(issuer.canisterId)).equals(Buffer.from(memory))).toBe(true);
  });

  it('refuses a key ring it cannot read, naming keyRing', async () => {
    const issuer = await JwtIssuer.install(ic, { config: { algorithms: ['EdDSA'] } });
    const memory = local.getStableMemory(issuer.canisterId);
    const stored = new TextEncoder().encode('"alg":"EdDSA"');
    const at = Buffer.from(memory).indexOf(Buffer.from(stored));
    expect(at).toBeGreaterThan(0);
    memory.set(new TextEncoder().encode('"alg":"HS256"'), at);
    await local.setStableMemory(issuer.canisterId, memory);
    await expect(issuer.upgrade()).rejects.toThrow(/stable memory key "keyRing".*alg is not a known algorithm/);
  });
});
