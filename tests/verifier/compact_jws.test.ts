import { describe, expect, it } from 'vitest';

import { parseCompactJws } from '../../packages/verifier/src/compact_jws';
import { TokenMalformedError } from '@ic-jwt/verifier';
import { TestIssuer } from './support/test_issuer';
import { b64, splitToken } from './support/forge';

const token = new TestIssuer().mint({ extraClaims: '{"role":"chat"}' });
const [header, payload, signature] = splitToken(token);
const json = (value: unknown) => b64(JSON.stringify(value));

function malformed(input: unknown, max = 8192): string {
  try {
    parseCompactJws(input, max);
  } catch (error) {
    expect(error).toBeInstanceOf(TokenMalformedError);
    expect((error as TokenMalformedError).code).toBe('ERR_JWT_MALFORMED');
    return (error as Error).message;
  }
  throw new Error('parsed');
}

describe('parsing a compact JWS', () => {
  it('decodes a token made by the canister core', () => {
    const parsed = parseCompactJws(token, 8192);
    expect(parsed.header).toMatchObject({ alg: 'ES256K', typ: 'JWT' });
    expect(parsed.payload).toMatchObject({ role: 'chat' });
    expect(Buffer.from(parsed.signingInput).toString('latin1')).toBe(`${header}.${payload}`);
    expect(parsed.signature).toEqual(new Uint8Array(Buffer.from(signature, 'base64url')));
    expect(parsed.signature.length).toBe(64);
  });

  it.each([
    ['not a string', 42],
    ['two parts', `${header}.${payload}`],
    ['four parts', `${token}.${signature}`],
    ['JWE-like five parts', `${header}.a.b.c.d`],
    ['an empty string', ''],
    ['no dots', header]
  ])('rejects %s', (_what, input) => {
    expect(malformed(input)).toMatch(/not a string|three dot-separated parts/);
  });

  it('rejects tokens over maxTokenBytes before decoding anything', () => {
    expect(malformed(token, token.length - 1)).toMatch(/at most/);
    expect(parseCompactJws(token, token.length).payload).toBeTruthy();
  });

  it.each([
    ['a padded header', `${header}==.${payload}.${signature}`],
    ['a header that is not JSON', `${b64('{"alg":"ES256K"')}.${payload}.${signature}`],
    ['a header that is a JSON array', `${json(['ES256K'])}.${payload}.${signature}`],
    ['a header that is JSON null', `${json(null)}.${payload}.${signature}`],
    ['a payload that is a JSON string', `${header}.${json('claims')}.${signature}`],
    ['a payload of invalid UTF-8', `${header}.${b64(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]))}.${signature}`],
    ['a payload in the standard alphabet', `${header}.${Buffer.from('{"sub":"a>>?"}').toString('base64').replace(/=/g, '')}.${signature}`],
    ['a signature with a space', `${header}.${payload}.${signature.slice(0, 10)} ${signature.slice(10)}`]
  ])('rejects %s', (_what, input) => {
    expect(malformed(input)).toMatch(/base64url|JSON/);
  });

  it.each([
    [{ typ: 'JWT' }, /alg/],
    [{ alg: 1 }, /alg/],
    [{ alg: 'ES256K', kid: 7 }, /kid/],
    [{ alg: 'ES256K', kid: 'k', crit: ['exp'] }, /crit/],
    [{ alg: 'ES256K', kid: 'k', crit: 'b64' }, /crit/],
    [{ alg: 'ES256K', kid: 'k', crit: [] }, /crit.*empty list is invalid/],
    [{ alg: 'ES256K', kid: 'k', b64: false }, /b64/]
  ])('rejects header %j', (badHeader, message) => {
    expect(malformed(`${json(badHeader)}.${payload}.${signature}`)).toMatch(message);
  });

  it.each([
    ['header', '{"alg":"ES256K","kid":"k","__proto__":{"admin":true}}'],
    ['payload', '{"sub":"a","__proto__":{"admin":true}}'],
    ['payload', '{"sub":"a","nested":[{"deep":{"\\u005f_proto__":{"admin":true}}}]}']
  ])('rejects a %s with a member named __proto__: %s', (part, text) => {
    const encoded = Buffer.from(text).toString('base64url');
    const input = part === 'header' ? `${encoded}.${payload}.${signature}` : `${header}.${encoded}.${signature}`;
    expect(malformed(input)).toBe(`the ${part} has a member named "__proto__"`);
  });

  it('reads deeply nested claims without running out of stack', () => {
    const deep = Buffer.from(`{"sub":"a","n":${'['.repeat(20000)}${']'.repeat(20000)}}`).toString('base64url');
    expect(parseCompactJws(`${header}.${deep}.${signature}`, 65536).payload['sub']).toBe('a');
  });

  it('accepts b64: true, and leaves the other members alone', () => {
    const parsed = parseCompactJws(`${json({ alg: 'ES256K', kid: 'k', b64: true, jku: 'https://evil' })}.${payload}.${signature}`, 8192);
    expect(parsed.header.kid).toBe('k');
  });
});
