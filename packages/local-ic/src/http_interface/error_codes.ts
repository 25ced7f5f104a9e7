import type { CallResult } from '../call_result';

/** A reject the canister chose (`msg_reject`) is reported with the replica's error code IC0406. */
const CANISTER_REJECT_CODE = 4;
const CANISTER_REJECTED_MESSAGE_ERROR = 'IC0406';

/** The `error_code` the replica reports for a rejection, where it reports one. */
export function errorCodeOf(rejection: Extract<CallResult, { kind: 'rejected' }>): string | undefined {
  return rejection.errorCode ?? (rejection.code === CANISTER_REJECT_CODE ? CANISTER_REJECTED_MESSAGE_ERROR : undefined);
}
