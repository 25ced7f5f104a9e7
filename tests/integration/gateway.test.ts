// Issue 14 §4: the canister's JWK Set and discovery document fetched by off-chain verifiers through
// the HTTP gateway that pic's makeLive() starts: ours (@ic-jwt/verifier, jwksUri = the gateway URL)
// and PyJWT (PyJWKClient against the gateway URL, the algorithm pinned). The gateway checks the
// responses' certification; so do we, with the gateway's own verifier library.
import { createHash } from 'node:crypto';

import { HttpAgent } from '@dfinity/agent';
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { verifyRequestResponsePair } from '@dfinity/response-verification';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createVerifier, type SupportedAlgorithm } from '@ic-jwt/verifier';
import { AUTHORIZE_PAGE_SHA256 } from '../../src/backend/core/generated/authorize_page';
import { AUTHORIZE_PATH } from '../../src/backend/core/oidc/endpoints';
import { watToWasm } from '../localnet/support/wat';
import { toPic } from '../pocket_ic/support/pic';
import { runPyJwt } from '../verifier/support/interop';
import { createControlledCanister, JwtIssuer, randomPrincipal } from './harness/jwt_issuer';
import { advanceTime, useInstance, usePocketIcServer } from './harness/pic_network';

const HOUR_MS = 3_600_000;
const AUDIENCE = 'gateway-api';
const JWKS_PATH = '/.well-known/jwks.json';
const MAX_CERTIFICATE_AGE_NANOS = 5n * 60n * 1_000_000_000n;

const server = usePocketIcServer();
const instance = useInstance(server);

/** A canister that answers every http_request with a JSON body and no certification. */
function uncertifiedCanisterWasm(): Uint8Array {
  const HttpResponse = IDL.Record({ status_code: IDL.Nat16, headers: IDL.Vec(IDL.Tuple(IDL.Text, IDL.Text)), body: IDL.Vec(IDL.Nat8), upgrade: IDL.Opt(IDL.Bool) });
  const reply = new Uint8Array(
    IDL.encode([HttpResponse], [{ status_code: 200, headers: [['content-type', 'application/json']], body: new TextEncoder().encode('{"keys":[]}'), upgrade: [] }])
  );
  const data = [...reply].map((byte) => `\\${byte.toString(16).padStart(2, '0')}`).join('');
  return watToWasm(`(module
    (import "ic0" "msg_reply_data_append" (func $append (param i32 i32)))
    (import "ic0" "msg_reply" (func $reply))
    (memory 1)
    (data (i32.const 0) "${data}")
    (func (export "canister_query http_request") (call $append (i32.const 0) (i32.const ${reply.length})) (call $reply)))`);
}

describe("the JWK Set through makeLive()'s gateway", () => {
  let issuer: JwtIssuer;
  let gateway: string;
  let uncertified: Principal;
  /** Signed at the wall clock (the instance's start), then two hours later on the instance's clock. */
  const tokens = { es256k: '', eddsa: '', later: '' };
  let later: Date;

  beforeAll(async () => {
    const pic = instance();
    issuer = await JwtIssuer.install(pic, { config: { audiences: [AUDIENCE] } });
    tokens.es256k = await issuer.issueToken(randomPrincipal());
    tokens.eddsa = await issuer.issueToken(randomPrincipal(), { algorithm: 'EdDSA' });
    await advanceTime(pic, 2 * HOUR_MS);
    later = await issuer.now();
    tokens.later = await issuer.issueToken(randomPrincipal());
    const { canisterId, controller } = await createControlledCanister(pic);
    await pic.installCode({ canisterId: toPic(canisterId), wasm: uncertifiedCanisterWasm(), sender: toPic(controller) });
    uncertified = canisterId;
    gateway = `http://127.0.0.1:${await pic.makeLive()}`;
  });

  afterAll(async () => {
    await instance().stopLive();
  });

  const urlOf = (path: string, canisterId: Principal = issuer.canisterId): string => `${gateway}${path}?canisterId=${canisterId.toText()}`;
  const issuerUrl = (): string => `https://${issuer.canisterId.toText()}.icp0.io`;

  it('serves discovery whose issuer is the tokens\' iss, and the JWK Set it names', async () => {
    const discovery = (await (await fetch(urlOf('/.well-known/openid-configuration'))).json()) as Record<string, unknown>;
    expect(discovery).toMatchObject({ issuer: issuerUrl(), jwks_uri: `${issuerUrl()}${JWKS_PATH}` });
    const jwks = (await (await fetch(urlOf(JWKS_PATH))).json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys.map((key) => key['alg'])).toEqual(['ES256K', 'EdDSA']);
  });

  it.each([
    ['ES256K', 'es256k'],
    ['EdDSA', 'eddsa']
  ] as const)('%s: our verifier, pinned, fetches the keys from the gateway; at the later time it refuses the earlier token as expired', async (algorithm, name) => {
    const verifierAt = (time: Date, pinned: SupportedAlgorithm = algorithm) =>
      createVerifier({ issuer: issuerUrl(), audience: AUDIENCE, algorithms: [pinned], jwksUri: urlOf(JWKS_PATH), clockToleranceSeconds: 0, clock: () => time.getTime() });
    const issuedAt = new Date(later.getTime() - 2 * HOUR_MS);
    expect(await verifierAt(issuedAt).verify(tokens[name])).toMatchObject({ aud: AUDIENCE, iss: issuerUrl() });
    await expect(verifierAt(later).verify(tokens[name])).rejects.toMatchObject({ code: 'ERR_JWT_EXPIRED' });
    const other = algorithm === 'ES256K' ? tokens.eddsa : tokens.es256k;
    await expect(verifierAt(issuedAt).verify(other)).rejects.toMatchObject({ code: 'ERR_JWT_ALG_NOT_ALLOWED' });
  });

  it('PyJWT (PyJWKClient against the gateway URL, on the wall clock) verifies pinned, and refuses the other algorithm and a token from two hours ahead', async () => {
    const target = { jwksUrl: urlOf(JWKS_PATH), issuer: issuerUrl(), audience: AUDIENCE };
    const es256k = await runPyJwt([tokens.es256k, tokens.eddsa, tokens.later], target, ['ES256K'], 0);
    expect(es256k.map((outcome) => (outcome.ok ? 'OK' : outcome.code))).toEqual(['OK', 'InvalidAlgorithmError', 'ImmatureSignatureError']);
    expect(es256k[0]!.claims).toMatchObject({ aud: AUDIENCE, iss: issuerUrl() });
    const [eddsa] = await runPyJwt([tokens.eddsa], target, ['EdDSA'], 0);
    expect(eddsa).toMatchObject({ ok: true });
  });

  it.each([JWKS_PATH, AUTHORIZE_PATH])('passes the certificate of %s on, and it verifies with @dfinity/response-verification under the instance\'s root key', async (path) => {
    const response = await fetch(urlOf(path));
    expect(response.status).toBe(200);
    const headers: [string, string][] = [];
    response.headers.forEach((value, name) => headers.push([name, value]));
    expect(headers.map(([name]) => name)).toEqual(expect.arrayContaining(['ic-certificate', 'ic-certificateexpression']));
    const body = new Uint8Array(await response.arrayBuffer());
    const agent = await HttpAgent.create({ host: gateway, shouldFetchRootKey: true });
    const now = BigInt(await instance().getTime()) * 1_000_000n;
    const verify = (served: Uint8Array): number | undefined =>
      verifyRequestResponsePair(
        { url: `${path}?canisterId=${issuer.canisterId.toText()}`, method: 'GET', body: new Uint8Array(), headers: [], certificate_version: [2] },
        { status_code: response.status, headers, body: served },
        issuer.canisterId.toUint8Array(),
        now,
        MAX_CERTIFICATE_AGE_NANOS,
        new Uint8Array(agent.rootKey!),
        2
      ).response?.statusCode;
    expect(verify(body)).toBe(200);
    // The page's bytes are decoded in the canister and certified under a hash made at build time.
    if (path === AUTHORIZE_PATH) expect(createHash('sha256').update(body).digest('hex')).toBe(AUTHORIZE_PAGE_SHA256);
    const tampered = body.slice();
    tampered[3]! ^= 1;
    expect(() => verify(tampered)).toThrow();
  });

  it('refuses a response that carries no certification', async () => {
    const response = await fetch(urlOf(JWKS_PATH, uncertified));
    expect(response.status).toBeGreaterThanOrEqual(500);
    expect(await response.text()).not.toContain('"keys"');
  });
});
