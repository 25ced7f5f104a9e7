// HTTP certification against vectors published by the IC's own implementation
// (github.com/dfinity/response-verification, packages/*): expected values are theirs, not ours.
import { createHash } from 'node:crypto';

import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';

import { bytesToHex, hexToBytes, utf8 } from '../../src/backend/core/bytes';
import { responseOnlyExpression } from '../../src/backend/core/certification/cel_expression';
import { encodeCbor } from '../../src/backend/core/certification/cbor';
import { certificateHeaderTail, certificateHeaderValue } from '../../src/backend/core/certification/certificate_header';
import { exactExpressionPath, pathSegments, wildcardExpressionPath } from '../../src/backend/core/certification/expression_path';
import {
  EMPTY,
  fork,
  hashTreeToCbor,
  labeled,
  leaf,
  pruned,
  treeDigest
} from '../../src/backend/core/certification/hash_tree';
import { buildLabeledTree } from '../../src/backend/core/certification/labeled_tree';
import { representationIndependentHash } from '../../src/backend/core/certification/representation_independent_hash';
import {
  certifiedHeaders,
  responseHash,
  responseHeadersHash,
  type CertifiableResponse
} from '../../src/backend/core/certification/response_hash';

const hex = (bytes: Uint8Array) => bytesToHex(bytes);
const withoutWhitespace = (text: string) => text.replace(/\s+/g, '');

describe('representation-independent hash (ic-representation-independent-hash, representation_independent_hash.rs tests)', () => {
  it('hashes a map of strings and a number', () => {
    const map: [string, string | number][] = [
      ['name', 'foo'],
      ['message', 'Hello World!'],
      ['answer', 42]
    ];
    expect(hex(representationIndependentHash(map))).toBe('b0c6f9191e37dceafdfc47fbfc7e9cc95f21c7b985c2f7ba5855015c2a8f13ac');
  });

  it('counts every pair of a repeated key', () => {
    const map: [string, string][] = [
      ['name', 'foo'],
      ['name', 'bar'],
      ['message', 'Hello World!']
    ];
    expect(hex(representationIndependentHash(map))).toBe('435f77c9bdeca5dba4a4b8a34e4f732b4311f1fc252ec6d4e8ee475234b170f9');
  });

  it('hashes bytes as they are', () => {
    expect(hex(representationIndependentHash([['bytes', Uint8Array.of(1, 2, 3, 4)]]))).toBe(
      '546729666d96a712bd94f902a0388e33f9a19a335c35bc3d95b0221a4a574455'
    );
  });

  it('hashes every string as node:crypto does, however many it has seen (it remembers a bounded number)', () => {
    const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();
    const independent = (key: string, value: string) => new Uint8Array(sha256(Buffer.concat([sha256(key), sha256(value)])));
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 600; i++) {
        const [key, value] = [`header-${i % 7}`, `value ${i} \u2026`];
        expect(representationIndependentHash([[key, value]])).toEqual(independent(key, value));
      }
    }
  });

  it('does not depend on the order of pairs', () => {
    const a: [string, string][] = [
      ['name', 'foo'],
      ['message', 'Hello World!'],
      ['name', 'bar']
    ];
    expect(representationIndependentHash(a)).toEqual(representationIndependentHash([a[1]!, a[2]!, a[0]!]));
  });
});

describe('hash tree (ic-certification, hash_tree/tests.rs: the interface spec example)', () => {
  const specExample = fork(
    fork(labeled('a', fork(fork(labeled('x', leaf(utf8('hello'))), EMPTY), labeled('y', leaf(utf8('world'))))), labeled('b', leaf(utf8('good')))),
    fork(labeled('c', EMPTY), labeled('d', leaf(utf8('morning'))))
  );

  it('reconstructs the root hash', () => {
    expect(hex(treeDigest(specExample))).toBe('eb5c5b2195e62d996b84c9bcc8259d19a83786a2f59e0878cec84c811f669aa0');
  });

  it('encodes as the CBOR of the spec', () => {
    expect(hex(encodeCbor(hashTreeToCbor(specExample)))).toBe(
      '8301830183024161830183018302417882034568656c6c6f810083024179820345776f726c6483024162820344676f6f648301830241638100830241648203476d6f726e696e67'
    );
  });

  it('keeps the root hash when subtrees are pruned', () => {
    const prunedExample = fork(
      fork(
        labeled('a', fork(pruned(hexToBytes('1b4feff9bef8131788b0c9dc6dbad6e81e524249c879e9f10f71ce3749f5a638')), labeled('y', leaf(utf8('world'))))),
        labeled('b', pruned(hexToBytes('7b32ac0c6ba8ce35ac82c255fc7906f7fc130dab2a090f80fe12f9c2cae83ba6')))
      ),
      fork(pruned(hexToBytes('ec8324b8a1f1ac16bd2e806edba78006479c9877fed4eb464a25485465af601d')), labeled('d', leaf(utf8('morning'))))
    );
    expect(hex(treeDigest(prunedExample))).toBe('eb5c5b2195e62d996b84c9bcc8259d19a83786a2f59e0878cec84c811f669aa0');
  });

  it('hashes a tree with an empty node, a pruned node and a leaf', () => {
    const tree = fork(labeled('label 1', EMPTY), fork(pruned(new Uint8Array(32).fill(1)), leaf(Uint8Array.of(1, 2, 3, 4, 5, 6))));
    expect(hex(treeDigest(tree))).toBe('69cf325d0f20505b261821a7e77ff72fb9a8753a7964f0b587553bfb44e72532');
  });
});

describe('CEL expression (ic-http-certification, cel/fixtures.rs)', () => {
  it('writes response-only certification of listed headers as the IC does', () => {
    const fixture = `default_certification(
        ValidationArgs {
          certification: Certification {
            no_request_certification: Empty {},
            response_certification: ResponseCertification {
              certified_response_headers: ResponseHeaderList {
                headers: ["Cache-Control", "ETag", "Content-Length", "Content-Type", "Content-Encoding"]
              }
            }
          }
        }
      )`;
    expect(responseOnlyExpression(['Cache-Control', 'ETag', 'Content-Length', 'Content-Type', 'Content-Encoding'])).toBe(
      withoutWhitespace(fixture)
    );
  });

  it('writes an empty header list as the IC does', () => {
    const fixture = `default_certification(ValidationArgs{certification:Certification{no_request_certification:Empty{},
      response_certification:ResponseCertification{certified_response_headers:ResponseHeaderList{headers:[]}}}})`;
    expect(responseOnlyExpression([])).toBe(withoutWhitespace(fixture));
  });

  it('refuses a header name that could break out of the string list', () => {
    expect(() => responseOnlyExpression(['a"]}'])).toThrow(expect.objectContaining({ code: 'ERR_CERTIFICATE_EXPRESSION' }));
  });
});

describe('response hash (ic-http-certification, hash/response_hash.rs tests)', () => {
  // Their test response: status 200, "Hello World!", and these headers in this order.
  const expression = responseOnlyExpression(['Accept-Encoding', 'Cache-Control']);
  const response: CertifiableResponse = {
    statusCode: 200,
    body: utf8('Hello World!'),
    headers: [
      ['IC-Certificate', 'certificate=:SGVsbG8gQ2VydGlmaWNhdGUh:,tree=:SGVsbG8gVHJlZSE=:'],
      ['IC-CertificateExpression', expression],
      ['Accept-Encoding', 'gzip'],
      ['Cache-Control', 'no-cache'],
      ['Cache-Control', 'no-store'],
      ['Content-Security-Policy', "default-src 'self'"]
    ]
  };
  const listed = ['Accept-Encoding', 'Cache-Control'];

  it('keeps the expression and listed headers, lowercased, and drops IC-Certificate', () => {
    expect(certifiedHeaders(response.headers, ['Accept-Encoding'])).toEqual([
      ['ic-certificateexpression', expression],
      ['accept-encoding', 'gzip']
    ]);
  });

  it('hashes the certified headers with the status pseudo-header', () => {
    expect(hex(responseHeadersHash(200, certifiedHeaders(response.headers, listed)))).toBe(
      'eac859a99d5bd7b71f46dbacecff4aaa0a7a7131802c136a77a76c8e018af5f7'
    );
  });

  it('hashes headers and body together', () => {
    expect(hex(responseHash(response, listed))).toBe('3393250e3cedc30408dcb7e8963898c3d7549b8a0b76496b82fdfeae99c2ac78');
  });

  it('takes a body hash known beforehand', () => {
    const bodyHash = hexToBytes('5462fc394013080effc31d578ec3fff8b44cdf24738b38a77ce4afacbc93a7f5');
    expect(hex(responseHash(response, listed, bodyHash))).toBe('1afc744a377cb8785d1078f53f9bbc9160d86b7a05f490e42c89366326eaef20');
  });

  it('ignores headers it does not certify', () => {
    const fewer = { ...response, headers: response.headers.filter(([name]) => name !== 'Content-Security-Policy') };
    expect(responseHash(fewer, listed)).toEqual(responseHash(response, listed));
  });
});

describe('expression paths (ic-http-certification, tree/certification_tree_path.rs tests)', () => {
  it.each([
    ['', []],
    ['/', ['']],
    ['/foo', ['foo']],
    ['foo', ['foo']],
    ['/foo/', ['foo', '']],
    ['/foo/bar', ['foo', 'bar']],
    ['foo/bar/', ['foo', 'bar', '']]
  ])('%j has the segments %j', (path, segments) => {
    expect(pathSegments(path)).toEqual(segments);
    expect(exactExpressionPath(pathSegments(path))).toEqual(['http_expr', ...segments, '<$>']);
    expect(wildcardExpressionPath(pathSegments(path))).toEqual(['http_expr', ...segments, '<*>']);
  });
});

describe('certification trees and IC-Certificate headers (ic-http-certification, utils/*.rs doc examples)', () => {
  it('matches the skip-certification tree: certified data and the whole header', () => {
    // utils/skip_certification.rs: http_expr/<*>/<hash of the skip expression> → "".
    const skip = 'default_certification(ValidationArgs{no_certification:Empty{}})';
    const tree = buildLabeledTree([{ path: [utf8('http_expr'), utf8('<*>'), sha256(utf8(skip))], value: new Uint8Array() }]);
    expect([...treeDigest(tree)]).toEqual([
      85, 236, 195, 28, 62, 128, 71, 252, 21, 143, 32, 234, 10, 160, 96, 154, 172, 199, 181, 126, 6, 234, 64, 220, 65, 134, 2, 114, 167, 214, 66,
      145
    ]);
    const header = certificateHeaderValue(Uint8Array.of(1, 2, 3), certificateHeaderTail(tree, wildcardExpressionPath([])));
    expect(header).toBe(
      'certificate=:AQID:, tree=:2dn3gwJJaHR0cF9leHBygwJDPCo+gwJYIMMautvQsFn51GT9bfTani3Ah659C0BGjTNyJtQTszcjggNA:, expr_path=:2dn3gmlodHRwX2V4cHJjPCo+:, version=2'
    );
  });

  it('matches the add_v2_certificate_header example: expression hash, response hash, tree and header', () => {
    // utils/response_header.rs: /example.json certified with the default full expression, an empty
    // 200 response carrying only the expression header. Request certification is not ours: its
    // hash is taken from the vector as it is.
    const fullExpression =
      'default_certification(ValidationArgs{certification:Certification{request_certification:RequestCertification{' +
      'certified_request_headers:[],certified_query_parameters:[]},response_certification:ResponseCertification{' +
      'certified_response_headers:ResponseHeaderList{headers:[]}}}})';
    const requestHash = hexToBytes('6bc74eda155eb1976f8683d41bc7f8e5b6e9dd02b4b51d038dcb3fee3637ac69');
    const response: CertifiableResponse = {
      statusCode: 200,
      headers: [['IC-CertificateExpression', fullExpression]],
      body: new Uint8Array()
    };
    const expressionPath = exactExpressionPath(pathSegments('/example.json'));
    const tree = buildLabeledTree([
      {
        path: [...expressionPath.map(utf8), sha256(utf8(fullExpression)), requestHash, responseHash(response, [])],
        value: new Uint8Array()
      }
    ]);
    expect(certificateHeaderValue(Uint8Array.of(1, 2, 3), certificateHeaderTail(tree, expressionPath))).toBe(
      'certificate=:AQID:, tree=:2dn3gwJJaHR0cF9leHBygwJMZXhhbXBsZS5qc29ugwJDPCQ+gwJYIFJ2k+R/YYbgGPADidRdRwDurH06HXACVHlTIVrv1q4W' +
        'gwJYIGvHTtoVXrGXb4aD1BvH+OW26d0CtLUdA43LP+42N6xpgwJYIM7zUx3VibIaHEUF14Kx813l3Xlilg43Y5uGaABAA/i9ggNA:, ' +
        'expr_path=:2dn3g2lodHRwX2V4cHJsZXhhbXBsZS5qc29uYzwkPg==:, version=2'
    );
  });
});
