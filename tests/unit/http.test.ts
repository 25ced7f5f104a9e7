import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';

import { applyConfigInput, defaultConfig } from '../../src/backend/core/config';
import { AUTHORIZE_PAGE_SHA256 } from '../../src/backend/core/generated/authorize_page';
import { buildHttpResources, decodeAuthorizePage, routeHttpRequest, type HttpResponse } from '../../src/backend/core/http';
import { activateKey, EMPTY_KEY_RING, es256kSigningKey } from '../../src/backend/core/key_ring';
import { testKeyPair } from '../support/keys';

const CANISTER = 'bkyz2-fmaaa-aaaaa-qaaaq-cai';
const config = applyConfigInput(defaultConfig(CANISTER), { issuer: 'https://auth.example.org/tenant-1' });
const key = es256kSigningKey('dfx_test_key', 1, testKeyPair().compressedPublicKey);
const resources = buildHttpResources(config, activateKey(EMPTY_KEY_RING, key));

const get = (url: string, method = 'GET'): HttpResponse => routeHttpRequest(resources, { method, url });
const header = (response: HttpResponse, name: string): string | undefined =>
  response.headers.find(([key]) => key === name)?.[1];
const json = (response: HttpResponse): Record<string, unknown> => JSON.parse(new TextDecoder().decode(response.body));

describe('http_request routing', () => {
  it('serves the JWKS as application/jwk-set+json, cacheable, to any origin', () => {
    const response = get('/.well-known/jwks.json');
    expect(response.statusCode).toBe(200);
    expect(header(response, 'content-type')).toBe('application/jwk-set+json');
    expect(header(response, 'cache-control')).toBe('public, max-age=300');
    expect(header(response, 'access-control-allow-origin')).toBe('*');
    expect(header(response, 'ic-certificateexpression')).toMatch(/^default_certification/);
    expect(json(response)).toEqual({ keys: [key.jwk] });
    expect(JSON.stringify(json(response))).not.toMatch(/"d"/);
  });

  it('serves discovery whose issuer equals iss exactly', () => {
    const response = get('/.well-known/openid-configuration');
    expect(response.statusCode).toBe(200);
    expect(header(response, 'content-type')).toBe('application/json');
    expect(json(response)).toMatchObject({
      issuer: 'https://auth.example.org/tenant-1',
      jwks_uri: 'https://auth.example.org/tenant-1/.well-known/jwks.json',
      authorization_endpoint: 'https://auth.example.org/tenant-1/authorize',
      token_endpoint: 'https://auth.example.org/tenant-1/token',
      id_token_signing_alg_values_supported: ['ES256K', 'EdDSA'],
      subject_types_supported: ['public', 'pairwise'],
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['none'],
      scopes_supported: ['openid'],
      authorization_response_iss_parameter_supported: true
    });
    // RFC 8414 §3: the same metadata at the OAuth well-known path.
    expect(get('/.well-known/oauth-authorization-server').body).toEqual(response.body);
  });

  it('asks the gateway to upgrade POST /token, and answers its other methods with a certified 405 or preflight', () => {
    expect(get('/token', 'POST')).toMatchObject({ upgrade: true });
    expect(get('/token?x=1', 'POST').upgrade).toBe(true);
    expect(get('/.well-known/jwks.json', 'POST').upgrade).toBeUndefined();
    expect(get('/token').statusCode).toBe(405);
    expect(header(get('/token'), 'allow')).toBe('POST, OPTIONS');
    expect(get('/token', 'OPTIONS').statusCode).toBe(204);
  });

  it('serves the authorization page with a CSP that allows only its own inline script and style', () => {
    const page = get('/authorize?response_type=code&client_id=x');
    expect(page.statusCode).toBe(200);
    expect(header(page, 'content-type')).toBe('text/html; charset=utf-8');
    const csp = header(page, 'content-security-policy') ?? '';
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(header(page, 'x-frame-options')).toBe('DENY');
  });

  it('refuses page bytes of another length than the page, keeping the ones it serves', () => {
    const before = get('/authorize').body;
    expect(() => decodeAuthorizePage(() => new Uint8Array(3))).toThrow(/decoded to 3 bytes, not \d+/);
    expect(get('/authorize').body).toBe(before);
  });

  it('serves the page as UTF-8 whose hashes, made when it was built, are its own (node:crypto)', () => {
    const page = get('/authorize');
    const sha256 = (data: Uint8Array | string, encoding: 'hex' | 'base64') => createHash('sha256').update(data).digest(encoding);
    expect(sha256(page.body, 'hex')).toBe(AUTHORIZE_PAGE_SHA256);
    const html = new TextDecoder('utf-8', { fatal: true }).decode(page.body);
    expect(html).toContain('Checking the request\u2026');
    const script = /<script type="module">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
    expect(script.length).toBeGreaterThan(1000);
    const csp = header(page, 'content-security-policy') ?? '';
    expect(csp).toContain(`script-src 'sha256-${sha256(script, 'base64')}'`);
    expect(csp).toContain(`style-src 'sha256-${sha256(style, 'base64')}'`);
  });

  it('answers HEAD with the GET response, whose certification hashes the body (servers drop it on the wire)', () => {
    expect(get('/.well-known/jwks.json', 'HEAD')).toBe(get('/.well-known/jwks.json'));
    expect(get('/nope', 'HEAD')).toBe(get('/nope'));
  });

  it('reads the path as the HTTP gateway does: percent-decoded, empty segments dropped', () => {
    expect(get('/.well-known/jwks%2Ejson')).toBe(get('/.well-known/jwks.json'));
    expect(get('//.well-known//jwks.json')).toBe(get('/.well-known/jwks.json'));
  });

  it('ignores query strings and fragments when routing', () => {
    expect(get('/.well-known/jwks.json?v=2&x=<y>').body).toEqual(get('/.well-known/jwks.json').body);
    expect(get('/.well-known/jwks.json#top').statusCode).toBe(200);
  });

  it.each(['/', '/.well-known/JWKS.json', '/.well-known/jwks.json.bak', '/.well-known', 'jwks.json', '', '//x', '/%ZZ'])(
    'answers %j with a JSON 404 that reflects nothing',
    (url) => {
      const response = get(url);
      expect(response.statusCode).toBe(404);
      expect(header(response, 'content-type')).toBe('application/json');
      expect(json(response)).toMatchObject({ error: 'not_found' });
    }
  );

  it('never echoes the request into a 404', () => {
    const body = new TextDecoder().decode(get('/<script>alert(1)</script>').body);
    expect(body).not.toContain('script');
    expect(get('/<script>').body).toEqual(get('/other').body);
  });

  it.each(['POST', 'PUT', 'DELETE', 'PATCH', 'get', 'TRACE'])('answers %s on a document with 405 and Allow', (method) => {
    const response = get('/.well-known/jwks.json', method);
    expect(response.statusCode).toBe(405);
    expect(header(response, 'allow')).toBe('GET, HEAD, OPTIONS');
    expect(json(response)).toMatchObject({ error: 'method_not_allowed' });
  });

  it('answers a CORS preflight with 204', () => {
    const response = get('/.well-known/openid-configuration', 'OPTIONS');
    expect(response.statusCode).toBe(204);
    expect(header(response, 'access-control-allow-methods')).toBe('GET, HEAD, OPTIONS');
    expect(response.body.length).toBe(0);
  });

  it('serves an empty key set before the key is fetched', () => {
    const early = buildHttpResources(config, EMPTY_KEY_RING);
    expect(json(routeHttpRequest(early, { method: 'GET', url: '/.well-known/jwks.json' }))).toEqual({ keys: [] });
  });

});
