// Type-checked (not run) in the blank project: the packages' declarations as a TypeScript user meets them.
import { getJwt, IcJwtError, TokenCache, type IssuedJwt } from '@ic-jwt/client';
import type { _SERVICE } from '@ic-jwt/client/candid';
import { createVerifier, type VerifiedClaims } from '@ic-jwt/verifier';
import { createVerifier as createWebVerifier } from '@ic-jwt/verifier/web';
import { Ed25519KeyIdentity } from '@dfinity/identity';

export async function example(canisterId: string): Promise<[IssuedJwt, VerifiedClaims, _SERVICE['issue_jwt'] | undefined]> {
  const jwt = await getJwt({ identity: Ed25519KeyIdentity.generate(), canisterId, cache: new TokenCache(), algorithm: 'EdDSA' });
  const verifier = createVerifier({ canisterId, audience: canisterId, algorithms: ['EdDSA'] });
  createWebVerifier({ canisterId, audience: canisterId });
  try {
    return [jwt, await verifier.verify(jwt.token), undefined];
  } catch (error) {
    if (error instanceof IcJwtError && error.is('RateLimited')) console.log(error.details.retryAfterSeconds);
    throw error;
  }
}
