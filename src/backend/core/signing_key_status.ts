// Whether each algorithm has a key to sign with, and if not, why: what metrics and
// SigningKeyNotReady tell operators and callers (a canister on a subnet without its
// threshold key, e.g. mainnet with dfx_test_key, says so here, not only in its logs).
import type { JwsAlgorithm } from './algorithms';

export type SigningKeyStatus =
  | { kind: 'Ready' }
  | { kind: 'Fetching' }
  | {
      kind: 'Failed';
      /** The management canister's last reject (0: the call never left, e.g. too few cycles). */
      rejectCode: number;
      message: string;
      /** Failed fetches in a row. */
      attempts: number;
      nextRetryAtSeconds: number;
    };

export type SigningKeyStatuses = ReadonlyMap<JwsAlgorithm, SigningKeyStatus>;

/** No fetch has reported yet: right after install or upgrade the key is being fetched. */
export function statusOf(statuses: SigningKeyStatuses, alg: JwsAlgorithm): SigningKeyStatus {
  return statuses.get(alg) ?? { kind: 'Fetching' };
}
