// The OpenID discovery document (OpenID Connect Discovery 1.0 §3), reduced to what we need.
import { JwksInvalidError, quote, UncertifiedKeySourceError } from './errors.js';
import { keySourceProblem, parseUrl } from './url_policy.js';

/**
 * Security: the document must name exactly the issuer we were configured with (§4.3);
 * otherwise a document served elsewhere could point us at another party's keys. Its
 * jwks_uri passes the same checks as a configured one (https, no uncertified gateway).
 */
export function jwksUriFromDiscovery(document: unknown, expectedIssuer: string): string {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new JwksInvalidError('the discovery document is not a JSON object');
  }
  const { issuer, jwks_uri: jwksUri } = document as { issuer?: unknown; jwks_uri?: unknown };
  if (issuer !== expectedIssuer) {
    throw new JwksInvalidError(`the discovery document names issuer ${quote(issuer, 120)}, not ${quote(expectedIssuer, 120)}`);
  }
  const url = typeof jwksUri === 'string' ? parseUrl(jwksUri) : undefined;
  const problem = url === undefined ? { uncertified: false, reason: 'is not an absolute URL' } : keySourceProblem(url);
  if (problem?.uncertified === true) {
    throw new UncertifiedKeySourceError(`the discovery document's jwks_uri ${quote(jwksUri, 120)}: ${problem.reason}`);
  }
  if (problem !== undefined) {
    throw new JwksInvalidError(`the discovery document's jwks_uri ${quote(jwksUri, 120)} is not an https URL (or http on a local host)`);
  }
  return jwksUri as string;
}

