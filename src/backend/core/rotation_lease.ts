// The guard that keeps two rotations from interleaving: a lease in stable memory with an expiry.
// rotate_keys takes it before it awaits the management canister and gives it back when done.
// If its reply handler traps, Azle's cleanup callback cannot reply and traps too, so nothing the
// handler would do persists: the lease stays until it expires, and then the next rotation
// takes it over (and the version check after the awaits keeps a late finisher from applying).
import type { RotationLease } from './stable_schema';

/** Fetching two public keys takes seconds; ten minutes leave ample room and block for no longer after a trap. */
export const ROTATION_LEASE_SECONDS = 600;

export function isLeaseHeld(lease: RotationLease | undefined, nowSeconds: number): boolean {
  return lease !== undefined && lease.expiresAtSeconds > nowSeconds;
}

export function newLease(nowSeconds: number): RotationLease {
  return { expiresAtSeconds: nowSeconds + ROTATION_LEASE_SECONDS };
}
