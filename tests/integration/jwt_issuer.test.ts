// The built jwt_issuer Wasm through @dfinity/pic: on this repository's PocketIC server, or on the
// real one with POCKET_IC_BIN.
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { beforeAll, describe, expect, it } from 'vitest';

import { toPic } from '../pocket_ic/support/pic';
import { decodeReply, initArgument, JwtIssuer, jwtIssuerWasm, createControlledCanister, randomPrincipal } from './harness/jwt_issuer';
import { advanceTime, settle, usePocketIcServer, useInstance } from './harness/pic_network';

const server = usePocketIcServer();
const instance = useInstance(server);

const errKind = (result: { Err: Record<string, unknown> } | { Ok: unknown }): string | undefined =>
  'Err' in result ? Object.keys(result.Err)[0] : undefined;

describe('issuing', () => {
  let issuer: JwtIssuer;
  beforeAll(async () => {
    issuer = await JwtIssuer.install(instance(), { config: { audiences: ['chatbot', 'api'] } });
  });

  it('issues a token to a caller that sends no argument, and it verifies against the served JWKS', async () => {
    const alice = randomPrincipal();
    const token = await issuer.issueToken(alice);
    const { header, payload } = await issuer.verify(token);
    expect(header).toMatchObject({ alg: 'ES256K', typ: 'JWT', kid: await issuer.waitForSigningKey() });
    expect(payload).toMatchObject({ sub: alice.toText(), iss: `https://${issuer.canisterId.toText()}.icp0.io`, aud: 'chatbot' });
    expect(Number(payload['exp']) - Number(payload['iat'])).toBe(3600);
  });

  it('puts the caller in sub, for every caller', async () => {
    for (const caller of [randomPrincipal(), randomPrincipal()]) {
      const { payload } = await issuer.verify(await issuer.issueToken(caller, { audience: 'api', ttlSeconds: 300 }));
      expect(payload).toMatchObject({ sub: caller.toText(), aud: 'api' });
      expect(Number(payload['exp']) - Number(payload['iat'])).toBe(300);
    }
  });

  it('refuses the anonymous principal', async () => {
    expect(await issuer.issue(Principal.anonymous())).toEqual({ Err: { AnonymousCaller: null } });
  });

  it('refuses an audience outside the allow-list', async () => {
    expect(await issuer.issue(randomPrincipal(), { audience: 'elsewhere' })).toEqual({
      Err: { AudienceNotAllowed: { audience: 'elsewhere', allowed: ['chatbot', 'api'] } }
    });
  });

  it('refuses extra claims that try to set sub', async () => {
    const result = await issuer.issue(randomPrincipal(), { extraClaims: '{"sub":"someone-else"}' });
    expect(result).toEqual({ Err: { ClaimsInvalid: { reason: 'the claim "sub" is set by the issuer or reserved; no caller may set it' } } });
  });

  it('serves discovery with issuer equal to iss, and JSON errors for other paths and methods', async () => {
    const discovery = await issuer.http('GET', '/.well-known/openid-configuration?x=1');
    expect(discovery.status).toBe(200);
    expect(JSON.parse(discovery.body).issuer).toBe(`https://${issuer.canisterId.toText()}.icp0.io`);
    expect((await issuer.http('GET', '/nope')).status).toBe(404);
    const post = await issuer.http('POST', '/.well-known/jwks.json');
    expect(post.status).toBe(405);
    expect(post.headers['allow']).toBe('GET, HEAD, OPTIONS');
  });
});

describe('limits', () => {
  it('trips the per-caller rate limit and recovers as time advances', async () => {
    const issuer = await JwtIssuer.install(instance(), { config: { rateLimit: { capacity: 2, refillIntervalSeconds: 30 } } });
    const bob = randomPrincipal();
    await issuer.issueToken(bob);
    await issuer.issueToken(bob);
    const limited = await issuer.issue(bob);
    expect(errKind(limited)).toBe('RateLimited');
    expect(limited).toMatchObject({ Err: { RateLimited: { scope: { Caller: null } } } });
    const retryAfter = Number((limited as { Err: { RateLimited: { retry_after_seconds: number } } }).Err.RateLimited.retry_after_seconds);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(30);
    expect(errKind(await issuer.issue(randomPrincipal()))).toBeUndefined();

    await advanceTime(instance(), retryAfter * 1000);
    expect(errKind(await issuer.issue(bob))).toBeUndefined();
    const metrics = await issuer.metrics();
    expect(metrics.tokens_issued).toBe(4n);
    expect(metrics.rejections).toEqual([{ reason: 'RateLimited', count: 1n }]);
  });

  it('stops issuing before the balance falls under the cycle floor, and says why', async () => {
    const issuer = await JwtIssuer.install(instance(), { config: { cycleFloor: 10n ** 15n } });
    const before = await issuer.metrics();
    const result = await issuer.issue(randomPrincipal());
    expect(errKind(result)).toBe('CyclesBelowFloor');
    expect(result).toMatchObject({ Err: { CyclesBelowFloor: { floor: 10n ** 15n, fee: 26_153_846_153n } } });
    expect((await issuer.metrics()).signatures_requested).toBe(before.signatures_requested);
  });
});

describe('config', () => {
  it('lets controllers change it and no one else', async () => {
    const issuer = await JwtIssuer.install(instance());
    const stranger = randomPrincipal();
    expect(await issuer.updateConfig(stranger, { defaultTtlSeconds: 120 })).toEqual({ Err: { NotController: { caller: stranger } } });
    expect((await issuer.getConfig()).default_ttl_seconds).toBe(3600);

    expect(await issuer.updateConfig(issuer.controller, { issuer: 'http://not-local.example' })).toMatchObject({
      Err: { InvalidConfig: { field: 'issuer' } }
    });
    expect(await issuer.updateConfig(issuer.controller, { defaultTtlSeconds: 120 })).toMatchObject({ Ok: { default_ttl_seconds: 120 } });
    const { payload } = await issuer.verify(await issuer.issueToken(randomPrincipal()));
    expect(Number(payload['exp']) - Number(payload['iat'])).toBe(120);
  });

  it('refuses to install with an invalid config, naming the field', async () => {
    const pic = instance();
    const { canisterId, controller } = await createControlledCanister(pic, 10n ** 13n);
    await expect(
      pic.installCode({ canisterId: toPic(canisterId), wasm: jwtIssuerWasm(), arg: initArgument({ audiences: [] }), sender: toPic(controller) })
    ).rejects.toThrow(/audiences/);
  });
});

describe('upgrades', () => {
  it('keep config, key and counters, and earlier tokens still verify', async () => {
    const issuer = await JwtIssuer.install(instance(), { config: { audiences: ['kept'] } });
    const carol = randomPrincipal();
    const early = await issuer.issueToken(carol);
    const kid = await issuer.waitForSigningKey();
    const before = await issuer.metrics();

    await issuer.upgrade();
    await settle(instance());

    expect((await issuer.getConfig()).audiences).toEqual(['kept']);
    expect(await issuer.waitForSigningKey()).toBe(kid);
    const after = await issuer.metrics();
    expect(after.tokens_issued).toBe(before.tokens_issued);
    expect(after.signatures_requested).toBe(before.signatures_requested);
    await issuer.verify(early);
    const late = await issuer.issueToken(carol);
    expect(((await issuer.verify(late))).payload['jti']).not.toBe(((await issuer.verify(early))).payload['jti']);
  });

  it('roll back completely when post_upgrade traps: a trapping message leaves no trace', async () => {
    const issuer = await JwtIssuer.install(instance(), { config: { audiences: ['stable'] } });
    await issuer.issueToken(randomPrincipal());
    const before = { config: await issuer.getConfig(), metrics: await issuer.metrics(), jwks: await issuer.jwks() };

    await expect(issuer.upgrade({ defaultTtlSeconds: 10 })).rejects.toThrow(/default_ttl_seconds/);

    expect(await issuer.getConfig()).toEqual(before.config);
    expect(await issuer.metrics()).toEqual({ ...before.metrics, cycle_balance: (await issuer.metrics()).cycle_balance });
    expect(await issuer.jwks()).toEqual(before.jwks);
    await issuer.issueToken(randomPrincipal());
  });
});

describe('bad input', () => {
  it('rejects a malformed Candid argument without changing state', async () => {
    const issuer = await JwtIssuer.install(instance());
    const before = await issuer.metrics();
    const garbage = await issuer.issueRaw(randomPrincipal(), Uint8Array.from([0x44, 0x49, 0x44, 0x4c, 0xff, 0x01]));
    expect(garbage).toMatchObject({ kind: 'rejected', rejectCode: 'CanisterError', errorCode: 'CanisterCalledTrap' });
    expect(garbage.kind === 'rejected' && garbage.message).toMatch(/not valid Candid/);

    const huge = await issuer.issueRaw(
      randomPrincipal(),
      IDL.encode([IDL.Opt(IDL.Record({ extra_claims: IDL.Opt(IDL.Text) }))], [[{ extra_claims: ['x'.repeat(20_000)] }]])
    );
    expect(huge.kind === 'rejected' && huge.message).toMatch(/the limit is 8192/);

    const after = await issuer.metrics();
    expect({ ...after, cycle_balance: 0n }).toEqual({ ...before, cycle_balance: 0n });
  });

  it('rejects a malformed Candid argument to metrics (replied by hand) and accepts an extra argument', async () => {
    const issuer = await JwtIssuer.install(instance());
    const garbage = await issuer.queryRaw('metrics', Uint8Array.from([0x44, 0x49, 0x44, 0x4c, 0xff, 0x01]), randomPrincipal());
    expect(garbage).toMatchObject({ kind: 'rejected', rejectCode: 'CanisterError', errorCode: 'CanisterCalledTrap' });
    // Candid lets a caller pass more arguments than a method takes; they are ignored.
    const extra = await issuer.queryRaw('metrics', new Uint8Array(IDL.encode([IDL.Text], ['ignored'])), randomPrincipal());
    expect(extra.kind === 'replied' && decodeReply('metrics', extra.reply).key_version).toBe(1);
  });
});
