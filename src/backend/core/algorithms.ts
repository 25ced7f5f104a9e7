// The JWS algorithms the issuer signs with, and how each one reaches its threshold key.
export const JWS_ALGORITHMS = ['ES256K', 'EdDSA'] as const;
export type JwsAlgorithm = (typeof JWS_ALGORITHMS)[number];

export function isJwsAlgorithm(name: string): name is JwsAlgorithm {
  return (JWS_ALGORITHMS as readonly string[]).includes(name);
}
