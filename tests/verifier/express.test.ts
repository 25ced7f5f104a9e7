// Real HTTP requests to the express-api example, on a free port of 127.0.0.1.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createApiApp } from '../../examples/express-api/app';
import { DEFAULT_PORT, serverConfigFromEnv } from '../../examples/express-api/server';
import { createVerifier } from '@ic-jwt/verifier';
import { highSTwin, signEs256k, withHeader } from './support/forge';
import { CALLER, nowSeconds, TestIssuer } from './support/test_issuer';
import { canisterResponder, jsonResponse, startWellKnownServer, type WellKnownServer } from './support/well_known_server';

const issuer = new TestIssuer({ audiences: ['api', 'other'], defaultAudience: 'api' });
let wellKnown: WellKnownServer;
let api: Server;
let base: string;
const logged: unknown[] = [];

beforeAll(async () => {
  wellKnown = await startWellKnownServer(canisterResponder(() => issuer.httpResources()));
  const verifier = createVerifier({ issuer: issuer.issuer, audience: 'api', jwksUri: wellKnown.jwksUrl });
  const app = createApiApp({ verifier, corsOrigins: ['http://localhost:5173'] });
  api = await new Promise<Server>((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server));
  });
  base = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
});
afterAll(async () => {
  api.closeAllConnections();
  await new Promise((resolve) => api.close(resolve));
  await wellKnown.close();
});

async function whoami(authorization?: string, extraHeaders: Record<string, string> = {}) {
  const response = await fetch(`${base}/api/whoami`, {
    headers: { ...(authorization === undefined ? {} : { authorization }), ...extraHeaders }
  });
  const text = await response.text();
  return { status: response.status, challenge: response.headers.get('www-authenticate'), headers: response.headers, text, body: JSON.parse(text) as Record<string, unknown> };
}

function expectNoLeak(text: string): void {
  expect(text).not.toMatch(/\bat .*\(|node_modules|\.ts:\d+|Error:/);
}

describe('GET /api/whoami behind requireJwt', () => {
  it('answers 200 with the caller principal and the verified claims', async () => {
    const token = issuer.mint({ extraClaims: '{"plan":"pro"}' });
    const { status, body, challenge } = await whoami(`Bearer ${token}`);
    expect(status).toBe(200);
    expect(challenge).toBeNull();
    expect(body['principal']).toBe(CALLER);
    expect(body['claims']).toMatchObject({ sub: CALLER, iss: issuer.issuer, aud: 'api', plan: 'pro' });
  });

  it('accepts the scheme in any case', async () => {
    expect((await whoami(`bearer ${issuer.mint()}`)).status).toBe(200);
  });

  it.each([
    ['no Authorization header', undefined],
    ['another scheme', 'Basic dXNlcjpwYXNz'],
    ['a bare token without scheme', 'eyJhbGciOiJFUzI1NksifQ.e30.AA']
  ])('answers 401 with a bare challenge for %s (RFC 6750 §3.1)', async (_what, authorization) => {
    const { status, challenge, body } = await whoami(authorization);
    expect(status).toBe(401);
    expect(challenge).toBe('Bearer realm="api"');
    expect(body['error']).toBe('unauthorized');
  });

  it('answers 400 invalid_request for a Bearer header without a usable token', async () => {
    for (const authorization of ['Bearer', 'Bearer ', 'Bearer a b', 'Bearer "tok"']) {
      const { status, challenge } = await whoami(authorization);
      expect(status, authorization).toBe(400);
      expect(challenge).toMatch(/^Bearer realm="api", error="invalid_request", error_description="[^"]+"$/);
    }
  });

  it.each([
    ['an expired token', () => issuer.mint({ issuedAt: nowSeconds() - 7200 }), /expired/],
    ['a token for another audience', () => issuer.mint({ audience: 'other' }), /audience/],
    ['a tampered token', () => highSTwin(issuer.mint()), /signature/],
    ['an alg none token', () => withHeader(issuer.mint(), (h) => ({ ...h, alg: 'none' })), /alg/],
    ['garbage', () => 'abc.def.ghi', /base64url|JSON/],
    ['a token with an unknown kid', () => withHeader(issuer.mint(), (h) => ({ ...h, kid: 'nope' })), /kid/]
  ])('answers 401 invalid_token saying why for %s', async (_what, token, why) => {
    const { status, challenge, body, text } = await whoami(`Bearer ${token()}`);
    expect(status).toBe(401);
    expect(challenge).toMatch(/^Bearer realm="api", error="invalid_token", error_description="[^"\\]+"$/);
    expect(challenge).toMatch(why);
    expect(body['error']).toBe('invalid_token');
    expect(body['error_description']).toMatch(why);
    expectNoLeak(text);
  });

  it('keeps hostile header content out of the challenge', async () => {
    const token = signEs256k(
      { alg: 'ES256K', kid: 'x"\r\nSet-Cookie: session=stolen\\"', typ: 'JWT' },
      { sub: 'a' },
      issuer.activeKey.secretKey
    );
    const { status, challenge, headers } = await whoami(`Bearer ${token}`);
    expect(status).toBe(401);
    expect(headers.get('set-cookie')).toBeNull();
    const description = /error_description="([^"]*)"$/.exec(challenge!)?.[1];
    expect(description).toBeDefined();
    expect(description).toMatch(/^[\x20\x21\x23-\x5b\x5d-\x7e]+$/);
  });

  it('lets the frontend origin call with a bearer token (CORS) and read the challenge', async () => {
    const preflight = await fetch(`${base}/api/whoami`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' }
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    const denied = await whoami(undefined, { origin: 'http://localhost:5173' });
    expect(denied.headers.get('access-control-expose-headers')).toBe('WWW-Authenticate');
    const stranger = await whoami(undefined, { origin: 'https://evil.example' });
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers JSON 404 elsewhere, without stack traces', async () => {
    const response = await fetch(`${base}/nope`);
    expect(response.status).toBe(404);
    expectNoLeak(await response.text());
  });
});

describe('requireJwt when the issuer keys are unavailable', () => {
  it('answers 503 without blaming the token or leaking details', async () => {
    const down = await startWellKnownServer(() => jsonResponse(500, { error: 'boom' }));
    const verifier = createVerifier({ issuer: issuer.issuer, audience: 'api', jwksUri: down.jwksUrl });
    const original = console.error;
    console.error = (...args: unknown[]) => logged.push(args);
    const app = createApiApp({ verifier, corsOrigins: ['*'] });
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/whoami`, {
        headers: { authorization: `Bearer ${issuer.mint()}` }
      });
      const text = await response.text();
      expect(response.status).toBe(503);
      expect(response.headers.get('www-authenticate')).toBeNull();
      expect(JSON.parse(text)).toEqual({ error: 'temporarily_unavailable', error_description: "the token issuer's keys cannot be fetched right now" });
      expect(text).not.toContain('127.0.0.1');
      expectNoLeak(text);
      expect(logged.length).toBeGreaterThan(0);
    } finally {
      console.error = original;
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await down.close();
    }
  });
});

describe('the example server configuration', () => {
  it('binds 127.0.0.1:4944 by default, takes the port from argv or PORT', () => {
    expect(serverConfigFromEnv({}, [])).toEqual({ host: '127.0.0.1', port: DEFAULT_PORT, corsOrigins: ['*'] });
    expect(DEFAULT_PORT).toBe(4944);
    expect(serverConfigFromEnv({ PORT: '8080', CORS_ORIGINS: 'http://a, http://b' }, []).corsOrigins).toEqual(['http://a', 'http://b']);
    expect(serverConfigFromEnv({ PORT: '8080' }, ['9090']).port).toBe(9090);
    expect(() => serverConfigFromEnv({}, ['http'])).toThrow(/not a port/);
  });
});
