// The documents off-chain verifiers fetch: the JWK Set and OpenID discovery.
import type { Config } from './config';
import { REGISTERED_CLAIMS } from './claims';
import { publishedKeys, type KeyRing } from './key_ring';

export const JWKS_PATH = '/.well-known/jwks.json';
export const DISCOVERY_PATH = '/.well-known/openid-configuration';

export function jwksDocument(ring: KeyRing): string {
  return JSON.stringify({ keys: publishedKeys(ring) });
}

/** `issuer` must equal the tokens' `iss` exactly (OpenID Connect Discovery §4.3). */
export function discoveryDocument(config: Config): string {
  return JSON.stringify({
    issuer: config.issuer,
    jwks_uri: `${config.issuer}${JWKS_PATH}`,
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [...config.algorithms],
    claims_supported: [...REGISTERED_CLAIMS, ...config.allowedExtraClaims]
  });
}
