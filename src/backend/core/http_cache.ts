// How long HTTP clients and verifiers may cache the served documents (Cache-Control max-age).
// Key rotation depends on the JWKS figure: see KEY_PREPUBLICATION_SECONDS in key_ring.ts.

/** Verifiers refetch the JWKS on an unknown kid, so it may be cached for a few minutes only. */
export const JWKS_MAX_AGE_SECONDS = 300;
export const DISCOVERY_MAX_AGE_SECONDS = 3600;
