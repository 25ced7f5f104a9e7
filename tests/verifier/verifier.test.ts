import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { createLocalJWKSet, exportJWK, jwtVerify, SignJWT, type JWK } from 'jose';
import { allowInsecureRequests, validateJwtAccessToken } from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  createVerifier,
  JwtVerifierError,
  SignatureInvalidError,
  TokenMalformedError,
  type VerifierOptions
} from '@ic-jwt/verifier';
import {
  b64,
  decodePart,
  highSTwin,
  nonCanonicalSignature,
  paddedSignature,
  signEdDsa,
  signEs256k,
  spacedSignature,
  splitToken,
  unb64,
  withHeader
} from './support/forge';
import { nobleCrypto } from '../../packages/verifier/src/crypto_noble';
import { CALLER, newTestKey, nowSeconds, TestIssuer } from './support/test_issuer';
import { jsonResponse, startWellKnownServer, type WellKnownServer } from './support/well_known_server';

const issuer = new TestIssuer({ audiences: ['api', 'chat'] });
const ed = generateKeyPairSync('ed25519');
let edJwk: JWK;
let server: WellKnownServer;

beforeAll(async () => {
  edJwk = { ...(await exportJWK(ed.publicKey)), kid: 'ed-1', alg: 'EdDSA', use: 'sig' };
  server = await startWellKnownServer(() =>
    jsonResponse(200, { keys: [...issuer.jwks().keys, edJwk] }, [['cache-control', 'public, max-age=300']])
  );
});
afterAll(() => server.close());

const verifierWith = (options: Partial<VerifierOptions> = {}, internals = {}) =>
  createVerifier({ issuer: issuer.issuer, audience: 'api', jwksUri: server.jwksUrl, ...options } as VerifierOptions, internals);

async function failure(promise: Promise<unknown>): Promise<JwtVerifierError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(JwtVerifierError);
    return error as JwtVerifierError;
  }
  throw new Error('verified');
}

const claimsNow = (extra: Record<string, unknown> = {}) => {
  const now = nowSeconds();
  return { iss: issuer.issuer, sub: CALLER, aud: 'api', iat: now, nbf: now, exp: now + 600, jti: 'j1', ...extra };
};
const esHeader = () => ({ alg: 'ES256K', typ: 'JWT', kid: issuer.activeKey.signingKey.jwk.kid });

describe('verifying tokens from the canister core', () => {
  it('returns the typed claims, extra claims included', async () => {
    const token = issuer.mint({ audience: 'api', extraClaims: '{"role":"moderator","rooms":["a","b"]}' });
    const claims = await verifierWith().verify(token);
    const payload = decodePart(splitToken(token)[1]);
    expect(claims).toEqual(payload);
    expect(claims).toMatchObject({ iss: issuer.issuer, sub: CALLER, aud: 'api', role: 'moderator', rooms: ['a', 'b'] });
    expect(claims.exp - claims.iat).toBe(3600);
  });

  it('accepts any of several configured audiences', async () => {
    const verifier = verifierWith({ audience: ['other', 'chat'] });
    expect((await verifier.verify(issuer.mint({ audience: 'chat' }))).aud).toBe('chat');
    expect((await failure(verifier.verify(issuer.mint({ audience: 'api' })))).code).toBe('ERR_JWT_AUDIENCE_MISMATCH');
  });

  it('rejects a token signed by an unpublished key under a published kid', async () => {
    const impostor = issuer.mint({ key: { ...newTestKey(), signingKey: issuer.activeKey.signingKey } });
    expect(await failure(verifierWith().verify(impostor))).toBeInstanceOf(SignatureInvalidError);
  });

  it('checks claims only after the signature: a forged expired token reads as forged', async () => {
    const forged = signEs256k(esHeader(), claimsNow({ exp: 1 }), newTestKey().secretKey);
    expect((await failure(verifierWith().verify(forged))).code).toBe('ERR_JWT_SIGNATURE_INVALID');
  });

  it('verifies the same with the @noble/curves backend, which also rejects high-S', async () => {
    const token = issuer.mint();
    const noble = verifierWith({}, { crypto: nobleCrypto });
    expect((await noble.verify(token)).sub).toBe(CALLER);
    expect((await failure(noble.verify(highSTwin(token)))).code).toBe('ERR_JWT_SIGNATURE_INVALID');
    const [header, payload, signature] = splitToken(token);
    const flipped = unb64(signature);
    flipped[5]! ^= 1;
    expect((await failure(noble.verify(`${header}.${payload}.${b64(flipped)}`))).code).toBe('ERR_JWT_SIGNATURE_INVALID');
  });
});

describe('validly signed tokens with content we refuse', () => {
  const secretKey = () => issuer.activeKey.secretKey;

  it.each([
    ['crit', { crit: ['exp'] }, 'ERR_JWT_MALFORMED'],
    ['b64: false', { b64: false, crit: ['b64'] }, 'ERR_JWT_MALFORMED'],
    ['no kid', { kid: undefined }, 'ERR_JWT_MALFORMED'],
    ['a kid that is a number', { kid: 7 }, 'ERR_JWT_MALFORMED'],
    ['alg ES256', { alg: 'ES256' }, 'ERR_JWT_ALG_NOT_ALLOWED'],
    ['alg es256k', { alg: 'es256k' }, 'ERR_JWT_ALG_NOT_ALLOWED']
  ])('header with %s', async (_what, change, code) => {
    const token = signEs256k({ ...esHeader(), ...change }, claimsNow(), secretKey());
    expect((await failure(verifierWith().verify(token))).code).toBe(code);
  });

  it.each([
    ['exp as a string', { exp: String(nowSeconds() + 600) }, 'ERR_JWT_CLAIM_INVALID'],
    ['no sub', { sub: undefined }, 'ERR_JWT_CLAIM_INVALID'],
    ['aud as a number', { aud: 7 }, 'ERR_JWT_CLAIM_INVALID'],
    ['no jti', { jti: undefined }, 'ERR_JWT_CLAIM_INVALID'],
    ['iat in the future', { iat: nowSeconds() + 3600 }, 'ERR_JWT_NOT_YET_VALID'],
    ['iss with a trailing slash', { iss: `${issuer.issuer}/` }, 'ERR_JWT_ISSUER_MISMATCH'],
    ['a __proto__ claim', { ['__proto__']: { admin: true } }, 'ERR_JWT_MALFORMED']
  ])('claims with %s', async (_what, change, code) => {
    expect((await failure(verifierWith().verify(signEs256k(esHeader(), claimsNow(change), secretKey())))).code).toBe(code);
  });

  it('accepts aud as an array naming the audience', async () => {
    const token = signEs256k(esHeader(), claimsNow({ aud: ['x', 'api'] }), secretKey());
    expect((await verifierWith().verify(token)).aud).toEqual(['x', 'api']);
  });

  it('rejects an oversized token as malformed, with the limit in the message', async () => {
    const token = issuer.mint({ extraClaims: JSON.stringify({ blob: 'x'.repeat(1900) }) });
    expect(await verifierWith().verify(token)).toBeTruthy();
    const error = await failure(verifierWith({ maxTokenBytes: 1024 }).verify(token));
    expect(error).toBeInstanceOf(TokenMalformedError);
    expect(error.message).toMatch(/at most 1024/);
  });
});

describe('EdDSA tokens (jose signs and verifies them independently)', () => {
  const signEd = (claims: Record<string, unknown>, kid = 'ed-1') =>
    new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid }).sign(ed.privateKey);

  it('verify with our library when EdDSA is allowed, and with jose', async () => {
    const token = await signEd(claimsNow());
    const ours = await verifierWith({ algorithms: ['ES256K', 'EdDSA'] }).verify(token);
    const jwks = createLocalJWKSet({ keys: [edJwk] });
    const theirs = await jwtVerify(token, jwks, { issuer: issuer.issuer, audience: 'api', algorithms: ['EdDSA'] });
    expect(ours).toEqual(theirs.payload);
  });

  it('are refused while only ES256K is allowed (the default)', async () => {
    expect((await failure(verifierWith().verify(await signEd(claimsNow())))).code).toBe('ERR_JWT_ALG_NOT_ALLOWED');
  });

  it('never verify with an EC key, nor ES256K tokens with an OKP key', async () => {
    const verifier = verifierWith({ algorithms: ['ES256K', 'EdDSA'] });
    const edUnderEcKid = await signEd(claimsNow(), issuer.activeKey.signingKey.jwk.kid);
    expect((await failure(verifier.verify(edUnderEcKid))).code).toBe('ERR_JWT_KEY_MISMATCH');
    const esUnderEdKid = signEs256k({ ...esHeader(), kid: 'ed-1' }, claimsNow(), issuer.activeKey.secretKey);
    expect((await failure(verifier.verify(esUnderEdKid))).code).toBe('ERR_JWT_KEY_MISMATCH');
    // An ES256K token relabelled EdDSA, under either kid, is refused too (its s, read as an
    // Ed25519 S, is often not below L, which is caught before the key is even looked up).
    const relabelled = withHeader(issuer.mint(), (header) => ({ ...header, alg: 'EdDSA' }));
    expect(['ERR_JWT_KEY_MISMATCH', 'ERR_JWT_SIGNATURE_INVALID']).toContain((await failure(verifier.verify(relabelled))).code);
    expect((await failure(verifier.verify(withHeader(relabelled, (h) => ({ ...h, kid: 'ed-1' }))))).code).toBe('ERR_JWT_SIGNATURE_INVALID');
  });

  it('reject the malleable twin with S + L, as jose (OpenSSL) does', async () => {
    const token = await signEd(claimsNow());
    const [header, payload, signature] = splitToken(token);
    const bytes = unb64(signature);
    const s = BigInt(`0x${Buffer.from(bytes.subarray(32)).reverse().toString('hex')}`) + ed25519.CURVE.n;
    expect(s < 2n ** 256n).toBe(true);
    const twin = `${header}.${payload}.${b64(Buffer.concat([bytes.subarray(0, 32), Buffer.from(s.toString(16).padStart(64, '0'), 'hex').reverse()]))}`;
    expect((await failure(verifierWith({ algorithms: ['EdDSA'] }).verify(twin))).code).toBe('ERR_JWT_SIGNATURE_INVALID');
    await expect(jwtVerify(twin, createLocalJWKSet({ keys: [edJwk] }), { algorithms: ['EdDSA'] })).rejects.toThrow();
  });

  it('with crit, even an empty one, are refused by both jose and us (RFC 7515 §4.1.11)', async () => {
    const verifier = verifierWith({ algorithms: ['EdDSA'] });
    const jwks = createLocalJWKSet({ keys: [edJwk] });
    const header = { alg: 'EdDSA', typ: 'JWT', kid: 'ed-1' };
    const plain = signEdDsa(header, claimsNow(), ed.privateKey);
    expect((await verifier.verify(plain)).sub).toBe(CALLER);
    await jwtVerify(plain, jwks, { algorithms: ['EdDSA'] });
    const joseCodes: [string[], string][] = [
      [[], 'ERR_JWS_INVALID'],
      [['exp'], 'ERR_JOSE_NOT_SUPPORTED'],
      [['b64'], 'ERR_JWS_INVALID']
    ];
    for (const [crit, joseCode] of joseCodes) {
      const token = signEdDsa({ ...header, crit }, claimsNow(), ed.privateKey);
      const ours = await failure(verifier.verify(token));
      expect([ours.code, ours.message]).toEqual(['ERR_JWT_MALFORMED', expect.stringMatching(/crit/)]);
      await expect(jwtVerify(token, jwks, { algorithms: ['EdDSA'] })).rejects.toMatchObject({ code: joseCode });
    }
  });

  it('in another spelling of the same signature verify with jose but not with us, so jti is the replay key', async () => {
    const verifier = verifierWith({ algorithms: ['EdDSA'] });
    const jwks = createLocalJWKSet({ keys: [edJwk] });
    const token = await signEd(claimsNow());
    for (const respelled of [nonCanonicalSignature(token), paddedSignature(token), spacedSignature(token)]) {
      expect(respelled).not.toBe(token);
      expect((await jwtVerify(respelled, jwks, { algorithms: ['EdDSA'] })).payload.jti).toBe('j1');
      const ours = await failure(verifier.verify(respelled));
      expect([ours.code, ours.message]).toEqual(['ERR_JWT_MALFORMED', expect.stringMatching(/base64url/)]);
    }
  });

  it('reject a random 64-byte signature', async () => {
    const [header, payload] = splitToken(await signEd(claimsNow()));
    const token = `${header}.${payload}.${b64(randomBytes(64).fill(0, 56))}`;
    expect((await failure(verifierWith({ algorithms: ['EdDSA'] }).verify(token))).code).toBe('ERR_JWT_SIGNATURE_INVALID');
  });
});

describe('access tokens (RFC 9068), with oauth4webapi as the independent resource server', () => {
  const accessClaims = (extra: Record<string, unknown> = {}) => {
    const { nbf: _nbf, ...claims } = claimsNow({ client_id: 'native-app', scope: 'openid' });
    return { ...claims, ...extra };
  };
  const signAccess = (claims: Record<string, unknown>, typ = 'at+jwt') => signEdDsa({ alg: 'EdDSA', typ, kid: 'ed-1' }, claims, ed.privateKey);
  const accessVerifier = () => verifierWith({ algorithms: ['EdDSA'], tokenType: 'at+jwt' });
  const theirs = (token: string) =>
    validateJwtAccessToken(
      { issuer: issuer.issuer, jwks_uri: server.jwksUrl },
      new Request('http://127.0.0.1/api', { headers: { authorization: `Bearer ${token}` } }),
      'api',
      { [allowInsecureRequests]: true, signingAlgorithms: ['EdDSA'] }
    );

  it('verify with tokenType at+jwt, without nbf, as oauth4webapi verifies them', async () => {
    for (const typ of ['at+jwt', 'application/at+jwt', 'AT+JWT']) {
      const token = signAccess(accessClaims(), typ);
      const ours = await accessVerifier().verify(token);
      expect(ours).toEqual((await theirs(token)) as unknown);
      expect(ours).toMatchObject({ client_id: 'native-app', scope: 'openid', aud: 'api' });
      expect(ours.nbf).toBeUndefined();
    }
  });

  it('are refused by a verifier of ic-jwt tokens (the default type), and ic-jwt tokens by an access-token verifier', async () => {
    const access = signAccess(accessClaims());
    const error = await failure(verifierWith({ algorithms: ['EdDSA'] }).verify(access));
    expect([error.code, error.message]).toEqual(['ERR_JWT_MALFORMED', expect.stringMatching(/access token/)]);
    for (const typ of ['JWT', undefined]) {
      const header = typ === undefined ? { alg: 'EdDSA', kid: 'ed-1' } : { alg: 'EdDSA', typ, kid: 'ed-1' };
      const token = signEdDsa(header, accessClaims(), ed.privateKey);
      expect((await failure(accessVerifier().verify(token))).code).toBe('ERR_JWT_MALFORMED');
      await expect(theirs(token)).rejects.toThrow(/typ/);
    }
  });

  it('need client_id, still check nbf when present, and keep the other claim checks', async () => {
    const { client_id: _clientId, ...withoutClientId } = accessClaims() as Record<string, unknown>;
    const missing = await failure(accessVerifier().verify(signAccess(withoutClientId)));
    expect([missing.code, (missing as unknown as { claim: string }).claim]).toEqual(['ERR_JWT_CLAIM_INVALID', 'client_id']);
    await expect(theirs(signAccess(withoutClientId))).rejects.toThrow(/client_id/);
    const future = accessClaims({ nbf: nowSeconds() + 600 });
    expect((await failure(accessVerifier().verify(signAccess(future)))).code).toBe('ERR_JWT_NOT_YET_VALID');
    expect((await failure(accessVerifier().verify(signAccess(accessClaims({ aud: 'chat' }))))).code).toBe('ERR_JWT_AUDIENCE_MISMATCH');
  });
});
