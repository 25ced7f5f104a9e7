// Response-only HTTP certification (v2) for a fixed set of responses: builds the `http_expr`
// tree once, when the responses are built, so that a query only assembles the IC-Certificate
// header from the subnet's certificate and a witness.
import { sha256 } from '../sha256';

import { CERTIFICATE_EXPRESSION, CERTIFICATE_EXPRESSION_HEADER_NAME, CERTIFIED_RESPONSE_HEADERS } from './cel_expression';
import { asciiString, utf8 } from '../bytes';
import { certificateHeaderTail, certificateHeaderValueAscii } from './certificate_header';
import {
  canonicalPath,
  decodeRequestPath,
  EXACT_TERMINATOR,
  exactExpressionPath,
  fallbackLookups,
  isOverlongUrl,
  pathSegments,
  WILDCARD_TERMINATOR,
  wildcardExpressionPath
} from './expression_path';
import { treeDigest, type HashTree } from './hash_tree';
import { buildLabeledTree, type TreeEntry } from './labeled_tree';
import { CERTIFICATE_HEADER_NAME, responseHash, type CertifiableResponse } from './response_hash';
import { witness, type LabelPath } from './witness';

export interface ResponsesToCertify<R extends CertifiableResponse> {
  /**
   * Canonical paths ("/.well-known/jwks.json") and every response served there (the document,
   * and the OPTIONS and 405 answers if the canister gives them).
   * Security: a path's responses are interchangeable to a gateway, since the request is not
   * certified: a malicious node may answer GET with the 405. That costs availability only,
   * which such a node can always take; it can never make a gateway accept content the
   * canister did not produce for that path.
   */
  readonly exact: ReadonlyMap<string, readonly R[]>;
  /** The response for every other path, certified under the root wildcard (`http_expr/<*>`). */
  readonly fallback: R;
  /**
   * The response for a URL over REQUEST_PATH_LIMITS, also under the root wildcard. Like the
   * fallback, it may be served for any path that has no exact responses (availability only).
   */
  readonly overlong?: R;
}

export interface CertifiedResponses<R extends CertifiableResponse> {
  /** The root hash of the `http_expr` tree, 32 bytes: the canister's certified data. */
  readonly rootHash: Uint8Array;
  /** The full tree, for diagnostics and tests; witnesses are pruned copies of it. */
  readonly tree: HashTree;
  /**
   * The IC-Certificate header for `response`, served for a request to `url`. `response` must be
   * one of the very objects certified for the URL's canonical path (or the fallback when the
   * path has none), else ResponseNotCertifiedError.
   */
  certificateHeader(url: string, response: R, dataCertificate: Uint8Array): [name: string, value: string];
  /** certificateHeader's value as ASCII bytes, built without a string (what a query replies). */
  certificateHeaderValue(url: string, response: R, dataCertificate: Uint8Array): Uint8Array;
  /** A copy of `response` with the IC-Certificate header added. */
  withCertificate(url: string, response: R, dataCertificate: Uint8Array): R;
}

/** A response that the gateway could not verify as built: a programming error, at build time. */
export class UncertifiableResponseError extends Error {
  readonly code = 'ERR_UNCERTIFIABLE_RESPONSE';
}

/** At query time: the response routed for a URL is not one certified for its path. */
export class ResponseNotCertifiedError extends Error {
  readonly code = 'ERR_RESPONSE_NOT_CERTIFIED';
}

const encoder = new TextEncoder();
const EMPTY_VALUE = new Uint8Array();
const NO_REQUEST_CERTIFICATION = new Uint8Array();

export function certifyResponses<R extends CertifiableResponse>(input: ResponsesToCertify<R>): CertifiedResponses<R> {
  const expressionHash = sha256(encoder.encode(CERTIFICATE_EXPRESSION));
  // One response often serves several paths (a preflight, a 405): hashed once.
  const responseHashes = new Map<R, Uint8Array>();
  const hashOf = (response: R): Uint8Array => {
    let hash = responseHashes.get(response);
    if (hash === undefined) responseHashes.set(response, (hash = responseHash(response, CERTIFIED_RESPONSE_HEADERS)));
    return hash;
  };
  const leafPath = (expressionPath: readonly string[], response: R): LabelPath => {
    assertCertifiable(response);
    return [...toLabels(expressionPath), expressionHash, NO_REQUEST_CERTIFICATION, hashOf(response)];
  };

  const exactPaths: { path: string; expressionPath: string[]; leaves: Map<R, LabelPath> }[] = [];
  for (const [path, responses] of input.exact) {
    const segments = pathSegments(path);
    if (!path.startsWith('/') || canonicalPath(segments) !== path) {
      throw new UncertifiableResponseError(`not a canonical path: ${JSON.stringify(path)} (expected ${canonicalPath(segments)})`);
    }
    if (segments.includes(EXACT_TERMINATOR) || segments.includes(WILDCARD_TERMINATOR)) {
      throw new UncertifiableResponseError(`a certified path cannot hold ${EXACT_TERMINATOR} or ${WILDCARD_TERMINATOR}: ${path}`);
    }
    if (responses.length === 0) throw new UncertifiableResponseError(`no response to certify at ${path}`);
    const expressionPath = exactExpressionPath(segments);
    exactPaths.push({ path, expressionPath, leaves: new Map(responses.map((response) => [response, leafPath(expressionPath, response)])) });
  }
  const fallbackExpressionPath = wildcardExpressionPath([]);
  const fallbackLeaf = leafPath(fallbackExpressionPath, input.fallback);
  const wildcardResponses = input.overlong === undefined ? [input.fallback] : [input.fallback, input.overlong];

  const entries: TreeEntry[] = wildcardResponses.map((response) => ({ path: leafPath(fallbackExpressionPath, response), value: EMPTY_VALUE }));
  for (const { leaves } of exactPaths) for (const path of leaves.values()) entries.push({ path, value: EMPTY_VALUE });
  const tree = buildLabeledTree(entries);

  // Witnesses of exact paths do not depend on the request: precompute their header tails.
  const tailOf = (witnessTree: HashTree, expressionPath: readonly string[]) => utf8(certificateHeaderTail(witnessTree, expressionPath));
  const exactTails = new Map<string, Map<R, Uint8Array>>();
  for (const { path, expressionPath, leaves } of exactPaths) {
    const tails = new Map<R, Uint8Array>();
    for (const [response, leaf] of leaves) tails.set(response, tailOf(witness(tree, [leaf]), expressionPath));
    exactTails.set(path, tails);
  }
  // Security (bounded work): for an over-long URL the witness is the whole tree, unpruned. It
  // decides every lookup a gateway can make for any path, so it is built once, here, and a
  // query does no work that grows with the request. The tree holds only public hashes.
  const overlongTail = tailOf(tree, fallbackExpressionPath);

  const certificateHeaderValue = (url: string, response: R, dataCertificate: Uint8Array): Uint8Array => {
    if (isOverlongUrl(url)) {
      if (!wildcardResponses.includes(response)) {
        throw new ResponseNotCertifiedError(`the response (status ${response.statusCode}) for an over-long URL is not one certified under the root wildcard`);
      }
      return certificateHeaderValueAscii(dataCertificate, overlongTail);
    }
    const decoded = decodeRequestPath(url);
    const segments = decoded === undefined ? [] : pathSegments(decoded);
    const tails = decoded === undefined ? undefined : exactTails.get(canonicalPath(segments));
    let tail: Uint8Array | undefined;
    if (tails !== undefined) {
      tail = tails.get(response);
    } else if (response === input.fallback) {
      // The witness proves that no exact or more specific wildcard path exists for this request.
      const lookups = fallbackLookups(segments).map(toLabels);
      tail = tailOf(witness(tree, [fallbackLeaf, ...lookups]), fallbackExpressionPath);
    }
    if (tail === undefined) {
      throw new ResponseNotCertifiedError(
        `the response (status ${response.statusCode}) for ${JSON.stringify(url)} is not one certified for its path`
      );
    }
    return certificateHeaderValueAscii(dataCertificate, tail);
  };
  const certificateHeader = (url: string, response: R, dataCertificate: Uint8Array): [string, string] => [
    CERTIFICATE_HEADER_NAME,
    asciiString(certificateHeaderValue(url, response, dataCertificate))
  ];

  return {
    rootHash: treeDigest(tree),
    tree,
    certificateHeader,
    certificateHeaderValue,
    withCertificate: (url, response, dataCertificate) => ({
      ...response,
      headers: [...response.headers, certificateHeader(url, response, dataCertificate)]
    })
  };
}

function assertCertifiable(response: CertifiableResponse): void {
  const { statusCode, headers } = response;
  if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
    throw new UncertifiableResponseError(`not an HTTP status: ${statusCode}`);
  }
  const listed = new Set(CERTIFIED_RESPONSE_HEADERS);
  let expressions = 0;
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    if (lower === CERTIFICATE_EXPRESSION_HEADER_NAME) {
      // The gateway hashes the value it receives: it must be the expression the tree holds.
      if (value !== CERTIFICATE_EXPRESSION) throw new UncertifiableResponseError('the IC-CertificateExpression header is not CERTIFICATE_EXPRESSION');
      expressions++;
    } else if (lower === CERTIFICATE_HEADER_NAME) {
      throw new UncertifiableResponseError('a response to certify cannot carry IC-Certificate yet');
    } else if (!listed.has(lower)) {
      throw new UncertifiableResponseError(`header ${name} is not certified: a gateway would drop it (add it to CERTIFIED_RESPONSE_HEADERS)`);
    }
  }
  if (expressions !== 1) {
    throw new UncertifiableResponseError(`a certified response carries IC-CertificateExpression once, not ${expressions} times`);
  }
}

function toLabels(path: readonly string[]): Uint8Array[] {
  return path.map((segment) => encoder.encode(segment));
}
