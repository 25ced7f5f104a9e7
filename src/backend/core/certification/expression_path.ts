// Request paths as the gateway sees them, and their places under `http_expr` in the tree
// (HTTP Gateway Protocol, "Expression Path").
export const EXPRESSION_TREE_ROOT = 'http_expr';
export const EXACT_TERMINATOR = '<$>';
export const WILDCARD_TERMINATOR = '<*>';

export class ExpressionPathError extends Error {
  readonly code = 'ERR_EXPRESSION_PATH';
}

/**
 * The percent-decoded path of a request URL, without query or fragment: what a gateway
 * verifies a response against. `undefined` when not origin-form ("/…") or when the escapes
 * do not decode to UTF-8 (a gateway cannot verify any response for such a URL).
 */
export function decodeRequestPath(url: string): string | undefined {
  const end = url.search(/[?#]/);
  const raw = end === -1 ? url : url.slice(0, end);
  if (!raw.startsWith('/')) return undefined;
  try {
    // Like the gateway: valid %XX escapes decode (%2F too), a stray '%' stays as it is.
    return raw.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => decodeURIComponent(run));
  } catch {
    return undefined;
  }
}

/**
 * The work a request may cause is bounded by these: the fallback's absence proof grows with the
 * square of the segment count (one lookup per prefix), so a longer path gets one response whose
 * certification does not depend on the path at all (see certified_responses.ts). Measured on the
 * canonical path, as the gateway looks it up, so no spelling of a served path is over-long
 * ("/" × 3000 + "jwks.json" is still the JWKS path). Far beyond the two paths served.
 */
export const REQUEST_PATH_LIMITS = { maxPathLength: 2048, maxSegments: 32 } as const;

/** Whether the URL's canonical path exceeds REQUEST_PATH_LIMITS. Linear in the URL. */
export function isOverlongUrl(url: string): boolean {
  const path = decodeRequestPath(url);
  if (path === undefined) return false;
  const segments = pathSegments(path);
  return segments.length > REQUEST_PATH_LIMITS.maxSegments || canonicalPath(segments).length > REQUEST_PATH_LIMITS.maxPathLength;
}

/** Path segments as the gateway splits them: empty ones dropped, a trailing '/' kept as "". */
export function pathSegments(path: string): string[] {
  const segments = path.split('/').filter((segment) => segment !== '');
  if (path.endsWith('/')) segments.push('');
  return segments;
}

/**
 * The one spelling of a path that routing and certification share: "/a//b" and "/a/b" reach
 * the same certification at the gateway, so they must reach the same response.
 */
export function canonicalPath(segments: readonly string[]): string {
  return '/' + segments.join('/');
}

/** The canonical, decoded path of a request URL; route on this so the gateway's check agrees. */
export function canonicalRequestPath(url: string): string | undefined {
  const path = decodeRequestPath(url);
  return path === undefined ? undefined : canonicalPath(pathSegments(path));
}

export function exactExpressionPath(segments: readonly string[]): string[] {
  assertPlainSegments(segments);
  return [EXPRESSION_TREE_ROOT, ...segments, EXACT_TERMINATOR];
}

export function wildcardExpressionPath(segments: readonly string[]): string[] {
  assertPlainSegments(segments);
  return [EXPRESSION_TREE_ROOT, ...segments, WILDCARD_TERMINATOR];
}

/**
 * What a gateway looks up before it accepts the root wildcard for `requestSegments`: the exact
 * path, and every wildcard at a prefix of it, with and without a trailing "". All must be
 * provably absent but the root wildcard itself. A superset of the verifier's list, which the
 * witness may reveal at no risk: the tree holds only public hashes.
 */
export function fallbackLookups(requestSegments: readonly string[]): string[][] {
  const lookups = [[EXPRESSION_TREE_ROOT, ...requestSegments, EXACT_TERMINATOR]];
  for (let length = 0; length <= requestSegments.length; length++) {
    const prefix = requestSegments.slice(0, length);
    lookups.push([EXPRESSION_TREE_ROOT, ...prefix, WILDCARD_TERMINATOR]);
    lookups.push([EXPRESSION_TREE_ROOT, ...prefix, '', WILDCARD_TERMINATOR]);
  }
  return lookups;
}

/** A certified path segment that equals a terminator would make the tree ambiguous. */
function assertPlainSegments(segments: readonly string[]): void {
  for (const segment of segments) {
    if (segment === EXACT_TERMINATOR || segment === WILDCARD_TERMINATOR) {
      throw new ExpressionPathError(`a certified path segment may not be ${segment}`);
    }
  }
}
