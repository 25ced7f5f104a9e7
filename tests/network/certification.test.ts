// The canister's http_request responses carry HTTP certification v2 that the gateway's own
// verifier (@dfinity/response-verification) accepts under the local network's root key.
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { verifyRequestResponsePair } from '@dfinity/response-verification';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { HttpRequestType, HttpResponseType, UpdateConfigResultType } from '../../src/backend/core/candid';
import type { Deployment } from '../../src/dev_network/deploy_jwt_issuer';
import type { LocalNetwork } from '../../packages/local-ic/src/network/local_network';
import { startDeployedIssuer } from './support/deployed_issuer';

interface Served {
  status_code: number;
  headers: [string, string][];
  body: Uint8Array;
}

let network: LocalNetwork;
let deployment: Deployment;
let close: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ network, deployment, close } = await startDeployedIssuer('ic-jwt-cert-'));
});

afterAll(async () => {
  await close?.();
});

/** The canister's answer to an HTTP request, as a non-replicated query (so with its data certificate). */
async function serve(method: string, url: string): Promise<Served> {
  const arg = IDL.encode([HttpRequestType], [{ method, url, headers: [], body: new Uint8Array(), certificate_version: [2] }]);
  const result = await network.ic.queryCall(deployment.canisterId, 'http_request', arg, { sender: Principal.anonymous() });
  if (result.kind === 'rejected') throw new Error(result.message);
  const [response] = IDL.decode([HttpResponseType], result.reply) as unknown as [Served];
  return { status_code: response.status_code, headers: response.headers, body: Uint8Array.from(response.body) };
}

/** The verified status code, or the verifier's error code. */
function verification(method: string, url: string, response: Served): number | { error: number } {
  try {
    const result = verifyRequestResponsePair(
      { url, method, body: new Uint8Array(), headers: [], certificate_version: [2] },
      response,
      deployment.canisterId.toUint8Array(),
      network.ic.time,
      5n * 60n * 1_000_000_000n,
      network.rootKeyDer,
      2
    );
    return result.response?.statusCode ?? -1;
  } catch (error) {
    return { error: (error as { code: number }).code };
  }
}

describe('certified http_request responses on the local IC', () => {
  it.each([
    ['GET', '/.well-known/jwks.json', 200],
    ['HEAD', '/.well-known/jwks.json', 200],
    ['GET', '/.well-known/openid-configuration?x=1', 200],
    ['GET', '/nothing-here', 404],
    ['GET', '/.well-known/other', 404],
    ['POST', '/.well-known/jwks.json', 405],
    ['GET', '/.well-known/jwks.json' + '/x'.repeat(40), 414]
  ])('%s %s verifies with status %i', async (method, url, status) => {
    expect(verification(method, url, await serve(method, url))).toBe(status);
  });

  it('answers a path of 1,600 segments with the one certified 414 (issue 11 §3)', async () => {
    const url = '/a'.repeat(1_600);
    expect(verification('GET', url, await serve('GET', url))).toBe(414);
  });

  it('fails verification after one changed byte of the body', async () => {
    const response = await serve('GET', '/.well-known/jwks.json');
    const body = response.body.slice();
    body[5]! ^= 1;
    expect(verification('GET', '/.well-known/jwks.json', { ...response, body })).toEqual({ error: expect.any(Number) });
  });

  it('fails verification after a changed certified header', async () => {
    const response = await serve('GET', '/.well-known/jwks.json');
    const headers = response.headers.map(([name, value]): [string, string] => (name === 'cache-control' ? [name, 'public, max-age=31536000'] : [name, value]));
    expect(verification('GET', '/.well-known/jwks.json', { ...response, headers })).toEqual({ error: expect.any(Number) });
  });

  it('fails verification when the response is served for another path', async () => {
    const jwks = await serve('GET', '/.well-known/jwks.json');
    expect(verification('GET', '/.well-known/openid-configuration', jwks)).toEqual({ error: expect.any(Number) });
    const notFound = await serve('GET', '/nothing-here');
    expect(verification('GET', '/.well-known/jwks.json', notFound)).toEqual({ error: expect.any(Number) });
  });

  it('re-certifies when the config changes', async () => {
    const issuer = 'https://issuer.example.org';
    const arg = IDL.encode([IDL.Record({ issuer: IDL.Opt(IDL.Text) })], [{ issuer: [issuer] }]);
    const result = await network.ic.updateCall(deployment.canisterId, 'update_config', arg, { sender: deployment.controller });
    if (result.kind === 'rejected') throw new Error(result.message);
    expect(IDL.decode([UpdateConfigResultType], result.reply)[0]).toHaveProperty('Ok');
    const discovery = await serve('GET', '/.well-known/openid-configuration');
    expect(JSON.parse(new TextDecoder().decode(discovery.body)).issuer).toBe(issuer);
    expect(verification('GET', '/.well-known/openid-configuration', discovery)).toBe(200);
  });

  it('re-certifies when the keys rotate', async () => {
    const before = await serve('GET', '/.well-known/jwks.json');
    const result = await network.ic.updateCall(deployment.canisterId, 'rotate_keys', IDL.encode([], []), { sender: deployment.controller });
    if (result.kind === 'rejected') throw new Error(result.message);
    const after = await serve('GET', '/.well-known/jwks.json');
    expect(JSON.parse(new TextDecoder().decode(after.body)).keys.length).toBeGreaterThan(JSON.parse(new TextDecoder().decode(before.body)).keys.length);
    expect(verification('GET', '/.well-known/jwks.json', after)).toBe(200);
    // The new certificate no longer vouches for the old key set.
    expect(verification('GET', '/.well-known/jwks.json', { ...after, body: before.body })).toEqual({ error: expect.any(Number) });
  });

  it('passes the gateway, which refuses anything that does not verify', async () => {
    const response = await fetch(network.canisterUrl(deployment.canisterId, '/.well-known/jwks.json'));
    expect(response.status).toBe(200);
    expect(response.headers.get('x-local-ic-uncertified')).toBeNull();
  });
});
