// End to end without a replica: the canister's responses, certified by our module, checked by
// the gateway's own verifier (@dfinity/response-verification, compiled from the IC's Rust) with a
// certificate signed by a BLS12-381 root key made for this run only.
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { Principal } from '@dfinity/principal';
import { decode, encode } from '@dfinity/cbor';
import { verifyRequestResponsePair } from '@dfinity/response-verification';
import { describe, expect, it } from 'vitest';

import { concatBytes, hexToBytes, utf8 } from '../../src/backend/core/bytes';
import {
  canonicalRequestPath,
  CERTIFICATE_EXPRESSION_HEADER,
  certifyResponses,
  type CertifiedResponses
} from '../../src/backend/core/certification/index';
import { hashTreeToCbor, treeDigest } from '../../src/backend/core/certification/hash_tree';
import { buildLabeledTree } from '../../src/backend/core/certification/labeled_tree';
import { applyConfigInput, defaultConfig } from '../../src/backend/core/config';
import { buildHttpResources, routeHttpRequest, type HttpResponse } from '../../src/backend/core/http';
import { activateKey, EMPTY_KEY_RING, es256kSigningKey } from '../../src/backend/core/key_ring';
import { AUTHORIZE_PATH } from '../../src/backend/core/oidc/endpoints';
import { DISCOVERY_PATH, JWKS_PATH } from '../../src/backend/core/well_known';
import { testKeyPair } from '../support/keys';

const CANISTER = Principal.fromText('bkyz2-fmaaa-aaaaa-qaaaq-cai');
const OTHER_CANISTER = Principal.fromText('rdmx6-jaaaa-aaaaa-aaadq-cai');
const MAX_CERT_TIME_OFFSET_NS = 300_000_000_000n;
/** The DER header of an IC BLS12-381 G2 public key, as the IC's root key is published. */
const IC_ROOT_KEY_DER_PREFIX = hexToBytes('308182301d060d2b0601040182dc7c0503010201060c2b0601040182dc7c05030201036100');
const STATE_ROOT_DOMAIN = concatBytes(Uint8Array.of(13), utf8('ic-state-root'));

// ---- a subnet of our own: a root key and certificates over a state tree ----

const rootSecret = bls12_381.utils.randomPrivateKey();
const rootKeyDer = concatBytes(IC_ROOT_KEY_DER_PREFIX, bls12_381.getPublicKeyForShortSignatures(rootSecret));
const nowNs = () => BigInt(Date.now()) * 1_000_000n;

/** Unsigned LEB128 of a time in nanoseconds (past 2^53, hence bigint). */
function leb128(value: bigint): Uint8Array {
  const out: number[] = [];
  do {
    const low = Number(value & 0x7fn);
    value >>= 7n;
    out.push(value > 0n ? low | 0x80 : low);
  } while (value > 0n);
  return Uint8Array.from(out);
}

function dataCertificate(certifiedData: Uint8Array, options: { timeNs?: bigint; canister?: Principal; secret?: Uint8Array } = {}) {
  const timeNs = options.timeNs ?? nowNs();
  const stateTree = buildLabeledTree([
    { path: [utf8('canister'), (options.canister ?? CANISTER).toUint8Array(), utf8('certified_data')], value: certifiedData },
    { path: [utf8('time')], value: leb128(timeNs) }
  ]);
  const message = concatBytes(STATE_ROOT_DOMAIN, treeDigest(stateTree));
  const signature = bls12_381.signShortSignature(message, options.secret ?? rootSecret);
  return encode({ tree: hashTreeToCbor(stateTree) as never, signature });
}

// ---- the canister: its responses as http.ts builds them, with the expression header ----

const config = applyConfigInput(defaultConfig(CANISTER.toText()), {});
const ring = activateKey(EMPTY_KEY_RING, es256kSigningKey('dfx_test_key', 1, testKeyPair().compressedPublicKey));
const plain = buildHttpResources(config, ring);
// http.ts gives every response the expression header; these helpers take it away or add a second one.
const withoutExpressionHeader = (response: HttpResponse): HttpResponse => ({ ...response, headers: response.headers.filter(([name]) => name !== CERTIFICATE_EXPRESSION_HEADER[0]) });
const withSecondExpressionHeader = (response: HttpResponse): HttpResponse => ({ ...response, headers: [...response.headers, [...CERTIFICATE_EXPRESSION_HEADER]] });

interface PathResponses {
  document: HttpResponse;
  options: HttpResponse;
  notAllowed: HttpResponse;
}
const byPath = new Map<string, PathResponses>(
  [JWKS_PATH, DISCOVERY_PATH].map((path) => [
    path,
    {
      document: plain.byPath.get(path)!.document,
      options: routeHttpRequest(plain, { method: 'OPTIONS', url: path }),
      notAllowed: routeHttpRequest(plain, { method: 'POST', url: path })
    }
  ])
);
const notFound = plain.notFound;
const certified: CertifiedResponses<HttpResponse> = certifyResponses({
  exact: new Map([...byPath].map(([path, { document, options, notAllowed }]) => [path, [document, options, notAllowed]])),
  fallback: notFound
});

/** The routing http.ts is to adopt: the canonical decoded path, and HEAD served as GET. */
function route(method: string, url: string): HttpResponse {
  const path = canonicalRequestPath(url);
  const responses = path === undefined ? undefined : byPath.get(path);
  if (responses === undefined) return notFound;
  if (method === 'GET' || method === 'HEAD') return responses.document;
  return method === 'OPTIONS' ? responses.options : responses.notAllowed;
}

// ---- the gateway ----

interface Served {
  statusCode: number;
  headers: [string, string][];
  body: Uint8Array;
}

function serve(method: string, url: string, certificate = dataCertificate(certified.rootHash)): Served {
  const response = certified.withCertificate(url, route(method, url), certificate);
  return { statusCode: response.statusCode, headers: response.headers.map(([name, value]) => [name, value]), body: response.body };
}

function verify(method: string, url: string, response: Served, canister = CANISTER) {
  return verifyRequestResponsePair(
    { url, method, headers: [], body: new Uint8Array(), certificate_version: [2] },
    { status_code: response.statusCode, headers: response.headers, body: response.body },
    canister.toUint8Array(),
    nowNs(),
    MAX_CERT_TIME_OFFSET_NS,
    rootKeyDer,
    2
  );
}

/** The verifier's error code, or 'passed'. */
function outcome(method: string, url: string, response: Served, canister = CANISTER): string | number {
  try {
    verify(method, url, response, canister);
    return 'passed';
  } catch (error) {
    return (error as { code?: number }).code ?? String(error);
  }
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const headerNamed = (response: Served, name: string) => response.headers.find(([key]) => key.toLowerCase() === name)?.[1];
const withHeader = (response: Served, name: string, change: (value: string) => string): Served => ({
  ...response,
  headers: response.headers.map(([key, value]) => [key, key === name ? change(value) : value])
});

describe('certified responses pass the gateway verifier', () => {
  it.each([JWKS_PATH, DISCOVERY_PATH])('GET %s: version 2, the document with its certified headers', (path) => {
    const response = serve('GET', path);
    const result = verify('GET', path, response);
    expect(result.verificationVersion).toBe(2);
    expect(result.response?.statusCode).toBe(200);
    expect(text(result.response!.body)).toBe(text(plain.byPath.get(path)!.document.body));
    const verifiedHeaders = Object.fromEntries(result.response!.headers.map(([name, value]) => [name.toLowerCase(), value]));
    expect(verifiedHeaders).toMatchObject(Object.fromEntries(plain.byPath.get(path)!.document.headers));
  });

  it.each([
    '/',
    '/favicon.ico',
    '/foo/',
    '/.well-known',
    '/.well-known/',
    '/.well-known/jwks',
    '/.well-known/jwks.json/',
    '/.well-known/jwks.json/more',
    '/.well-known/openid-configuration/x/y',
    '/.well-known/zzz',
    '/a/b/c/d/e',
    '/%3C%2A%3E',
    '/%3C$%3E/%3C*%3E',
    '/caf%C3%A9',
    '/index.html?x=1'
  ])('GET %s: the certified 404, the witness proving no more specific path', (url) => {
    const result = verify('GET', url, serve('GET', url));
    expect(result.response?.statusCode).toBe(404);
  });

  it.each([
    ['/.well-known/jwks.json?cache=bust', JWKS_PATH],
    ['/.well-known/jwks%2Ejson', JWKS_PATH],
    ['//.well-known//openid-configuration', DISCOVERY_PATH],
    ['/.well-known%2Fjwks.json', JWKS_PATH]
  ])('GET %s: served and certified as %s, as the gateway reads the path', (url, path) => {
    const result = verify('GET', url, serve('GET', url));
    expect(text(result.response!.body)).toBe(text(plain.byPath.get(path)!.document.body));
  });

  it('OPTIONS and a 405 at a document path pass too, each with its own certification', () => {
    expect(verify('OPTIONS', JWKS_PATH, serve('OPTIONS', JWKS_PATH)).response?.statusCode).toBe(204);
    const notAllowed = verify('DELETE', DISCOVERY_PATH, serve('DELETE', DISCOVERY_PATH)).response!;
    expect(notAllowed.statusCode).toBe(405);
    expect(notAllowed.headers).toContainEqual(['allow', 'GET, HEAD, OPTIONS']);
  });
});

describe('the authorization page, whose body hash was computed when it was built', () => {
  const servePage = (body?: Uint8Array): Served => {
    const page = routeHttpRequest(plain, { method: 'GET', url: AUTHORIZE_PATH });
    const response = plain.certification.withCertificate(AUTHORIZE_PATH, page, dataCertificate(plain.certification.rootHash));
    return { statusCode: response.statusCode, headers: response.headers.map(([name, value]) => [name, value]), body: body ?? response.body };
  };

  it('passes the gateway verifier as the canister certifies it, and fails with one byte changed', () => {
    const served = servePage();
    expect(verify('GET', AUTHORIZE_PATH, served).response?.statusCode).toBe(200);
    const tampered = served.body.slice();
    tampered[tampered.length - 10]! ^= 1;
    expect(outcome('GET', AUTHORIZE_PATH, servePage(tampered))).toBe(17); // InvalidRequestAndResponseHashes
  });
});

describe('HEAD', () => {
  it('passes when the canister answers HEAD with the GET response, body included (the gateway drops it on the wire)', () => {
    expect(outcome('HEAD', JWKS_PATH, serve('HEAD', JWKS_PATH))).toBe('passed');
    expect(outcome('HEAD', '/missing', serve('HEAD', '/missing'))).toBe('passed');
  });

  it('fails when the body is left out: the verifier hashes the body it receives, whatever the method', () => {
    const bodiless = { ...serve('HEAD', JWKS_PATH), body: new Uint8Array() };
    expect(outcome('HEAD', JWKS_PATH, bodiless)).toBe(17); // InvalidRequestAndResponseHashes
  });

  it('is what the router answers to HEAD: the certified GET response, which verifies', () => {
    const head = routeHttpRequest(plain, { method: 'HEAD', url: JWKS_PATH });
    expect(head).toBe(plain.byPath.get(JWKS_PATH)!.document);
    const withHeader = plain.certification.withCertificate(JWKS_PATH, head, dataCertificate(plain.certification.rootHash));
    expect(verify('HEAD', JWKS_PATH, withHeader).response?.statusCode).toBe(200);
  });
});

describe('any change breaks verification', () => {
  const jwks = serve('GET', JWKS_PATH);

  it('one byte of the body', () => {
    const body = jwks.body.slice();
    body[10] = body[10]! ^ 1;
    expect(outcome('GET', JWKS_PATH, { ...jwks, body })).toBe(17);
    const missing = serve('GET', '/missing');
    const notFoundBody = missing.body.slice();
    notFoundBody[0] = notFoundBody[0]! ^ 1;
    expect(outcome('GET', '/missing', { ...missing, body: notFoundBody })).toBe(17);
  });

  it.each(['content-type', 'cache-control', 'access-control-allow-origin', 'x-content-type-options'])(
    'one byte of the certified header %s',
    (name) => {
      expect(outcome('GET', JWKS_PATH, withHeader(jwks, name, (value) => value.slice(0, -1) + '!'))).toBe(17);
    }
  );

  it('a certified header added (allow) or removed (cache-control)', () => {
    expect(outcome('GET', JWKS_PATH, { ...jwks, headers: [...jwks.headers, ['allow', 'GET']] })).toBe(17);
    expect(outcome('GET', JWKS_PATH, { ...jwks, headers: jwks.headers.filter(([name]) => name !== 'cache-control') })).toBe(17);
  });

  it('the status', () => {
    expect(outcome('GET', JWKS_PATH, { ...jwks, statusCode: 203 })).toBe(17);
  });

  it('the expression header: the gateway hashes it and finds no such expression in the tree', () => {
    expect(outcome('GET', JWKS_PATH, withHeader(jwks, 'ic-certificateexpression', (value) => value.replace('"allow",', '')))).toBe(16);
  });

  it('one byte of the path: another document, or the 404 in place of a document', () => {
    expect(outcome('GET', '/.well-known/jwks.jsoN', jwks)).toBe(11); // ExactExpressionPathMismatch
    expect(outcome('GET', DISCOVERY_PATH, jwks)).toBe(11);
    const missing = serve('GET', '/.well-known/jwks.jso');
    expect(outcome('GET', '/.well-known/jwks.jso', missing)).toBe('passed');
    expect(outcome('GET', JWKS_PATH, missing)).toBe(12); // ExactExpressionPathMightExistInTree
    expect(outcome('GET', '/.well-known/zzz', missing)).toBe(12);
    // A witness proves a gap between labels, so it also proves the 404 right for another path
    // in that gap: no document can be displaced that way.
    expect(outcome('GET', '/.well-known/jwks.jsoX', missing)).toBe('passed');
  });

  it('a certificate over other certified data, for another canister, from another root key, or too old', () => {
    const stale = new Uint8Array(32).fill(9);
    expect(outcome('GET', JWKS_PATH, serve('GET', JWKS_PATH, dataCertificate(stale)))).toBe(6); // InvalidTreeRootHash
    expect(outcome('GET', JWKS_PATH, serve('GET', JWKS_PATH, dataCertificate(certified.rootHash, { canister: OTHER_CANISTER })))).toBe(7);
    expect(outcome('GET', JWKS_PATH, jwks, OTHER_CANISTER)).toBe(7);
    const forged = dataCertificate(certified.rootHash, { secret: bls12_381.utils.randomPrivateKey() });
    expect(outcome('GET', JWKS_PATH, serve('GET', JWKS_PATH, forged))).toBe(26);
    const old = dataCertificate(certified.rootHash, { timeNs: nowNs() - 2n * MAX_CERT_TIME_OFFSET_NS });
    expect(outcome('GET', JWKS_PATH, serve('GET', JWKS_PATH, old))).toBe(26);
  });
});

describe('building the certification', () => {
  it('gives the same root hash for the same responses, another when a document changes', () => {
    const again = certifyResponses({
      exact: new Map([...byPath].map(([path, { document, options, notAllowed }]) => [path, [document, options, notAllowed]])),
      fallback: notFound
    });
    expect(again.rootHash).toEqual(certified.rootHash);
    const rotated = buildHttpResources(config, activateKey(ring, es256kSigningKey('dfx_test_key', 2, testKeyPair().compressedPublicKey)));
    const changed = certifyResponses({ exact: new Map([[JWKS_PATH, [rotated.byPath.get(JWKS_PATH)!.document]]]), fallback: notFound });
    expect(changed.rootHash).not.toEqual(certified.rootHash);
    expect(certified.rootHash).toHaveLength(32);
  });

  it('refuses responses a gateway could not verify as built', () => {
    const refuse = (response: HttpResponse, path = JWKS_PATH) =>
      expect(() => certifyResponses({ exact: new Map([[path, [response]]]), fallback: notFound })).toThrow(
        expect.objectContaining({ code: 'ERR_UNCERTIFIABLE_RESPONSE' })
      );
    const jwksDocument = byPath.get(JWKS_PATH)!.document;
    refuse(withoutExpressionHeader(jwksDocument)); // no expression header
    refuse(withSecondExpressionHeader(jwksDocument)); // two
    refuse({ ...jwksDocument, headers: [...jwksDocument.headers, ['x-extra', '1']] }); // would be dropped
    refuse({ ...jwksDocument, headers: [...jwksDocument.headers, ['IC-Certificate', 'x']] });
    refuse({ ...jwksDocument, statusCode: 1000 });
    refuse(jwksDocument, '/.well-known//jwks.json'); // not canonical
    refuse(jwksDocument, '/<*>');
  });

  it('refuses to certify at query time a response routed to the wrong path', () => {
    expect(() => certified.certificateHeader('/missing', byPath.get(JWKS_PATH)!.document, new Uint8Array())).toThrow(
      expect.objectContaining({ code: 'ERR_RESPONSE_NOT_CERTIFIED' })
    );
    expect(() => certified.certificateHeader(JWKS_PATH, notFound, new Uint8Array())).toThrow(
      expect.objectContaining({ code: 'ERR_RESPONSE_NOT_CERTIFIED' })
    );
  });

  it('formats IC-Certificate as certificate, tree, expr_path, version 2', () => {
    const [name, value] = certified.certificateHeader(JWKS_PATH, byPath.get(JWKS_PATH)!.document, Uint8Array.of(1, 2, 3));
    expect(name).toBe('ic-certificate');
    expect(value).toMatch(/^certificate=:AQID:, tree=:2dn3[A-Za-z0-9+/]+=*:, expr_path=:2dn3[A-Za-z0-9+/]+=*:, version=2$/);
  });
});

describe('over-long paths (issue 11 §3): one certified answer, no work that grows with the path', () => {
  const served = (method: string, url: string): Served => {
    const response = plain.certification.withCertificate(url, routeHttpRequest(plain, { method, url }), dataCertificate(plain.certification.rootHash));
    return { statusCode: response.statusCode, headers: response.headers, body: response.body };
  };
  const treeOf = (response: Served) => /tree=:([^:]+):/.exec(headerNamed(response, 'ic-certificate')!)![1]!;
  /** Nodes in the witness a gateway receives: the work certifying the request took. */
  const witnessNodes = (response: Served): number => {
    const count = (node: unknown[]): number =>
      node[0] === 1 ? 1 + count(node[1] as unknown[]) + count(node[2] as unknown[]) : node[0] === 2 ? 1 + count(node[2] as unknown[]) : 1;
    return count(decode(Buffer.from(treeOf(response), 'base64')) as unknown[]);
  };
  const segments = (n: number) => '/' + Array.from({ length: n }, (_, i) => `s${i}`).join('/');

  it.each([
    ['1,600 segments', segments(1_600)],
    ['33 segments', segments(33)],
    ['a 2,049-character path', '/' + 'a'.repeat(2_048)],
    ['1,600 segments under .well-known', '/.well-known/jwks.json' + '/x'.repeat(1_598)],
    ['1,600 empty-looking segments', '/%2F'.repeat(10) + '/a'.repeat(1_600)]
  ])('%s: a certified 414 that passes the gateway verifier', (_what, url) => {
    // The gateway's verifier itself does work quadratic in the segments: one method for the long ones.
    for (const method of url.length < 200 ? ['GET', 'HEAD', 'POST'] : ['GET']) {
      const result = verify(method, url, served(method, url));
      expect(result.response?.statusCode).toBe(414);
      expect(JSON.parse(text(result.response!.body))).toEqual({ error: 'uri_too_long', message: 'Paths are limited to 2048 characters and 32 segments.' });
    }
  });

  it('answers a path at the limits as before: 32 segments get the 404, a served path spelled long gets the document', () => {
    expect(verify('GET', segments(32), served('GET', segments(32))).response?.statusCode).toBe(404);
    const longSpelling = '/'.repeat(3_000) + '.well-known/jwks.json';
    expect(verify('GET', longSpelling, served('GET', longSpelling)).response?.statusCode).toBe(200);
    const longQuery = `${JWKS_PATH}?${'q'.repeat(5_000)}`;
    expect(verify('GET', longQuery, served('GET', longQuery)).response?.statusCode).toBe(200);
  });

  it('certifies every over-long path with the same pre-built witness, of a size independent of the path', () => {
    const witnesses = [segments(33), segments(1_600), segments(100_000), '/' + 'b'.repeat(1_000_000)].map((url) => served('GET', url));
    expect(new Set(witnesses.map(treeOf)).size).toBe(1);
    // The whole tree: the two documents' three responses each and the two wildcard responses.
    expect(witnessNodes(witnesses[0]!)).toBeLessThan(80);
    // Within the limits the absence proof stays small too: 32 segments are the worst case.
    expect(witnessNodes(served('GET', segments(32)))).toBeLessThan(80);
  });
});
