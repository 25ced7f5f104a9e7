// Claim names the issuer alone may set, and the names a controller may allow callers to set.
import { PROTOTYPE_NAMES } from './strict_json';

/** RFC 7519 §4.1: the issuer sets all seven in every token. */
export const REGISTERED_CLAIMS = ['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti'] as const;

/**
 * Security: relying parties read these as statements of the issuer (OpenID Connect Core §2
 * and §3.1.3.6, RFC 7800 `cnf`, RFC 8693 `scope` and `client_id`). A caller-chosen value
 * under one of them would be a forgery signed by us, so no config can allow them.
 */
export const OIDC_RESERVED_CLAIMS = ['nonce', 'auth_time', 'azp', 'amr', 'acr', 'at_hash', 'c_hash', 'sid', 'cnf', 'scope', 'client_id'] as const;

export const NEVER_ALLOWED_CLAIMS: readonly string[] = [...REGISTERED_CLAIMS, ...OIDC_RESERVED_CLAIMS, ...PROTOTYPE_NAMES];

export const ALLOWED_EXTRA_CLAIMS_BOUNDS = { maxNames: 32, maxNameLength: 64 } as const;

/** Printable ASCII without space, quote or backslash: names that read the same escaped or not, in any log. */
const CLAIM_NAME = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** Why `name` cannot be listed in allowed_extra_claims, or undefined when it can. */
export function describeAllowedClaimProblem(name: string): string | undefined {
  if (NEVER_ALLOWED_CLAIMS.includes(name)) return `${JSON.stringify(name)} is set by the issuer or reserved, and can never be allowed`;
  if (name.length > ALLOWED_EXTRA_CLAIMS_BOUNDS.maxNameLength || !CLAIM_NAME.test(name)) {
    return `each name must be 1 to ${ALLOWED_EXTRA_CLAIMS_BOUNDS.maxNameLength} printable ASCII characters without space, quote or backslash; got ${JSON.stringify(name.slice(0, 80))}`;
  }
  return undefined;
}
