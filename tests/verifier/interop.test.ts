// The same tokens through every verifier: ours, node:crypto (OpenSSL, signature only),
// PyJWT (examples/python/verify.py) and jose. Where they differ, the difference is asserted.
import { createPublicKey } from 'node:crypto';
import { jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  algNone,
  decodePart,
  flipBit,
  highSTwin,
  hs256WithPublicKey,
  nonCanonicalSignature,
  paddedSignature,
  splitToken,
  withClaims,
  withHeader
} from './support/forge';
import { runPyJwt, verifyWithEveryVerifier, type InteropReport, type InteropTarget } from './support/interop';
import { CALLER, newTestKey, nowSeconds, TestIssuer } from './support/test_issuer';
import { canisterResponder, startWellKnownServer, type WellKnownServer } from './support/well_known_server';

const JWKS = '/.well-known/jwks.json';
const issuer = new TestIssuer({ audiences: ['api', 'other-api'], defaultAudience: 'api' });
const retired = issuer.activeKey;
issuer.rotate();

let server: WellKnownServer;
let target: InteropTarget;
beforeAll(async () => {
  server = await startWellKnownServer(canisterResponder(() => issuer.httpResources()));
  target = { jwksUrl: server.jwksUrl, issuer: issuer.issuer, audience: 'api' };
});
afterAll(() => server.close());

const publicJwk = () => issuer.activeKey.signingKey.jwk;
const publicKeyPem = () => createPublicKey({ key: { ...publicJwk() }, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();

interface Case {
  name: string;
  token: () => string;
  /** Our error code, or OK. */
  ours: string;
  /** Whether the signature-only node:crypto check accepts. */
  nodeCrypto: boolean;
  /** PyJWT's exception class, or OK. */
  pyjwt: string;
}

const valid = () => issuer.mint({ extraClaims: '{"role":"chat"}' });
const otherIssuer = new TestIssuer({ issuer: 'https://aaaaa-aa.icp0.io' });

const CASES: Case[] = [
  { name: 'a valid token', token: valid, ours: 'OK', nodeCrypto: true, pyjwt: 'OK' },
  { name: 'a valid token signed by the retired key', token: () => issuer.mint({ key: retired }), ours: 'OK', nodeCrypto: true, pyjwt: 'OK' },
  // Each of the three parts changed.
  { name: 'header changed (typ)', token: () => withHeader(valid(), (h) => ({ ...h, typ: 'JOSE' })), ours: 'ERR_JWT_SIGNATURE_INVALID', nodeCrypto: false, pyjwt: 'InvalidSignatureError' },
  { name: 'claims changed (sub)', token: () => withClaims(valid(), (c) => ({ ...c, sub: 'aaaaa-aa' })), ours: 'ERR_JWT_SIGNATURE_INVALID', nodeCrypto: false, pyjwt: 'InvalidSignatureError' },
  { name: 'claims changed (exp extended)', token: () => withClaims(valid(), (c) => ({ ...c, exp: (c['exp'] as number) + 86400 })), ours: 'ERR_JWT_SIGNATURE_INVALID', nodeCrypto: false, pyjwt: 'InvalidSignatureError' },
  { name: 'claims changed (one bit of the JSON)', token: () => flipBit(valid(), 1, 12, 0), ours: 'ERR_JWT_SIGNATURE_INVALID', nodeCrypto: false, pyjwt: 'InvalidSignatureError' },
  { name: 'signature changed (one bit of r)', token: () => flipBit(valid(), 2, 20, 3), ours: 'ERR_JWT_SIGNATURE_INVALID', nodeCrypto: false, pyjwt: 'InvalidSignatureError' },
  { name: 'signature changed (one bit of s)', token: () => flipBit(valid(), 2, 50, 1), ours: 'ERR_JWT_SIGNATURE_INVALID', nodeCrypto: false, pyjwt: 'InvalidSignatureError' },
  { name: 'signature truncated to 63 bytes', token: () => { const [h, p, s] = splitToken(valid()); return `${h}.${p}.${Buffer.from(s, 'base64url').subarray(0, 63).toString('base64url')}`; }, ours: 'ERR_JWT_SIGNATURE_INVALID', nodeCrypto: false, pyjwt: 'InvalidSignatureError' },
  // Algorithm confusion.
  { name: 'alg none, no signature', token: () => algNone(valid()), ours: 'ERR_JWT_ALG_NOT_ALLOWED', nodeCrypto: false, pyjwt: 'InvalidAlgorithmError' },
  { name: 'HS256 keyed with the public key PEM', token: () => hs256WithPublicKey(valid(), publicKeyPem()), ours: 'ERR_JWT_ALG_NOT_ALLOWED', nodeCrypto: false, pyjwt: 'InvalidAlgorithmError' },
  { name: 'HS256 keyed with the public JWK JSON', token: () => hs256WithPublicKey(valid(), JSON.stringify(publicJwk())), ours: 'ERR_JWT_ALG_NOT_ALLOWED', nodeCrypto: false, pyjwt: 'InvalidAlgorithmError' },
  { name: 'HS256 keyed with the compressed public key', token: () => hs256WithPublicKey(valid(), Buffer.from(issuer.activeKey.signingKey.publicKeyHex, 'hex')), ours: 'ERR_JWT_ALG_NOT_ALLOWED', nodeCrypto: false, pyjwt: 'InvalidAlgorithmError' },
  // Key selection.
  { name: 'kid switched to the other published key', token: () => withHeader(valid(), (h) => ({ ...h, kid: retired.signingKey.jwk.kid })), ours: 'ERR_JWT_SIGNATURE_INVALID', nodeCrypto: false, pyjwt: 'InvalidSignatureError' },
  { name: 'kid switched to an unknown kid', token: () => withHeader(valid(), (h) => ({ ...h, kid: 'no-such-key' })), ours: 'ERR_JWT_UNKNOWN_KID', nodeCrypto: false, pyjwt: 'PyJWKClientError' },
  { name: 'signed by an unpublished key under the active kid', token: () => issuer.mint({ key: { ...newTestKey(), signingKey: issuer.activeKey.signingKey } }), ours: 'ERR_JWT_SIGNATURE_INVALID', nodeCrypto: false, pyjwt: 'InvalidSignatureError' },
  // Claims (validly signed: node:crypto checks signatures only, so it accepts these).
  { name: 'expired', token: () => issuer.mint({ issuedAt: nowSeconds() - 7200 }), ours: 'ERR_JWT_EXPIRED', nodeCrypto: true, pyjwt: 'ExpiredSignatureError' },
  { name: 'not yet valid', token: () => issuer.mint({ issuedAt: nowSeconds() + 3600 }), ours: 'ERR_JWT_NOT_YET_VALID', nodeCrypto: true, pyjwt: 'ImmatureSignatureError' },
  { name: 'for another audience', token: () => issuer.mint({ audience: 'other-api' }), ours: 'ERR_JWT_AUDIENCE_MISMATCH', nodeCrypto: true, pyjwt: 'InvalidAudienceError' },
  { name: 'from another issuer (signed with a published key)', token: () => otherIssuer.mint({ key: issuer.activeKey }), ours: 'ERR_JWT_ISSUER_MISMATCH', nodeCrypto: true, pyjwt: 'InvalidIssuerError' },
  // Malleability: the differences.
  { name: 'the high-S twin of the signature', token: () => highSTwin(valid()), ours: 'ERR_JWT_SIGNATURE_INVALID', nodeCrypto: true, pyjwt: 'OK' },
  { name: 'the signature with non-canonical trailing bits', token: () => nonCanonicalSignature(valid()), ours: 'ERR_JWT_MALFORMED', nodeCrypto: true, pyjwt: 'OK' },
  { name: 'the signature with = padding', token: () => paddedSignature(valid()), ours: 'ERR_JWT_MALFORMED', nodeCrypto: true, pyjwt: 'OK' }
];

describe('every verifier on the same tokens', () => {
  let reports: Map<string, InteropReport>;
  beforeAll(async () => {
    const tokens = CASES.map((testCase) => testCase.token());
    const results = await verifyWithEveryVerifier(tokens, target);
    reports = new Map(CASES.map((testCase, index) => [testCase.name, results[index]!]));
  });

  it.each(CASES.map((testCase) => [testCase.name, testCase] as const))('%s', (_name, testCase) => {
    const report = reports.get(testCase.name)!;
    expect(report.ours.ok ? 'OK' : report.ours.code).toBe(testCase.ours);
    expect(report.nodeCrypto.ok).toBe(testCase.nodeCrypto);
    expect(report.pyjwt.ok ? 'OK' : report.pyjwt.code).toBe(testCase.pyjwt);
    // jose v6 has no secp256k1: it never accepts, and says so for well-formed ES256K tokens.
    expect(report.jose.ok).toBe(false);
  });

  it('agree on the claims of a valid token: ours and PyJWT return the payload as signed', () => {
    const report = reports.get('a valid token')!;
    const payload = decodePart(splitToken(report.token)[1]);
    expect(report.ours.claims).toEqual(payload);
    expect(report.pyjwt.claims).toEqual(payload);
    expect(report.nodeCrypto.claims).toEqual(payload);
    expect(payload).toMatchObject({ sub: CALLER, iss: issuer.issuer, aud: 'api', role: 'chat' });
  });

  it('jose reports ES256K as not supported', () => {
    expect(reports.get('a valid token')!.jose.code).toBe('ERR_JOSE_NOT_SUPPORTED');
  });

  it('differ on malleated signatures: OpenSSL and PyJWT accept them, we do not', () => {
    for (const name of ['the high-S twin of the signature', 'the signature with non-canonical trailing bits', 'the signature with = padding']) {
      const report = reports.get(name)!;
      expect(report.token).not.toBe(reports.get('a valid token')!.token);
      expect([report.nodeCrypto.ok, report.pyjwt.ok, report.ours.ok], name).toEqual([true, true, false]);
    }
  });
});

describe('the HS256 confusion tokens', () => {
  it('are real HS256 tokens under the public key: a verifier that let the header pick HMAC would accept them', async () => {
    const token = hs256WithPublicKey(valid(), publicKeyPem());
    const { payload } = await jwtVerify(token, new TextEncoder().encode(publicKeyPem()), { algorithms: ['HS256'] });
    expect(payload.sub).toBe(CALLER);
  });
});

describe('unknown kids', () => {
  it('make PyJWKClient refetch once per token, and us at most once per cooldown', async () => {
    const tokens = Array.from({ length: 5 }, (_, i) => withHeader(valid(), (h) => ({ ...h, kid: `made-up-${i}` })));
    const before = server.count(JWKS);
    const python = await runPyJwt(tokens, target);
    expect(python.map((outcome) => outcome.code)).toEqual(Array(5).fill('PyJWKClientError'));
    expect(server.count(JWKS) - before).toBe(1 + tokens.length);

    const afterPython = server.count(JWKS);
    const ours = await verifyWithEveryVerifier(tokens, target);
    expect(ours.map((report) => report.ours.code)).toEqual(Array(5).fill('ERR_JWT_UNKNOWN_KID'));
    // One fetch by the interop helper itself (to hand node:crypto and jose the keys), one by our verifier's first lookup,
    // and one per token by PyJWT again.
    expect(server.count(JWKS) - afterPython).toBe(1 + 1 + (1 + tokens.length));
  });
});
