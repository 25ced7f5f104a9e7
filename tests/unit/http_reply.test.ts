// The prebuilt Candid replies (core/http_reply.ts, encodeIssueResult) against @dfinity/candid's IDL.encode.
import { IDL } from '@dfinity/candid';
import { describe, expect, it } from 'vitest';

import { encodeIssuedJwtReply, encodeIssueResult, HttpResponseType, httpResponseToCandid, issueErrorToCandid, IssueResultType } from '../../src/backend/core/candid';
import { applyConfigInput, defaultConfig } from '../../src/backend/core/config';
import { buildHttpResources, certifiedResponse, encodeHttpReply, routeHttpRequest, type HttpResponse } from '../../src/backend/core/http';
import { activateKey, EMPTY_KEY_RING, es256kSigningKey } from '../../src/backend/core/key_ring';
import { testKeyPair } from '../support/keys';

const config = applyConfigInput(defaultConfig('bkyz2-fmaaa-aaaaa-qaaaq-cai'), { issuer: 'https://auth.example.org/tenant-1' });
const resources = buildHttpResources(config, activateKey(EMPTY_KEY_RING, es256kSigningKey('dfx_test_key', 1, testKeyPair().compressedPublicKey)));

const idlEncode = (response: HttpResponse) => new Uint8Array(IDL.encode([HttpResponseType], [httpResponseToCandid(response)]));
/** Bytes standing in for a data certificate: the canister passes them on base64-encoded, unread. */
const certificateOf = (length: number) => Uint8Array.from({ length }, (_, i) => (i * 31 + 7) & 0xff);

const REQUESTS: [method: string, url: string][] = [
  ['GET', '/.well-known/jwks.json'],
  ['HEAD', '/.well-known/jwks.json?x=1'],
  ['OPTIONS', '/.well-known/jwks.json'],
  ['DELETE', '/.well-known/jwks.json'],
  ['GET', '/.well-known/openid-configuration'],
  ['GET', '/.well-known/oauth-authorization-server'],
  ['GET', '/authorize?client_id=a'],
  ['GET', '/token'],
  ['POST', '/token'],
  ['GET', '/%2Ewell-known//jwks.json'],
  ['GET', '/no/such/path'],
  ['GET', `/${'a/'.repeat(2_000)}`]
];

describe('http_request reply bytes', () => {
  // An empty certificate, a one-byte and a two-byte LEB128 length of the header value, a typical certificate.
  for (const length of [0, 120, 1_500]) {
    it(`are IDL.encode's bytes of the certified response, certificate of ${length} bytes`, () => {
      const certificate = certificateOf(length);
      for (const [method, url] of REQUESTS) {
        const response = routeHttpRequest(resources, { method, url });
        const expected = response.upgrade === true ? idlEncode(response) : idlEncode(certifiedResponse(resources, url, response, certificate));
        expect(encodeHttpReply(resources, { method, url }, certificate), `${method} ${url}`).toEqual(expected);
      }
    });
  }

  it('carry no IC-Certificate header when there is no data certificate (http_request called as an update)', () => {
    for (const [method, url] of REQUESTS) {
      const reply = encodeHttpReply(resources, { method, url }, undefined);
      expect(reply).toEqual(idlEncode(routeHttpRequest(resources, { method, url })));
      const [decoded] = IDL.decode([HttpResponseType], reply) as unknown as [{ headers: [string, string][] }];
      expect(decoded.headers.map(([name]) => name)).not.toContain('ic-certificate');
    }
  });

  it('decode to the response with the certificate header last', () => {
    const certificate = certificateOf(1_500);
    const reply = encodeHttpReply(resources, { method: 'GET', url: '/.well-known/jwks.json' }, certificate);
    const [decoded] = IDL.decode([HttpResponseType], reply) as unknown as [{ status_code: number; headers: [string, string][]; body: Uint8Array }];
    expect(decoded.status_code).toBe(200);
    const [name, value] = decoded.headers.at(-1)!;
    expect(name).toBe('ic-certificate');
    expect(value.startsWith(`certificate=:${Buffer.from(certificate).toString('base64')}:, tree=:`)).toBe(true);
    expect(new TextDecoder().decode(decoded.body)).toContain('"keys"');
  });
});

describe('issue_jwt reply bytes', () => {
  it('are IDL.encode bytes for a token and for each kind of error', () => {
    const values = [
      { Ok: { token: 'a.b.c', expires_at: 1_900_000_000n, kid: 'kid-1' } },
      { Err: issueErrorToCandid({ kind: 'AnonymousCaller' }) },
      { Err: issueErrorToCandid({ kind: 'RateLimited', scope: 'Global', retryAfterSeconds: 7 }) },
      { Err: issueErrorToCandid({ kind: 'CyclesBelowFloor', balance: 5n, floor: 10n ** 12n, fee: 26_153_846_153n }) },
      { Err: issueErrorToCandid({ kind: 'SigningFailed', rejectCode: 4, message: 'é'.repeat(200) }) }
    ];
    for (const value of values) expect(encodeIssueResult(value as never)).toEqual(new Uint8Array(IDL.encode([IssueResultType], [value])));
  });

  it('are IDL.encode bytes for a token given as bytes, of any length and expiry', () => {
    for (const [length, expiresAt] of [[5, 0], [127, 1_900_000_000], [128, 2 ** 32], [5657, Number.MAX_SAFE_INTEGER]] as const) {
      const token = 'eyJ0.x-_'.repeat(1000).slice(0, length);
      const kid = 'k'.repeat(length % 50);
      const expected = IDL.encode([IssueResultType], [{ Ok: { token, expires_at: BigInt(expiresAt), kid } }]);
      expect(encodeIssuedJwtReply({ token: new TextEncoder().encode(token), expiresAt, kid })).toEqual(new Uint8Array(expected));
    }
  });
});
