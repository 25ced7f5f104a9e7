// The browser's development users: one random master seed and a count of users, in localStorage.
// Security: the seed sits in plain localStorage, readable by any script on this origin and by
// anyone with the browser profile; that is acceptable only for a development provider.
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';

import { MASTER_SEED_BYTES } from './user_keys';

const SEED_KEY = 'ic-jwt-dev-identity-provider/master-seed';
const COUNT_KEY = 'ic-jwt-dev-identity-provider/user-count';

export class DevUserStore {
  constructor(private readonly storage: Storage) {}

  /** The master seed, created on first use. */
  masterSeed(): Uint8Array {
    const stored = this.storage.getItem(SEED_KEY);
    if (stored !== null) {
      if (!/^[0-9a-f]+$/.test(stored) || stored.length !== MASTER_SEED_BYTES * 2) {
        throw new Error(`localStorage["${SEED_KEY}"] is not ${MASTER_SEED_BYTES} hex bytes; clear it to start over with new users`);
      }
      return hexToBytes(stored);
    }
    const seed = crypto.getRandomValues(new Uint8Array(MASTER_SEED_BYTES));
    this.storage.setItem(SEED_KEY, bytesToHex(seed));
    return seed;
  }

  /** Users are numbered 1..userCount(); there is always at least user 1. */
  userCount(): number {
    const count = Number(this.storage.getItem(COUNT_KEY) ?? '1');
    return Number.isSafeInteger(count) && count >= 1 ? count : 1;
  }

  /** Adds a user and returns its number. */
  addUser(): number {
    const next = this.userCount() + 1;
    this.storage.setItem(COUNT_KEY, String(next));
    return next;
  }
}
