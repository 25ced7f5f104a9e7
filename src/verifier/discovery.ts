// The OpenID discovery document (OpenID Connect Discovery 1.0 §3), reduced to what we need.
import { JwksInvalidError, quote } from './errors';

const LOCAL_HOST = /^(localhost|127\.0\.0\.1|\[::1\]|([a-z0-9-]+\.)+localhost)$/;

/**
 * Security: the document must name exactly the issuer we were configured with (§4.3);
 * otherwise a document served elsewhere could point us at another party's keys.
 */
export function jwksUriFromDiscovery(document: unknown, expectedIssuer: string): string {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new JwksInvalidError('the discovery document is not a JSON object');
  }
  const { issuer, jwks_uri: jwksUri } = document as { issuer?: unknown; jwks_uri?: unknown };
  if (issuer !== expectedIssuer) {
    throw new JwksInvalidError(`the discovery document names issuer ${quote(issuer, 120)}, not ${quote(expectedIssuer, 120)}`);
  }
  if (typeof jwksUri !== 'string' || !isFetchable(jwksUri)) {
    throw new JwksInvalidError(`the discovery document's jwks_uri ${quote(jwksUri, 120)} is not an https URL (or http on a local host)`);
  }
  return jwksUri;
}

function isFetchable(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || (url.protocol === 'http:' && LOCAL_HOST.test(url.hostname));
  } catch {
    return false;
  }
}
