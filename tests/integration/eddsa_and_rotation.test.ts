// EdDSA tokens from the built Wasm (threshold Schnorr ed25519) and key rotation, checked by
// independent verifiers: jose v6, PyJWT, node:crypto, and our library.
import { createLocalJWKSet, errors, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { KEY_PREPUBLICATION_SECONDS, RETIREMENT_MARGIN_SECONDS } from '../../src/backend/core/key_ring';
import { startWellKnownServer, type WellKnownServer } from '../verifier/support/well_known_server';
import { verifyWithEveryVerifier } from '../verifier/support/interop';
import { JwtIssuer, randomPrincipal } from './harness/jwt_issuer';
import { advanceTime, settle, useInstance, usePocketIcServer } from './harness/pic_network';

const server = usePocketIcServer();
const instance = useInstance(server);

type Jwks = Awaited<ReturnType<JwtIssuer['jwks']>>;
/** jose checks exp, nbf and iat against `currentDate`: the instance's time, which the tests move. */
const verifyWithJose = (token: string, jwks: Jwks, currentDate: Date) =>
  jwtVerify(token, createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0]), { algorithms: ['EdDSA'], currentDate });

describe('EdDSA tokens', () => {
  let issuer: JwtIssuer;
  beforeAll(async () => {
    issuer = await JwtIssuer.install(instance(), { config: { audiences: ['api'] } });
  });

  it('publish one key per algorithm and both algorithms in discovery', async () => {
    const jwks = await issuer.jwks();
    expect(jwks.keys.map((key) => [key['kty'], key['crv'], key['alg'], key['use']])).toEqual([
      ['EC', 'secp256k1', 'ES256K', 'sig'],
      ['OKP', 'Ed25519', 'EdDSA', 'sig']
    ]);
    const discovery = JSON.parse((await issuer.http('GET', '/.well-known/openid-configuration')).body);
    expect(discovery.id_token_signing_alg_values_supported).toEqual(['ES256K', 'EdDSA']);
    expect((await issuer.metrics()).active_keys.map((key) => key.algorithm)).toEqual(['ES256K', 'EdDSA']);
  });

  it('are signed by sign_with_schnorr and verify with jose v6 and node:crypto', async () => {
    const alice = randomPrincipal();
    const result = await issuer.issue(alice, { algorithm: 'EdDSA' });
    if (!('Ok' in result)) throw new Error(JSON.stringify(result.Err));
    const jwks = await issuer.jwks();
    const edKid = jwks.keys.find((key) => key['alg'] === 'EdDSA')!['kid'];
    const { payload, protectedHeader } = await verifyWithJose(result.Ok.token, jwks, await issuer.now());
    expect(protectedHeader).toEqual({ alg: 'EdDSA', typ: 'JWT', kid: edKid });
    expect(result.Ok.kid).toBe(edKid);
    expect(payload.sub).toBe(alice.toText());
    expect((await issuer.verify(result.Ok.token, jwks)).header['alg']).toBe('EdDSA');
  });

  it('are refused when EdDSA is not enabled, naming the enabled algorithms, without spending', async () => {
    const esOnly = await JwtIssuer.install(instance(), { config: { algorithms: ['ES256K'] } });
    const before = await esOnly.metrics();
    expect(await esOnly.issue(randomPrincipal(), { algorithm: 'EdDSA' })).toEqual({
      Err: { AlgorithmNotEnabled: { algorithm: 'EdDSA', enabled: ['ES256K'] } }
    });
    expect((await esOnly.metrics()).signatures_requested).toBe(before.signatures_requested);
    expect((await esOnly.jwks()).keys.map((key) => key['alg'])).toEqual(['ES256K']);
    expect(await esOnly.issue(randomPrincipal(), { algorithm: 'none' })).toMatchObject({ Err: { AlgorithmNotEnabled: {} } });
  });

  it('follow the default algorithm, and a disabled algorithm leaves the active keys', async () => {
    const edDefault = await JwtIssuer.install(instance(), { config: { defaultAlgorithm: 'EdDSA' } });
    const token = await edDefault.issueToken(randomPrincipal());
    expect((await edDefault.verify(token)).header['alg']).toBe('EdDSA');
    expect(await edDefault.updateConfig(edDefault.controller, { algorithms: ['ES256K'], defaultAlgorithm: 'EdDSA' })).toMatchObject({
      Err: { InvalidConfig: { field: 'default_algorithm' } }
    });
    // Left out, the default moves to the first enabled algorithm.
    expect(await edDefault.updateConfig(edDefault.controller, { algorithms: ['ES256K'] })).toMatchObject({
      Ok: { algorithms: ['ES256K'], default_algorithm: 'ES256K' }
    });
    expect((await edDefault.metrics()).active_keys.map((key) => key.algorithm)).toEqual(['ES256K']);
    // The EdDSA key stays published, retired, until the tokens it signed have expired.
    await edDefault.verify(token);
  });
});

describe('EdDSA tokens across verifiers', () => {
  // These verifiers check exp, nbf and iat against the wall clock: a fresh instance's clock is at it.
  const wallClockInstance = useInstance(server);
  let issuer: JwtIssuer;
  let jwksServer: WellKnownServer;
  beforeAll(async () => {
    issuer = await JwtIssuer.install(wallClockInstance(), { config: { audiences: ['chat-api'] } });
    jwksServer = await startWellKnownServer(async ({ method, url }) => {
      const response = await issuer.http(method, url);
      return { statusCode: response.status, headers: Object.entries(response.headers), body: new TextEncoder().encode(response.body) };
    });
  });

  afterAll(async () => {
    await jwksServer?.close();
  });

  it('verify with our library, jose, PyJWT and node:crypto, each pinned to EdDSA', async () => {
    const token = await issuer.issueToken(randomPrincipal(), { algorithm: 'EdDSA' });
    const target = { jwksUrl: jwksServer.jwksUrl, issuer: `https://${issuer.canisterId.toText()}.icp0.io`, audience: 'chat-api' };
    const [report] = await verifyWithEveryVerifier([token], { ...target, algorithms: ['EdDSA'] });
    expect(report!.ours).toMatchObject({ ok: true });
    expect(report!.jose).toMatchObject({ ok: true });
    expect(report!.pyjwt).toMatchObject({ ok: true });
    expect(report!.nodeCrypto).toMatchObject({ ok: true });

    // Pinned to ES256K, no verifier accepts the EdDSA token.
    const [pinned] = await verifyWithEveryVerifier([token], { ...target, algorithms: ['ES256K'] });
    expect([pinned!.ours.ok, pinned!.jose.ok, pinned!.pyjwt.ok]).toEqual([false, false, false]);
  });
});

describe('key rotation', () => {
  it('is for controllers only, and changes nothing for anyone else', async () => {
    const issuer = await JwtIssuer.install(instance());
    const stranger = randomPrincipal();
    const before = await issuer.jwks();
    expect(await issuer.rotateKeys(stranger)).toEqual({ Err: { NotController: { caller: stranger } } });
    expect((await issuer.metrics()).key_version).toBe(1);
    expect(await issuer.jwks()).toEqual(before);
  });

  it('publishes new keys first, signs with them after the pre-publication delay, and drops the old keys after their last token', async () => {
    const maxTtlSeconds = 600;
    const issuer = await JwtIssuer.install(instance(), { config: { maxTtlSeconds, defaultTtlSeconds: maxTtlSeconds } });
    const caller = randomPrincipal();
    const oldEs = await issuer.issueToken(caller);
    const oldEd = await issuer.issueToken(caller, { algorithm: 'EdDSA' });
    const oldKids = (await issuer.metrics()).active_keys.map((key) => key.kid);

    const rotated = await issuer.rotateKeys();
    expect(rotated).toMatchObject({ Ok: { key_version: 2 } });
    const { active_keys, pending_keys } = (rotated as { Ok: { active_keys: { kid: string }[]; pending_keys: { kid: string; activates_at: bigint }[] } }).Ok;
    expect(active_keys.map((key) => key.kid)).toEqual(oldKids);
    const newKids = pending_keys.map((key) => key.kid);
    expect(newKids).toHaveLength(2);
    for (const kid of newKids) expect(oldKids).not.toContain(kid);

    const jwksResponse = await issuer.http('GET', '/.well-known/jwks.json');
    expect(jwksResponse.headers['ic-certificateexpression']).toBeDefined();
    const jwks = JSON.parse(jwksResponse.body) as Jwks;
    expect(jwks.keys.map((key) => key['kid']).sort()).toEqual([...newKids, ...oldKids].sort());

    // Upgrades keep the version and the pending keys: no new rotation.
    await issuer.upgrade();
    await settle(instance());
    expect((await issuer.metrics()).key_version).toBe(2);
    expect((await issuer.metrics()).pending_keys.map((key) => key.kid)).toEqual(newKids);

    await advanceTime(instance(), (KEY_PREPUBLICATION_SECONDS + 1) * 1000);
    expect((await issuer.metrics()).active_keys.map((key) => key.kid)).toEqual(newKids);
    const newEd = await issuer.issueToken(caller, { algorithm: 'EdDSA' });
    const served = await issuer.jwks();
    expect(newKids).toContain((await issuer.verify(newEd, served)).header['kid']);
    await issuer.verify(oldEs, served);
    await verifyWithJose(oldEd, served, await issuer.now());

    // Just before the old tokens' exp plus the margin, their keys are still served.
    await advanceTime(instance(), (maxTtlSeconds + RETIREMENT_MARGIN_SECONDS - KEY_PREPUBLICATION_SECONDS - 10) * 1000);
    expect((await issuer.jwks()).keys).toHaveLength(4);

    await advanceTime(instance(), 20_000);
    const after = await issuer.jwks();
    expect(after.keys.map((key) => key['kid']).sort()).toEqual([...newKids].sort());
    await expect(issuer.verify(oldEs, after)).rejects.toThrow(/no key with kid/);
    await expect(verifyWithJose(oldEd, after, await issuer.now())).rejects.toBeInstanceOf(errors.JWKSNoMatchingKey);
  });
});
