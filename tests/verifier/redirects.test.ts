// Redirects of the JWK Set and discovery URLs, and key sources that skip certification.
import { afterEach, describe, expect, it } from 'vitest';

import type { HttpResponse } from '../../src/backend/core/http';
import { createVerifier, type FetchLike, type VerifierOptions } from '@ic-jwt/verifier';
import { CANISTER_ID, TestIssuer } from './support/test_issuer';
import { canisterResponder, jsonResponse, startWellKnownServer, type Responder, type WellKnownServer } from './support/well_known_server';

const JWKS = '/.well-known/jwks.json';
const DISCOVERY = '/.well-known/openid-configuration';
const RAW_JWKS = `https://${CANISTER_ID}.raw.icp0.io${JWKS}`;

const servers: WellKnownServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(responder: Responder): Promise<WellKnownServer> {
  const server = await startWellKnownServer(responder);
  servers.push(server);
  return server;
}

const redirect = (statusCode: number, location: string): HttpResponse => ({ statusCode, headers: [['location', location]], body: new Uint8Array() });

const issuer = new TestIssuer();
const keys = canisterResponder(() => issuer.httpResources());
/** Serves the JWK Set at /keys, and the redirects in `routes` (path → answer). */
const routes = (table: Record<string, HttpResponse>): Responder => (request) => {
  const path = request.url.split('?')[0]!;
  return table[path] ?? (path === '/keys' ? keys({ method: 'GET', url: JWKS }) : jsonResponse(404, {}));
};

const verifierFor = (jwksUri: string, options: Partial<VerifierOptions> = {}) =>
  createVerifier({ issuer: issuer.issuer, audience: issuer.config.defaultAudience, jwksUri, ...options } as VerifierOptions);

async function failureOf(promise: Promise<unknown>): Promise<{ code: string; message: string; tokenRejected: boolean }> {
  try {
    await promise;
  } catch (error) {
    return error as { code: string; message: string; tokenRejected: boolean };
  }
  throw new Error('verified');
}

describe('redirects of the JWK Set URL', () => {
  it.each([301, 302, 303, 307, 308])('are followed within the origin (HTTP %i)', async (status) => {
    const server = await serve(routes({ [JWKS]: redirect(status, '/keys') }));
    await verifierFor(server.jwksUrl).verify(issuer.mint());
    expect(server.requests).toEqual([JWKS, '/keys']);
  });

  it('are followed up to three times, relative or absolute, and no more', async () => {
    let server = await serve(() => jsonResponse(404, {}));
    const chain = (hops: number) =>
      routes(Object.fromEntries(Array.from({ length: hops }, (_, i) => [i === 0 ? JWKS : `/hop${i}`, redirect(302, i === hops - 1 ? '/keys' : `${i % 2 === 0 ? '' : server.origin}/hop${i + 1}`)])));
    server.respondWith(chain(3));
    await verifierFor(server.jwksUrl).verify(issuer.mint());
    expect(server.requests).toEqual([JWKS, '/hop1', '/hop2', '/keys']);

    server = await serve(() => jsonResponse(404, {}));
    server.respondWith(chain(4));
    const error = await failureOf(verifierFor(server.jwksUrl).verify(issuer.mint()));
    expect(error).toMatchObject({ code: 'ERR_JWKS_REDIRECT_REFUSED', tokenRejected: false, message: expect.stringMatching(/more than 3 times/) });
    expect(server.requests).toEqual([JWKS, '/hop1', '/hop2', '/hop3']);
  });

  it('are refused to another origin, even another port or name of the same host', async () => {
    const elsewhere = await serve(keys);
    const server = await serve(() => jsonResponse(404, {}));
    for (const target of [`${elsewhere.origin}${JWKS}`, `http://localhost:${new URL(server.origin).port}/keys`]) {
      server.respondWith(routes({ [JWKS]: redirect(307, target) }));
      const error = await failureOf(verifierFor(server.jwksUrl).verify(issuer.mint()));
      expect(error).toMatchObject({ code: 'ERR_JWKS_REDIRECT_REFUSED', tokenRejected: false, message: expect.stringMatching(/another origin/) });
    }
    expect(elsewhere.requests).toEqual([]);
    expect(server.requests).toEqual([JWKS, JWKS]);
  });

  it('are refused from https to plain http on the same host', async () => {
    const server = await serve(routes({ [JWKS]: redirect(301, 'http://issuer.test/keys') }));
    // This machine has no TLS host: the fetch sends https://issuer.test to the local server.
    const viaLocalServer: FetchLike = (url, init) => fetch(url.replace('https://issuer.test', server.origin), init);
    const error = await failureOf(verifierFor(`https://issuer.test${JWKS}`, { fetch: viaLocalServer }).verify(issuer.mint()));
    expect(error).toMatchObject({ code: 'ERR_JWKS_REDIRECT_REFUSED', message: expect.stringMatching(/plain http/) });
    expect(server.requests).toEqual([JWKS]);
  });

  it('are refused to a raw (uncertified) gateway, with their own code', async () => {
    const server = await serve(routes({ [JWKS]: redirect(302, RAW_JWKS) }));
    const error = await failureOf(verifierFor(server.jwksUrl).verify(issuer.mint()));
    expect(error).toMatchObject({ code: 'ERR_JWKS_UNCERTIFIED', tokenRejected: false, message: expect.stringMatching(/raw\.icp0\.io .*certification/) });
  });

  it('are refused without a Location', async () => {
    const server = await serve(routes({ [JWKS]: { statusCode: 302, headers: [], body: new Uint8Array() } }));
    expect(await failureOf(verifierFor(server.jwksUrl).verify(issuer.mint()))).toMatchObject({
      code: 'ERR_JWKS_REDIRECT_REFUSED',
      message: expect.stringMatching(/without a usable Location/)
    });
  });

  it('are checked even when a custom fetch follows them itself', async () => {
    const elsewhere = await serve(keys);
    const server = await serve(routes({ [JWKS]: redirect(302, `${elsewhere.origin}${JWKS}`) }));
    const following: FetchLike = (url, init) => fetch(url, { ...init, redirect: 'follow' });
    const error = await failureOf(verifierFor(server.jwksUrl, { fetch: following }).verify(issuer.mint()));
    expect(error).toMatchObject({ code: 'ERR_JWKS_REDIRECT_REFUSED', message: expect.stringMatching(/another origin/) });
  });
});

describe('OpenID discovery', () => {
  async function discoveryServer(document: (origin: string) => unknown): Promise<WellKnownServer> {
    const server = await serve(() => jsonResponse(404, {}));
    server.respondWith((request) => (request.url === DISCOVERY ? jsonResponse(200, document(server.origin)) : keys(request)));
    return server;
  }

  it('refuses a jwks_uri on a raw (uncertified) gateway, and fetches nothing there', async () => {
    const server = await discoveryServer((origin) => ({ issuer: origin, jwks_uri: RAW_JWKS }));
    const verifier = createVerifier({ issuer: server.origin, audience: 'a', discovery: true });
    expect(await failureOf(verifier.warmUp())).toMatchObject({ code: 'ERR_JWKS_UNCERTIFIED', message: expect.stringMatching(/jwks_uri/) });
  });

  it('refuses a discovery document redirected to another origin', async () => {
    const elsewhere = await serve(keys);
    const server = await serve(routes({ [DISCOVERY]: redirect(302, `${elsewhere.origin}${DISCOVERY}`) }));
    const verifier = createVerifier({ issuer: server.origin, audience: 'a', discovery: true });
    expect(await failureOf(verifier.warmUp())).toMatchObject({ code: 'ERR_JWKS_REDIRECT_REFUSED' });
    expect(elsewhere.requests).toEqual([]);
  });
});
