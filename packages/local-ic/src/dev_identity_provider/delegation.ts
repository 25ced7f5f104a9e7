// Signs the delegation from a user key to the dapp's session key, as the IC verifies it:
// Ed25519 over "\x1Aic-request-auth-delegation" ‖ representation-independent hash of
// { pubkey, expiration } (no targets: the delegation is valid for every canister, like II's). Pure.
import { IC_REQUEST_AUTH_DELEGATION_DOMAIN_SEPARATOR, requestIdOf } from '@dfinity/agent';
import { ed25519 } from '@noble/curves/ed25519.js';

import type { SignedDelegation } from './protocol';
import type { UserKey } from './user_keys';

export function delegationSignatureInput(delegation: SignedDelegation['delegation']): Uint8Array {
  const hash = requestIdOf({ pubkey: delegation.pubkey, expiration: delegation.expiration });
  const input = new Uint8Array(IC_REQUEST_AUTH_DELEGATION_DOMAIN_SEPARATOR.length + hash.length);
  input.set(IC_REQUEST_AUTH_DELEGATION_DOMAIN_SEPARATOR, 0);
  input.set(hash, IC_REQUEST_AUTH_DELEGATION_DOMAIN_SEPARATOR.length);
  return input;
}

export function signDelegation(user: UserKey, sessionPublicKey: Uint8Array, expirationNanos: bigint): SignedDelegation {
  const delegation = { pubkey: sessionPublicKey, expiration: expirationNanos };
  return { delegation, signature: ed25519.sign(delegationSignatureInput(delegation), user.secretKey) };
}
