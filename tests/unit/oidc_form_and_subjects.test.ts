// The token endpoint's form parsing (RFC 6749 §3.2, Appendix B) and pairwise subjects (OIDC Core §8.1).
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';

import { FORM_MAX_BYTES, isFormContentType, parseForm } from '../../src/backend/core/oidc/form';
import { pairwiseSubject } from '../../src/backend/core/oidc/pairwise';
import { parseTokenRequest } from '../../src/backend/core/oidc/token_request';

const bytes = (text: string) => new TextEncoder().encode(text);
const parsed = (text: string) => {
  const result = parseForm(bytes(text));
  return result.ok ? Object.fromEntries(result.value) : { error: result.error };
};

describe('form bodies', () => {
  it('decodes as application/x-www-form-urlencoded does (URLSearchParams agrees)', () => {
    const text = 'a=1&b=x+y&c=%2F%3D%26&d=%C3%A9t%C3%A9&e=';
    expect(parsed(text)).toEqual({ a: '1', b: 'x y', c: '/=&', d: 'été' });
    const standard = Object.fromEntries([...new URLSearchParams(text)].filter(([, value]) => value !== ''));
    expect(parsed(text)).toEqual(standard);
  });

  it('treats a parameter without a value as absent (RFC 6749 §3.1)', () => {
    expect(parsed('code=&client_id=app')).toEqual({ client_id: 'app' });
    expect(parsed('code&client_id=app')).toEqual({ client_id: 'app' });
    expect(parsed('')).toEqual({});
  });

  it.each([
    ['a repeated parameter', 'code=a&code=b', /appears more than once/],
    ['a repeated parameter, even empty', 'code=&code=a', /appears more than once/],
    ['a repeated parameter in another spelling', 'code=a&c%6Fde=a', /appears more than once/],
    ['a broken percent-encoding', 'a=%2', /not valid/],
    ['a non-hex percent-encoding', 'a=%ZZ', /not valid/],
    ['invalid UTF-8', 'a=%C3%28', /not valid/],
    ['an empty name', '=x', /without a name/],
    ['an empty pair', 'a=1&&b=2', /without a name/],
    ['raw non-ASCII bytes', 'a=é', /not URL-encoded ASCII/],
    ['a raw newline', 'a=1\nb=2', /not URL-encoded ASCII/],
    ['too many parameters', Array.from({ length: 17 }, (_, i) => `p${i}=1`).join('&'), /limit is 16/],
    ['an oversized body', `a=${'x'.repeat(FORM_MAX_BYTES)}`, /the limit is 4096/]
  ])('refuses %s', (_, text, reason) => {
    expect(parsed(text).error).toMatch(reason);
  });

  it('takes the form content type with parameters, in any case, and nothing else', () => {
    expect(isFormContentType('application/x-www-form-urlencoded')).toBe(true);
    expect(isFormContentType('Application/X-WWW-Form-Urlencoded; charset=UTF-8')).toBe(true);
    for (const other of [undefined, '', 'application/json', 'multipart/form-data', 'application/x-www-form-urlencodedx']) expect(isFormContentType(other)).toBe(false);
  });

  it('reads a token request, naming the RFC 6749 §5.2 error of each problem', () => {
    const form = 'application/x-www-form-urlencoded';
    const good = { grant_type: 'authorization_code', code: 'c'.repeat(43), redirect_uri: 'http://127.0.0.1:1/cb', client_id: 'app', code_verifier: 'v'.repeat(43) };
    const request = (change: Record<string, string>, contentType = form) => parseTokenRequest(contentType, bytes(new URLSearchParams({ ...good, ...change }).toString()));
    expect(request({})).toEqual({ ok: true, value: { clientId: 'app', code: 'c'.repeat(43), redirectUri: 'http://127.0.0.1:1/cb', codeVerifier: 'v'.repeat(43) } });
    const errorOf = (result: ReturnType<typeof request>) => (result.ok ? 'ok' : `${result.error.status} ${result.error.error}`);
    expect(errorOf(request({}, 'text/plain'))).toBe('400 invalid_request');
    expect(errorOf(request({ grant_type: 'client_credentials' }))).toBe('400 unsupported_grant_type');
    expect(errorOf(request({ grant_type: '' }))).toBe('400 invalid_request');
    expect(errorOf(request({ client_secret: 'x' }))).toBe('401 invalid_client');
    expect(errorOf(request({ code_verifier: '' }))).toBe('400 invalid_request');
    expect(errorOf(request({ code: 'not a code' }))).toBe('400 invalid_grant');
  });
});

describe('pairwise subjects', () => {
  const salt = new Uint8Array(32).map((_, i) => i);
  const principal = 'rrkah-fqaaa-aaaaa-aaaaq-cai';

  it('are HMAC-SHA-256 under the salt of the length-prefixed sector and the principal (node:crypto agrees)', () => {
    const sector = 'app.example.com';
    const input = Buffer.concat([Buffer.from([0, sector.length]), Buffer.from(sector), Buffer.from(principal)]);
    expect(pairwiseSubject(salt, sector, principal)).toBe(createHmac('sha256', salt).update(input).digest('base64url'));
  });

  it('differ across sectors, principals and salts; the length prefix keeps sector and principal apart', () => {
    const subject = pairwiseSubject(salt, 'a.example.com', principal);
    expect(pairwiseSubject(salt, 'a.example.com', principal)).toBe(subject);
    expect(pairwiseSubject(salt, 'b.example.com', principal)).not.toBe(subject);
    expect(pairwiseSubject(salt, 'a.example.com', '2vxsx-fae')).not.toBe(subject);
    expect(pairwiseSubject(new Uint8Array(32), 'a.example.com', principal)).not.toBe(subject);
    expect(pairwiseSubject(salt, 'ab', 'c')).not.toBe(pairwiseSubject(salt, 'a', 'bc'));
    expect(() => pairwiseSubject(new Uint8Array(16), 'a', principal)).toThrow(/32 bytes/);
  });
});
