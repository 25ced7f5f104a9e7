// Which signing algorithms the page offers: exactly those the issuer has enabled, each with who
// can verify it, the issuer's default chosen until the user picks another. Pure.
import type { JwtAlgorithm } from '@ic-jwt/client';

export interface AlgorithmOption {
  algorithm: JwtAlgorithm;
  /** What it is and which verifiers accept it (the README's verifier table). */
  hint: string;
  checked: boolean;
}

const HINTS: Record<JwtAlgorithm, string> = {
  ES256K: 'ECDSA on secp256k1 (threshold ECDSA). Verified by @ic-jwt/verifier, PyJWT, jwcrypto, Authlib; not by jose, fast-jwt, jsonwebtoken.',
  EdDSA: 'Ed25519 (threshold Schnorr). Verified by @ic-jwt/verifier, jose, fast-jwt, openid-client, PyJWT, jwcrypto, Authlib, golang-jwt.'
};

export interface IssuerAlgorithms {
  /** The config's `algorithms`, in its order. */
  enabled: readonly string[];
  /** The config's `default_algorithm`. */
  defaultAlgorithm: string;
}

/** Unknown names (a newer canister's) are left out: the page cannot say who verifies them. */
export function algorithmOptions(issuer: IssuerAlgorithms, previousChoice: JwtAlgorithm | undefined): AlgorithmOption[] {
  const enabled = issuer.enabled.filter((name): name is JwtAlgorithm => Object.hasOwn(HINTS, name));
  const chosen = previousChoice !== undefined && enabled.includes(previousChoice) ? previousChoice : issuer.defaultAlgorithm;
  return enabled.map((algorithm) => ({ algorithm, hint: HINTS[algorithm], checked: algorithm === chosen }));
}
