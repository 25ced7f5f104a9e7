// Tokens from the real jwt_issuer Wasm on the local IC, through every verifier: ours, node:crypto and
// PyJWT (Debian's python3-jwt). The JWK Set is the canister's own http_request answer, served over HTTP.
import { createPublicKey } from 'node:crypto';
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { HttpRequestType, HttpResponseType } from '../../src/backend/core/candid';
import type { HttpResponse } from '../../src/backend/core/http';
import { LocalIc } from '../../packages/local-ic/src';
import { randomPrincipal } from '../integration/harness/jwt_issuer';
import { LocalIcIssuer } from '../support/local_ic_issuer';
import { algNone, flipBit, highSTwin, hs256WithPublicKey, withClaims, withHeader } from './support/forge';
import { verifyWithEveryVerifier, type InteropReport } from './support/interop';
import { startWellKnownServer, type WellKnownServer } from './support/well_known_server';

const HOUR_NANOS = 3_600_000_000_000n;
const wallNanos = () => BigInt(Date.now()) * 1_000_000n;

let ic: LocalIc;
let issuer: LocalIcIssuer;
let server: WellKnownServer;
const tokens: Record<'expired' | 'valid' | 'another' | 'notYetValid', string> = { expired: '', valid: '', another: '', notYetValid: '' };
let jwk: Record<string, unknown>;

/** The canister's own answer to GET <url>, as the gateway would pass it on. */
async function canisterHttp(id: Principal, url: string): Promise<HttpResponse> {
  const arg = IDL.encode([HttpRequestType], [{ method: 'GET', url, headers: [], body: new Uint8Array(), certificate_version: [] }]);
  const result = await ic.queryCall(id, 'http_request', arg);
  if (result.kind === 'rejected') throw new Error(result.message);
  const [response] = IDL.decode([HttpResponseType], result.reply) as unknown as [{ status_code: number; headers: [string, string][]; body: Uint8Array }];
  return { statusCode: response.status_code, headers: response.headers, body: Uint8Array.from(response.body) };
}

beforeAll(async () => {
  // The network's clock starts three hours back, so that a token it issues first has already expired.
  ic = await LocalIc.create({ startTime: wallNanos() - 3n * HOUR_NANOS });
  issuer = await LocalIcIssuer.install(ic, { audiences: ['chat-api', 'other-api'], allowedExtraClaims: ['room'] });
  tokens.expired = await issuer.issueToken(randomPrincipal(), { ttlSeconds: 3600 });
  ic.setTime(wallNanos());
  tokens.valid = await issuer.issueToken(randomPrincipal(), { extraClaims: '{"room":"lobby"}' });
  tokens.another = await issuer.issueToken(randomPrincipal(), { audience: 'other-api' });
  ic.setTime(wallNanos() + 2n * HOUR_NANOS);
  tokens.notYetValid = await issuer.issueToken(randomPrincipal());
  server = await startWellKnownServer(({ url }) => canisterHttp(issuer.canisterId, url));
  jwk = ((await (await fetch(server.jwksUrl)).json()) as { keys: Record<string, unknown>[] }).keys[0]!;
});

afterAll(async () => {
  await server?.close();
  ic?.close();
});

async function everyVerifier(token: string): Promise<InteropReport> {
  const [report] = await verifyWithEveryVerifier([token], {
    jwksUrl: server.jwksUrl,
    issuer: `https://${issuer.canisterId.toText()}.icp0.io`,
    audience: 'chat-api'
  });
  return report!;
}

describe('canister tokens across verifiers', () => {
  it('a fresh token verifies with our library, node:crypto and PyJWT, with the same claims', async () => {
    const report = await everyVerifier(tokens.valid);
    expect(report.ours).toMatchObject({ ok: true, claims: { aud: 'chat-api', room: 'lobby' } });
    expect(report.nodeCrypto.ok).toBe(true);
    expect(report.pyjwt).toMatchObject({ ok: true, claims: { sub: report.ours.claims!['sub'], room: 'lobby' } });
    // jose v6 cannot verify ES256K at all: the reason this product ships its own verifier.
    expect(report.jose).toMatchObject({ ok: false, code: 'ERR_JOSE_NOT_SUPPORTED' });
  });

  const publicKeyPem = () => createPublicKey({ key: { ...jwk }, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
  const rejectedByAll: [string, () => string, string, string][] = [
    ['the header changed', () => withHeader(tokens.valid, (h) => ({ ...h, typ: 'JOSE' })), 'ERR_JWT_SIGNATURE_INVALID', 'InvalidSignatureError'],
    ['the claims changed', () => withClaims(tokens.valid, (c) => ({ ...c, sub: 'aaaaa-aa' })), 'ERR_JWT_SIGNATURE_INVALID', 'InvalidSignatureError'],
    ['the signature changed', () => flipBit(tokens.valid, 2, 40, 2), 'ERR_JWT_SIGNATURE_INVALID', 'InvalidSignatureError'],
    ['alg switched to none', () => algNone(tokens.valid), 'ERR_JWT_ALG_NOT_ALLOWED', 'InvalidAlgorithmError'],
    ['alg switched to HS256 keyed with the public key', () => hs256WithPublicKey(tokens.valid, publicKeyPem()), 'ERR_JWT_ALG_NOT_ALLOWED', 'InvalidAlgorithmError'],
    ['kid switched', () => withHeader(tokens.valid, (h) => ({ ...h, kid: 'another-kid' })), 'ERR_JWT_UNKNOWN_KID', 'PyJWKClientError'],
    ['expired', () => tokens.expired, 'ERR_JWT_EXPIRED', 'ExpiredSignatureError'],
    ['not yet valid', () => tokens.notYetValid, 'ERR_JWT_NOT_YET_VALID', 'ImmatureSignatureError'],
    ['for another audience', () => tokens.another, 'ERR_JWT_AUDIENCE_MISMATCH', 'InvalidAudienceError']
  ];

  it.each(rejectedByAll)('a token with %s is rejected by our library and PyJWT', async (_name, token, ours, pyjwt) => {
    const report = await everyVerifier(token());
    expect(report.ours).toMatchObject({ ok: false, code: ours });
    expect(report.pyjwt).toMatchObject({ ok: false, code: pyjwt });
  });

  it('the high-S twin of a canister signature: ours rejects it, PyJWT and OpenSSL accept it', async () => {
    const report = await everyVerifier(highSTwin(tokens.valid));
    expect(report.ours).toMatchObject({ ok: false, code: 'ERR_JWT_SIGNATURE_INVALID' });
    expect(report.pyjwt.ok).toBe(true);
    expect(report.nodeCrypto.ok).toBe(true);
  });
});
