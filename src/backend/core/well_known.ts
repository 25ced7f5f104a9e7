// The documents off-chain verifiers and relying parties fetch: the JWK Set, and the provider
// metadata (OpenID Connect Discovery 1.0 §3, RFC 8414 §2), served at both well-known paths.
import type { Config } from './config';
import { REGISTERED_CLAIMS } from './claims';
import { publishedKeys, type KeyRing } from './key_ring';
import { AUTHORIZE_PATH, TOKEN_PATH } from './oidc/endpoints';
import { PKCE_METHOD } from './oidc/pkce';
import { SUPPORTED_SCOPES } from './oidc/authorization';

export const JWKS_PATH = '/.well-known/jwks.json';
export const DISCOVERY_PATH = '/.well-known/openid-configuration';
export const AUTHORIZATION_SERVER_METADATA_PATH = '/.well-known/oauth-authorization-server';

/** The claims of ID tokens and access tokens, beside those of issue_jwt's tokens. */
const OIDC_CLAIMS = ['auth_time', 'nonce', 'azp', 'client_id', 'scope'] as const;

export function jwksDocument(ring: KeyRing): string {
  return JSON.stringify({ keys: publishedKeys(ring) });
}

/** `issuer` must equal the tokens' `iss` exactly (OpenID Connect Discovery §4.3, RFC 8414 §3.3). */
export function discoveryDocument(config: Config): string {
  return JSON.stringify({
    issuer: config.issuer,
    authorization_endpoint: `${config.issuer}${AUTHORIZE_PATH}`,
    token_endpoint: `${config.issuer}${TOKEN_PATH}`,
    jwks_uri: `${config.issuer}${JWKS_PATH}`,
    scopes_supported: [...SUPPORTED_SCOPES],
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code'],
    code_challenge_methods_supported: [PKCE_METHOD],
    token_endpoint_auth_methods_supported: ['none'],
    subject_types_supported: ['public', 'pairwise'],
    id_token_signing_alg_values_supported: [...config.algorithms],
    claims_supported: [...new Set([...REGISTERED_CLAIMS, ...OIDC_CLAIMS, ...config.allowedExtraClaims])],
    authorization_response_iss_parameter_supported: true
  });
}
